// The flag parser (src/cli/args.ts) on the real command table: the forms Paddle's gflags/argparse users type,
// booleans with values, case-insensitive enum values, did-you-mean, number checks with clear words, flags shared
// by commands meaning the same everywhere, --num_threads 0 = all cores and a warning beyond the cores.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { parseCommandArgs, type CommandSpec, type FlagSpec } from '../../src/cli/args';
import { commands } from '../../src/cli/commands';
import { QdeployError } from '../../src/util/errors';

const cmd = (name: string): CommandSpec => {
  const c = commands.find((x) => x.name === name);
  if (!c) throw new Error(`no command ${name}`);
  return c;
};
const parse = (name: string, argv: string[]) => parseCommandArgs(cmd(name), argv);

/** the usage error a parse throws (exit 2), as its one-line message */
function usageError(name: string, argv: string[]): string {
  try {
    parse(name, argv);
  } catch (e) {
    assert.instance(e, QdeployError);
    assert.is((e as QdeployError).code, 'usage', (e as Error).message);
    assert.not.match((e as Error).message, /\n/);
    return (e as Error).message;
  }
  throw new Error(`qdeploy ${name} ${argv.join(' ')}: parsed without an error`);
}

test('gflags forms: -flag=value, -flag value, --flag=value, --flag value', () => {
  for (const argv of [
    ['-infer_model=m', '-infer_data=d.bin', '-batch_size=4'],
    ['-infer_model', 'm', '-infer_data', 'd.bin', '-batch_size', '4'],
    ['--infer_model=m', '--infer_data=d.bin', '--batch_size=4'],
    ['--infer-model', 'm', '--infer_data', 'd.bin', '--batch-size', '4'],
  ]) {
    const a = parse('bench', argv);
    assert.is(a.str('infer_model'), 'm', argv.join(' '));
    assert.is(a.str('infer_data'), 'd.bin', argv.join(' '));
    assert.is(a.num('batch_size'), 4, argv.join(' '));
  }
  // a value that starts with '=' or contains '=' stays whole after the first '='
  assert.is(parse('bench', ['--infer_model=a=b']).str('infer_model'), 'a=b');
  // -h stays the short form of --help; -help is the long one
  assert.ok(parse('bench', ['-h']).bool('help'));
  assert.ok(parse('bench', ['-help']).bool('help'));
});

test('booleans: bare, =true/false/1/0/yes/no (any case), a following true/false word, and gflags --noflag', () => {
  const cases: [string[], boolean][] = [
    [['--use_analysis'], true], [['--use_analysis=true'], true], [['--use_analysis=false'], false],
    [['--use_analysis=1'], true], [['--use_analysis=0'], false], [['--use_analysis=yes'], true], [['--use_analysis=no'], false],
    [['--use_analysis=TRUE'], true], [['--use_analysis=False'], false], [['-use_analysis=false'], false],
    [['--use_analysis', 'false'], false], [['--use_analysis', 'true'], true], [['--nouse_analysis'], false],
    [['--with_accuracy_layer=true'], true], [['--with_accuracy_layer=false'], false], [[], false],
  ];
  for (const [argv, want] of cases) {
    const a = parse('bench', argv);
    const flag = argv[0]?.includes('accuracy') ? 'with_accuracy_layer' : 'use_analysis';
    assert.is(a.bool(flag), want, argv.join(' '));
    assert.equal(a.positionals, [], argv.join(' '));
  }
  // a bare boolean does not swallow a following positional
  assert.equal(parse('info', ['--json', 'model_dir']).positionals, ['model_dir']);
  assert.match(usageError('bench', ['--use_analysis=maybe']), /^bench: --use_analysis expects true or false \(or 1\/0, yes\/no\), got 'maybe'$/);
});

test('enum values are case-insensitive where unambiguous', () => {
  assert.is(parse('quantize', ['--algo', 'kl']).str('algo'), 'KL');
  assert.is(parse('quantize', ['--algo=HIST']).str('algo'), 'hist');
  assert.is(parse('demo', ['--algo', 'Avg']).str('algo'), 'avg');
  assert.is(parse('zoo', ['--algo', 'MSE']).str('algo'), 'mse');
  assert.is(parse('bench', ['--backend', 'WASM']).str('backend'), 'wasm');
  assert.is(parse('zoo', ['--model', 'MobileNet_V1']).str('model'), 'mobilenet_v1');
  assert.is(usageError('quantize', ['--algo', 'EMD']), 'quantize: unsupported --algo \'EMD\' (PaddleSlim\'s \'emd\' is not implemented in qdeploy); one of abs_max|avg|hist|KL|mse');
  assert.is(usageError('quantize', ['--algo', 'best']), 'quantize: --algo must be one of abs_max|avg|hist|KL|mse, got \'best\'');
  // two choices that differ only in case: the value must match one exactly
  const spec: CommandSpec = { name: 't', summary: '', usage: '', flags: { mode: { type: 'string', help: '', choices: ['a', 'A'] } }, run() {} };
  assert.is(parseCommandArgs(spec, ['--mode', 'A']).str('mode'), 'A');
  assert.throws(() => parseCommandArgs(spec, ['--mode', 'b']), /--mode must be one of a\|A, got 'b'/);
});

