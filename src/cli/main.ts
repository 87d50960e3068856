// qdeploy's entry point: dispatch to one file per command; print errors as one line.
import { QdeployError } from '../util/errors';
import { helpText, parseCommandArgs, type CommandSpec } from './args';
import { commands } from './commands';

function topHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'qdeploy — PaddlePaddle FP32 → INT8 on CPU, without Python or Paddle',
    '',
    'usage: qdeploy <command> [flags]     (qdeploy <command> --help for its flags)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name ? 0 : 2;
  }
  if (name === '--version') { process.stdout.write('qdeploy 0.1.0\n'); return 0; }
  const cmd: CommandSpec | undefined = commands.find((c) => c.name === name);
  try {
    if (!cmd) throw new QdeployError('usage', `unknown command '${name}' (see qdeploy --help)`);
    const args = parseCommandArgs(cmd, argv.slice(1));
    if (args.bool('help')) { process.stdout.write(helpText(cmd)); return 0; }
    const rc = await cmd.run(args);
    return typeof rc === 'number' ? rc : 0;
  } catch (e) {
    if (e instanceof QdeployError) {
      process.stderr.write(`qdeploy: error: ${e.message}\n`);
      if (verbose && e.stack) process.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`qdeploy: error: internal: ${err?.message ?? String(e)}${verbose ? '' : ' (run with --verbose for the stack)'}\n`);
    if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
    return 1;
  }
}

// EPIPE (e.g. `qdeploy info m | head`) is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });

main(process.argv.slice(2)).then(
  (rc) => { process.exitCode = rc; },
  (e) => { process.stderr.write(`qdeploy: error: internal: ${(e as Error).message}\n`); process.exitCode = 1; },
);
