/** Which external clients are installed (interop tests skip the others). */
import { spawnSync } from 'node:child_process';

export function hasTool(cmd: string, args: string[] = ['version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

export const HAS_OPENSSL = hasTool('openssl');
export const HAS_CURL = hasTool('curl', ['--version']);
