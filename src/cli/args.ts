// Flag parsing, one behaviour for every command. Flags keep Paddle's snake_case names and take what users of
// Paddle's gflags (sample_tester) and argparse (save_quant_model.py, PaddleSlim) tools type: --flag value,
// --flag=value, -flag value, -flag=value, kebab-case, booleans bare or with =true/false/1/0/yes/no (gflags'
// spellings, any case) and gflags' --noflag. Enum values match case-insensitively where that is unambiguous.
// Unknown flags and bad values are usage errors (exit 2) with a did-you-mean.
import { availableParallelism } from 'node:os';
import { QdeployError } from '../util/errors';

/** 'threads': an int where 0 means every core (resolved here, so every command prints the real count) */
export type FlagType = 'string' | 'boolean' | 'int' | 'float' | 'list' | 'threads';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: string | number | boolean | string[];
  short?: string;
  /** allowed values for a string flag (matched case-insensitively where unambiguous) */
  choices?: readonly string[];
  /** values a user may know from Paddle that are not choices here, with why (added to the error) */
  choiceNotes?: Record<string, string>;
  /** int/float/threads: the smallest value allowed */
  min?: number;
  /** another name for that flag (Paddle's name for one of ours): sets it, has no value of its own */
  aliasOf?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** prose after the flag list: examples, notes */
  details?: string;
  run(args: ParsedArgs): Promise<number | void> | number | void;
}

export interface ParsedArgs {
  flags: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
  /** one line each, for stderr (main prints them before the command runs) */
  warnings: string[];
  str(name: string): string | undefined;
  reqStr(name: string): string;
  num(name: string): number | undefined;
  bool(name: string): boolean;
  list(name: string): string[] | undefined;
}

const snake = (s: string) => s.replace(/-/g, '_');

export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', help: 'show this help', short: 'h' },
  verbose: { type: 'boolean', help: 'print stack traces and extra detail' },
};

// gflags' boolean spellings (gflags.cc: "1","t","true","y","yes" / "0","f","false","n","no"), any case
const TRUE = new Set(['1', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'f', 'false', 'n', 'no']);
/** words a bare boolean may take as its next argument (argparse's str2bool style); never digits, which could be positionals */
const BOOL_WORDS = new Set(['true', 'false', 'yes', 'no']);

/** optimal string alignment distance: a swap of two letters counts one (--infer_modle → --infer_model) */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** the one candidate close to `typed` (typos, case, a missing '_', a unique prefix), or undefined */
export function didYouMean(typed: string, candidates: readonly string[]): string | undefined {
  const t = snake(typed).toLowerCase();
  const squash = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const same = candidates.filter((c) => squash(c) === squash(t));
  if (same.length === 1) return same[0];
  const prefix = candidates.filter((c) => t.length >= 3 && c.toLowerCase().startsWith(t));
  if (prefix.length === 1) return prefix[0];
  const limit = t.length <= 4 ? 1 : 2;
  const scored = candidates.map((c) => ({ c, d: editDistance(t, c.toLowerCase()) })).filter((x) => x.d <= limit).sort((a, b) => a.d - b.d);
  if (scored.length === 0 || (scored.length > 1 && scored[1].d === scored[0].d)) return undefined;
  return scored[0].c;
}

/** a choice matching `v` exactly, else the one matching it case-insensitively, else undefined */
function matchChoice(v: string, choices: readonly string[]): string | undefined {
  if (choices.includes(v)) return v;
  const ci = choices.filter((c) => c.toLowerCase() === v.toLowerCase());
  return ci.length === 1 ? ci[0] : undefined;
}

function minWords(name: string, f: FlagSpec): string {
  if (f.type === 'threads') return `--${name} must be >= 0 (0: all cores)`;
  if (f.type === 'int' && f.min === 1) return `--${name} must be a positive integer`;
  return `--${name} must be >= ${f.min}`;
}

