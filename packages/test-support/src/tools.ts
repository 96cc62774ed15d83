/** Whether an external client is installed (set-up code installs what is missing; tests never skip). */
import { spawnSync } from 'node:child_process';

export function hasTool(cmd: string, args: string[] = ['version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

