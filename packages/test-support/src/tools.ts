/**
 * External clients the tests drive. The project's set-up script installs them (`scripts/setup.sh`,
 * run by `pnpm test` and `.ci/run`); tests never install anything and never skip: a missing tool
 * fails the test with the command that installs it.
 */
import { spawnSync } from 'node:child_process';

/** The command that installs every tool the tests need. */
export const SETUP_COMMAND = 'scripts/setup.sh';

/** Whether `cmd args…` runs and exits 0 (bounded to 10 s). */
export function hasTool(cmd: string, args: string[] = ['version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/**
 * Throws unless `cmd args…` runs: the message names the tool, the Debian package that has it and
 * the set-up command. Call it first in a file's `beforeAll` (or set-up helper).
 */
export function requireTool(cmd: string, args: string[], debianPackage: string): void {
  if (hasTool(cmd, args)) return;
  throw new Error(`\`${cmd} ${args.join(' ')}\` does not run: ${cmd} is not installed. Run the project's set-up, \`${SETUP_COMMAND}\` (pnpm test runs it), which installs the Debian package ${debianPackage}.`);
}
