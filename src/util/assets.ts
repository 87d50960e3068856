// Where the third-party test assets live: QDEPLOY_ASSETS, default ../shared/assets from the project root.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function assetsDir(): string | undefined {
  const fromEnv = process.env.QDEPLOY_ASSETS;
  const candidates = fromEnv ? [fromEnv] : [resolve(process.cwd(), '..', 'shared', 'assets')];
  for (const c of candidates) if (existsSync(join(c, 'README.md')) || existsSync(join(c, 'models'))) return resolve(c);
  return undefined;
}
