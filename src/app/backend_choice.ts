// The backend a job runs on: `--backend auto|reference|wasm|native` and a thread count → the backend, what it
// reports about itself, and why it was chosen (the line every command prints).
import { selectBackend, type BackendChoiceName } from '../backends/select';
import type { Backend, BackendInfo } from '../runtime/backend';
import { fail } from '../util/errors';

export const BACKEND_CHOICES = ['auto', 'reference', 'wasm', 'native'] as const;

export interface BackendChoice {
  backend: Backend;
  /** placement order for compile() (select.ts): `backend` first */
  backends: Backend[];
  info: BackendInfo;
  /** why this backend (auto's reason) */
  note: string;
}

export function chooseBackend(name: string, threads: number): BackendChoice {
  if (!Number.isInteger(threads) || threads < 1) fail('usage', `--num_threads must be a positive integer, got ${threads}`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(name)) fail('usage', `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${name}`);
  const { backend, backends, reason } = selectBackend(name as BackendChoiceName, { threads });
  return { backend, backends, info: backend.info(), note: reason };
}

export const backendLine = (c: BackendChoice): string =>
  `backend: ${c.info.name}, ISA: ${c.info.isa}, threads: ${c.info.threads}${c.note && c.note !== c.info.name ? ` (${c.note})` : ''}`;