export function parseCommandArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  const all: Record<string, FlagSpec> = { ...cmd.flags, ...COMMON_FLAGS };
  const usage = (m: string): never => { throw new QdeployError('usage', `${cmd.name}: ${m}`); };
  const shorts = new Map(Object.entries(all).filter(([, f]) => f.short).map(([n, f]) => [f.short!, n]));
  /** value as typed, and its position (an alias and its target: the later one wins, as a repeated flag does) */
  const raw = new Map<string, { v: string | boolean; at: number }>();
  const positionals: string[] = [];

  /** the flag a typed name stands for (snake or kebab case, gflags' --noflag), or undefined */
  const resolve = (typed: string): { name: string; negated?: boolean } | undefined => {
    const n = snake(typed);
    if (all[n]) return { name: n };
    // gflags: --nouse_analysis = --use_analysis=false
    if (n.startsWith('no') && all[n.slice(2)]?.type === 'boolean') return { name: n.slice(2), negated: true };
    return undefined;
  };

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') { positionals.push(...argv.slice(i + 1)); break; }
    // '-' alone (stdout/stdin) and negative numbers are values, not flags
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) { positionals.push(tok); continue; }
    const body = tok.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const found = !tok.startsWith('--') && shorts.has(key) ? { name: shorts.get(key)! } : resolve(key);
    if (!found || key === '') {
      const guess = didYouMean(key, Object.keys(all));
      usage(`unknown flag ${tok.split('=')[0]}${guess ? `; did you mean --${guess}?` : ''} (see qdeploy ${cmd.name} --help)`);
    }
    const { name, negated } = found!;
    const f = all[name];
    if (f.type === 'boolean') {
      if (negated && inline !== undefined) usage(`--no${name} takes no value`);
      let v: string | boolean = true;
      if (inline !== undefined) v = inline;
      else if (i + 1 < argv.length && BOOL_WORDS.has(argv[i + 1].toLowerCase())) v = argv[++i];
      if (typeof v === 'string') {
        const l = v.toLowerCase();
        if (TRUE.has(l)) v = true;
        else if (FALSE.has(l)) v = false;
        else usage(`--${name} expects true or false (or 1/0, yes/no), got '${v}'`);
      }
      raw.set(name, { v: negated ? false : v, at: i });
      continue;
    }
    let v = inline;
    if (v === undefined) {
      const next = argv[i + 1];
      if (next === undefined) usage(`--${name} needs a value`);
      if (next.startsWith('-') && next !== '-' && !/^-\d|^-\.\d/.test(next)) usage(`--${name} needs a value (got the flag ${next})`);
      v = argv[++i];
    }
    raw.set(name, { v: v!, at: i });
  }

  const flags: ParsedArgs['flags'] = {};
  const warnings: string[] = [];
  for (const [name, f] of Object.entries(all)) {
    if (f.aliasOf) continue;
    const given = [name, ...Object.keys(all).filter((n) => all[n].aliasOf === name)]
      .map((n) => raw.get(n)).filter((x) => x !== undefined).sort((a, b) => a.at - b.at);
    const r = given.at(-1)?.v;
    if (r === undefined) { flags[name] = f.default; continue; }
    flags[name] = parseValue(name, f, r, usage);
    if (f.type === 'threads') flags[name] = threads(name, flags[name] as number, warnings);
  }
  for (const [name, f] of Object.entries(all)) if (f.aliasOf) flags[name] = flags[f.aliasOf];

  return {
    flags,
    positionals,
    warnings,
    str: (n) => (flags[n] === undefined ? undefined : String(flags[n])),
    reqStr: (n) => {
      const v = flags[n];
      if (v === undefined || v === '') usage(`--${n} is required (see qdeploy ${cmd.name} --help)`);
      return String(v);
    },
    num: (n) => (typeof flags[n] === 'number' ? (flags[n] as number) : undefined),
    bool: (n) => flags[n] === true,
    list: (n) => (Array.isArray(flags[n]) ? (flags[n] as string[]) : undefined),
  };
}

function parseValue(name: string, f: FlagSpec, r: string | boolean, usage: (m: string) => never): string | number | boolean | string[] {
  if (typeof r === 'boolean') return r;
  switch (f.type) {
    case 'int': case 'threads': case 'float': {
      const s = r.trim();
      const ok = f.type === 'float' ? /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) : /^[+-]?\d+$/.test(s);
      if (!ok) usage(`--${name} expects ${f.type === 'float' ? 'a number' : 'an integer'}, got '${r}'`);
      const n = Number(s);
      const min = f.type === 'threads' ? 0 : f.min;
      if (min !== undefined && n < min) usage(`${minWords(name, f)}, got ${s}`);
      return n;
    }
    case 'list':
      return r.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    default: {
      if (!f.choices) return r;
      const c = matchChoice(r, f.choices);
      if (c === undefined) {
        // a value known from Paddle gets its reason first (src/quant's checkAlgo words it the same way)
        const note = f.choiceNotes?.[r] ?? f.choiceNotes?.[r.toLowerCase()];
        if (note) usage(`unsupported --${name} '${r}' (${note}); one of ${f.choices.join('|')}`);
        usage(`--${name} must be one of ${f.choices.join('|')}, got '${r}'`);
      }
      return c!;
    }
  }
}

/** --num_threads: 0 → every core; more than the cores is allowed (the user may know better) but said once */
function threads(name: string, n: number, warnings: string[]): number {
  const cores = availableParallelism();
  if (n === 0) return cores;
  if (n > cores) warnings.push(`--${name} ${n} is more than the ${cores} cores available; threads beyond the cores slow the run down`);
  return n;
}

export function helpText(cmd: CommandSpec): string {
  const lines = [`qdeploy ${cmd.name} — ${cmd.summary}`, '', `usage: ${cmd.usage}`, '', 'flags:'];
  const all = { ...cmd.flags, ...COMMON_FLAGS };
  const width = Math.max(...Object.keys(all).map((k) => k.length)) + 4;
  for (const [name, f] of Object.entries(all)) {
    const left = `  --${name}${f.short ? `, -${f.short}` : ''}`;
    const dflt = f.default !== undefined && f.default !== '' ? ` (default ${Array.isArray(f.default) ? f.default.join(',') : f.default})` : '';
    const choices = f.choices ? ` [${f.choices.join('|')}]` : '';
    const help = f.aliasOf ? `same as --${f.aliasOf}${f.help ? ` (${f.help})` : ''}` : f.help;
    lines.push(`${left.padEnd(width + 6)}${help}${choices}${dflt}`);
  }
  lines.push('', 'Flags may be written --flag value, --flag=value, -flag=value (gflags) or --kebab-case; booleans bare or',
    '--flag=true|false (also 1/0, yes/no) or --noflag; --num_threads 0 means all cores.');
  if (cmd.details) lines.push('', cmd.details.trim());
  return lines.join('\n') + '\n';
}
