// qdeploy's entry point: dispatch to one file per command; print errors as one line.
import { QdeployError } from '../util/errors';
import { fsErrorPath, userFsError } from '../util/fs_errors';
import { didYouMean, helpText, parseCommandArgs, type CommandSpec } from './args';
import { commands } from './commands';

function topHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'qdeploy — PaddlePaddle FP32 → INT8 on CPU, without Python or Paddle',
    '',
    'usage: qdeploy <command> [flags]     (qdeploy help <command> or qdeploy <command> --help for its flags)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
  ].join('\n');
}

/** --verbose in any spelling the parser takes (read before parsing, so that parse errors honour it too) */
const isVerbose = (argv: string[]) => argv.some((a) => /^--?verbose(=(1|t|true|y|yes))?$/i.test(a));

function findCommand(name: string): CommandSpec {
  const cmd = commands.find((c) => c.name === name);
  if (cmd) return cmd;
  const guess = didYouMean(name, commands.map((c) => c.name));
  throw new QdeployError('usage', `unknown command '${name}'${guess ? `; did you mean ${guess}?` : ''} (see qdeploy --help)`);
}

async function main(argv: string[]): Promise<number> {
  const verbose = isVerbose(argv);
  const name = argv[0];
  try {
    if (!name || name === '--help' || name === '-h' || name === '-help') {
      process.stdout.write(topHelp());
      return name ? 0 : 2;
    }
    // `qdeploy help bench` = `qdeploy bench --help`
    if (name === 'help') {
      process.stdout.write(argv[1] ? helpText(findCommand(argv[1])) : topHelp());
      return 0;
    }
    if (name === '--version' || name === '-version') { process.stdout.write('qdeploy 0.1.0\n'); return 0; }
    const cmd = findCommand(name);
    const args = parseCommandArgs(cmd, argv.slice(1));
    if (args.bool('help')) { process.stdout.write(helpText(cmd)); return 0; }
    for (const w of args.warnings) process.stderr.write(`qdeploy: warning: ${w}\n`);
    const rc = await cmd.run(args);
    return typeof rc === 'number' ? rc : 0;
  } catch (e) {
    return report(e, verbose);
  }
}

/** one line on stderr; the exit code */
function report(e: unknown, verbose: boolean): number {
  // a file or dir the user named that cannot be read or written is theirs to fix, wherever it was caught
  const fsErr = e instanceof QdeployError ? undefined : userFsError(e, `cannot use ${fsErrorPath(e) ?? 'a file'}`);
  const err = fsErr ?? e;
  if (err instanceof QdeployError) {
    process.stderr.write(`qdeploy: error: ${err.message}\n`);
    if (verbose && (e as Error).stack) process.stderr.write((e as Error).stack + '\n');
    return err.exitCode;
  }
  const x = e as Error;
  process.stderr.write(`qdeploy: error: internal: ${x?.message ?? String(e)}${verbose ? '' : ' (run with --verbose for the stack)'}\n`);
  if (verbose && x?.stack) process.stderr.write(x.stack + '\n');
  return 1;
}

// EPIPE (e.g. `qdeploy info m | head`) is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });

main(process.argv.slice(2)).then(
  (rc) => { process.exitCode = rc; },
  (e) => { process.exitCode = report(e, isVerbose(process.argv)); },
);
