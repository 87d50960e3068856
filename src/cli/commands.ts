// The command table: one file per command, listed here in the order `qdeploy --help` shows them.
import type { CommandSpec } from './args';
import { convertCommand } from './convert';

export const commands: CommandSpec[] = [convertCommand];