test('unknown flags: one line with did-you-mean', () => {
  assert.match(usageError('bench', ['--infer_modle', 'm']), /^bench: unknown flag --infer_modle; did you mean --infer_model\? \(see qdeploy bench --help\)$/);
  assert.match(usageError('compare', ['--fp32model', 'm']), /did you mean --fp32_model\?/);
  assert.match(usageError('quantize', ['-batchsize=4']), /unknown flag -batchsize; did you mean --batch_size\?/);
  assert.match(usageError('convert', ['--int8-model-save', 'x']), /did you mean --int8_model_save_path\?/);
  // nothing close: no guess
  const m = usageError('bench', ['--zzzz']);
  assert.match(m, /^bench: unknown flag --zzzz \(see qdeploy bench --help\)$/);
});

test('numbers: clear messages for negative, non-integer and missing values', () => {
  assert.is(usageError('bench', ['--batch_size', '-1']), 'bench: --batch_size must be a positive integer, got -1');
  assert.is(usageError('bench', ['--batch_size=0']), 'bench: --batch_size must be a positive integer, got 0');
  assert.is(usageError('bench', ['--batch_size', '2.5']), 'bench: --batch_size expects an integer, got \'2.5\'');
  assert.is(usageError('bench', ['--batch_size', 'ten']), 'bench: --batch_size expects an integer, got \'ten\'');
  assert.is(usageError('bench', ['--batch_size']), 'bench: --batch_size needs a value');
  assert.is(usageError('bench', ['--batch_size', '--use_analysis']), 'bench: --batch_size needs a value (got the flag --use_analysis)');
  assert.is(usageError('bench', ['--iterations', '-3']), 'bench: --iterations must be >= 0, got -3');
  assert.is(usageError('quantize', ['--batch_nums', '0']), 'quantize: --batch_nums must be a positive integer, got 0');
  assert.is(usageError('run', ['--top_k', '-1']), 'run: --top_k must be >= 0, got -1');
  assert.is(usageError('compare', ['--acc_diff_threshold', '-0.5']), 'compare: --acc_diff_threshold must be >= 0, got -0.5');
  assert.is(usageError('compare', ['--acc_diff_threshold', 'x']), 'compare: --acc_diff_threshold expects a number, got \'x\'');
  // a negative value where one is allowed is a value, not a flag
  assert.is(parse('zoo', ['--seed', '-7']).num('seed'), -7);
});

/** the parts of a flag that give it its meaning (defaults may differ: Paddle's tools differ there too) */
const meaning = (f: FlagSpec) => JSON.stringify({ type: f.type, min: f.min, choices: f.choices, aliasOf: f.aliasOf });

test('a flag shared by commands means the same in each', () => {
  const seen = new Map<string, { cmd: string; m: string }>();
  const clashes: string[] = [];
  for (const c of commands) {
    for (const [name, f] of Object.entries(c.flags)) {
      const m = meaning(f);
      const prev = seen.get(name);
      if (!prev) seen.set(name, { cmd: c.name, m });
      else if (prev.m !== m) clashes.push(`--${name}: ${prev.cmd} ${prev.m} vs ${c.name} ${m}`);
    }
  }
  assert.equal(clashes, []);
  // sample_tester's --warmup_iter wherever warm-up batches are run
  for (const name of ['bench', 'compare']) {
    const a = parse(name, ['--warmup_iter', '3']);
    assert.is(a.num('warmup'), 3, name);
    assert.is(parse(name, ['--warmup=2']).num('warmup'), 2, name);
  }
  // Paddle's tester flags accepted wherever a model is benchmarked
  for (const name of ['bench', 'compare']) {
    assert.is(parse(name, ['--use_analysis=false']).bool('use_analysis'), false, name);
    assert.is(parse(name, ['--with_accuracy_layer=false']).bool('with_accuracy_layer'), false, name);
  }
});

test('--num_threads 0 means all cores in every command that has it; more than the cores warns', () => {
  const cores = availableParallelism();
  const threaded = commands.filter((c) => c.flags.num_threads);
  assert.ok(threaded.length >= 5, threaded.map((c) => c.name).join(','));
  for (const c of threaded) {
    const a = parseCommandArgs(c, ['--num_threads', '0']);
    assert.is(a.num('num_threads'), cores, c.name);
    assert.equal(a.warnings, [], c.name);
    assert.throws(() => parseCommandArgs(c, ['--num_threads', '-1']), /--num_threads must be >= 0 \(0: all cores\), got -1/, c.name);
    const over = parseCommandArgs(c, ['--num_threads', String(cores + 1)]);
    assert.is(over.num('num_threads'), cores + 1, c.name);
    assert.equal(over.warnings, [`--num_threads ${cores + 1} is more than the ${cores} cores available; threads beyond the cores slow the run down`], c.name);
  }
});

test.run();
