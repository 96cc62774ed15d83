/**
 * The root README's Deno and Bun examples ("#### Deno", "#### Bun"), run as written by the runtimes
 * the lockfile installs: only the port changes (8443 → 0; each prints the one it got). Each serves
 * curl over TLS 1.3 and 1.2 with a certificate made by openssl. The script sits in `.vitest-cache/`
 * inside the workspace so that its bare `@puretls/server` resolves through the root node_modules,
 * as in a project that added the package.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { runTool, type ToolResult } from '@puretls/test-support/cli-process';
import { within } from '@puretls/test-support/net';
import { requireTool } from '@puretls/test-support/tools';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const certs = new CertDir();
let cert: TestCert;
let dir: string;

beforeAll(() => {
  requireTool('curl', ['--version'], 'curl');
  cert = certs.make('p256');
  mkdirSync(join(ROOT, '.vitest-cache'), { recursive: true });
  dir = mkdtempSync(join(ROOT, '.vitest-cache', 'readme-runtimes-'));
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.key);
}, 60_000);
afterAll(() => {
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The `ts` block under the README heading `#### <heading>`. */
function example(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`#### ${heading}\n`);
  if (at < 0) throw new Error(`README.md has no "#### ${heading}"`);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  if (code === undefined) throw new Error(`README.md: no ts block under "#### ${heading}"`);
  return code;
}

/** Runs curl, bounded by 30 s. */
function curl(args: string[]): Promise<ToolResult> {
  return runTool('curl', args, { ms: 30_000 });
}

const RUNTIMES = [
  { heading: 'Deno', name: 'deno', args: (file: string) => ['run', '--no-remote', '--allow-net', '--allow-read', file], greeting: 'hello from Deno' },
  { heading: 'Bun', name: 'bun', args: (file: string) => ['run', file], greeting: 'hello from Bun' },
] as const;

describe.each(RUNTIMES)('README: $heading', ({ heading, name, args, greeting }) => {
  it('the example runs as written and serves curl over TLS 1.3 and 1.2', async () => {
    const bin = join(ROOT, 'node_modules', '.bin', name);
    if (!existsSync(bin)) throw new Error(`${bin} is missing: \`pnpm install\` installs ${name} (a root dev dependency)`);
    const code = example(heading);
    expect(code).toContain('port: 8443');
    const file = join(dir, `${name}-server.ts`);
    writeFileSync(file, code.replace('port: 8443', 'port: 0'));
    // Its own process group: node_modules/.bin/{deno,bun} are shims that start the runtime as a
    // child, so only killing the group ends the server.
    const proc = spawn(bin, args(file), { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' } });
    try {
      let out = '';
      proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const port = await within(
        60_000,
        `${name} listening`,
        new Promise<number>((resolve, reject) => {
          proc.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /listening on port (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          proc.on('exit', (c) => reject(new Error(`${name} exited (${c}):\n${out}`)));
        }),
      );
      const base = [`https://localhost:${port}/`, '--resolve', `localhost:${port}:127.0.0.1`, '--cacert', cert.certFile, '-sS'];
      const v13 = await curl(['--tlsv1.3', ...base]);
      expect(v13.code, v13.stderr).toBe(0);
      expect(v13.stdout).toBe(`${greeting} over TLS 1.3\n`);
      const v12 = await curl(['--tlsv1.2', '--tls-max', '1.2', ...base]);
      expect(v12.code, v12.stderr).toBe(0);
      expect(v12.stdout).toBe(`${greeting} over TLS 1.2\n`);
    } finally {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 120_000);
});
