// The command table: one file per command, listed here in the order `qdeploy --help` shows them.
import type { CommandSpec } from './args';

export const commands: CommandSpec[] = [];
