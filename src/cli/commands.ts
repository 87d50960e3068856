// The command table: one file per command, listed here in the order `qdeploy --help` shows them.
import type { CommandSpec } from './args';
import { convertCommand } from './convert';
import { quantizeCommand } from './quantize';
import { infoCommand } from './info';
import { runCommand } from './run';
import { saveCommand } from './save';
import { dotCommand } from './dot';
import { benchCommand } from './bench';
import { zooCommand } from './zoo';
import { compareCommand } from './compare';
import { demoCommand } from './demo';
import { preprocessCommand } from './preprocess';

export const commands: CommandSpec[] = [infoCommand, runCommand, quantizeCommand, convertCommand, benchCommand, compareCommand, zooCommand, saveCommand, dotCommand, preprocessCommand, demoCommand];
