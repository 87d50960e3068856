// Flag parsing on node:util's parseArgs. Flags keep Paddle's snake_case names; every flag also answers
// to its kebab-case spelling. Unknown flags and bad values are usage errors (exit 2).
import { parseArgs } from 'node:util';
import { QdeployError } from '../util/errors';

export type FlagType = 'string' | 'boolean' | 'int' | 'float' | 'list';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: string | number | boolean | string[];
  short?: string;
  /** allowed values for a string flag */
  choices?: string[];
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
  str(name: string): string | undefined;
  reqStr(name: string): string;
  num(name: string): number | undefined;
  bool(name: string): boolean;
  list(name: string): string[] | undefined;
}

const kebab = (s: string) => s.replace(/_/g, '-');
const snake = (s: string) => s.replace(/-/g, '_');

export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', help: 'show this help', short: 'h' },
  verbose: { type: 'boolean', help: 'print stack traces and extra detail' },
};

export function parseCommandArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  const all = { ...cmd.flags, ...COMMON_FLAGS };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries(all)) {
    const type = f.type === 'boolean' ? 'boolean' : 'string';
    options[name] = { type, ...(f.short ? { short: f.short } : {}) };
    if (kebab(name) !== name) options[kebab(name)] = { type };
  }
  // gflags/argparse spell a boolean `--flag=false` / `--flag=true` (quantize --onnx_format=false); parseArgs does not
  const falseFlags = new Set<string>();
  argv = argv.filter((a) => {
    const m = /^--([\w-]+)=(true|false)$/i.exec(a);
    if (!m || all[snake(m[1])]?.type !== 'boolean') return true;
    if (m[2].toLowerCase() === 'false') { falseFlags.add(snake(m[1])); return false; }
    return true;
  }).map((a) => a.replace(/^(--[\w-]+)=true$/i, (_x, f: string) => (all[snake(f.slice(2))]?.type === 'boolean' ? f : _x)));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const m = (e as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, '');
    throw new QdeployError('usage', `${cmd.name}: ${m} (see qdeploy ${cmd.name} --help)`);
  }
  const flags: ParsedArgs['flags'] = {};
  for (const [k, v] of Object.entries(parsed.values)) flags[snake(k)] = v as string | boolean;
  for (const name of falseFlags) flags[name] = false;
  for (const [name, f] of Object.entries(all)) {
    const raw = flags[name];
    if (raw === undefined) { flags[name] = f.default; continue; }
    if (f.type === 'int' || f.type === 'float') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || (f.type === 'int' && !Number.isInteger(n))) {
        throw new QdeployError('usage', `${cmd.name}: --${name} expects ${f.type === 'int' ? 'an integer' : 'a number'}, got '${raw}'`);
      }
      flags[name] = n;
    } else if (f.type === 'list') {
      flags[name] = String(raw).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    } else if (f.type === 'string' && f.choices && !f.choices.includes(String(raw))) {
      throw new QdeployError('usage', `${cmd.name}: --${name} must be one of ${f.choices.join('|')}, got '${raw}'`);
    }
  }
  return {
    flags,
    positionals: parsed.positionals,
    str: (n) => (flags[n] === undefined ? undefined : String(flags[n])),
    reqStr: (n) => {
      const v = flags[n];
      if (v === undefined || v === '') throw new QdeployError('usage', `${cmd.name}: --${n} is required (see qdeploy ${cmd.name} --help)`);
      return String(v);
    },
    num: (n) => (typeof flags[n] === 'number' ? (flags[n] as number) : undefined),
    bool: (n) => flags[n] === true,
    list: (n) => (Array.isArray(flags[n]) ? (flags[n] as string[]) : undefined),
  };
}

export function helpText(cmd: CommandSpec): string {
  const lines = [`qdeploy ${cmd.name} — ${cmd.summary}`, '', `usage: ${cmd.usage}`, '', 'flags:'];
  const all = { ...cmd.flags, ...COMMON_FLAGS };
  const width = Math.max(...Object.keys(all).map((k) => k.length)) + 4;
  for (const [name, f] of Object.entries(all)) {
    const left = `  --${name}${f.short ? `, -${f.short}` : ''}`;
    const dflt = f.default !== undefined && f.default !== '' ? ` (default ${Array.isArray(f.default) ? f.default.join(',') : f.default})` : '';
    const choices = f.choices ? ` [${f.choices.join('|')}]` : '';
    lines.push(`${left.padEnd(width + 6)}${f.help}${choices}${dflt}`);
  }
  lines.push('', 'every --snake_case flag also accepts --kebab-case.');
  if (cmd.details) lines.push('', cmd.details.trim());
  return lines.join('\n') + '\n';
}
