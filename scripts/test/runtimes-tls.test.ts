/**
 * puretls serving TLS on Deno and Bun for real (issue 18): packages/test-support/runtimes/tls-server.ts
 * runs under each runtime (installed as root dev dependencies, offline once installed), listens
 * with the runtime's own sockets (`Deno.listen`, `Bun.listen`) through the Web Streams adapter
 * `accept()` of the runtime-neutral `@puretls/server`, and is driven by curl and `openssl
 * s_client`: TLS 1.3 and 1.2, and resumption of each (TLS 1.3 tickets, TLS 1.2 sessions), with
 * the pure-TypeScript noble provider and with the runtime's native `node:crypto` (Deno's and
 * Bun's own implementations). The time each provider's run took is printed, never asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { runTool, type ToolResult } from '@puretls/test-support/cli-process';
import { within } from '@puretls/test-support/net';
import { requireTool } from '@puretls/test-support/tools';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = join(ROOT, 'packages', 'test-support', 'runtimes', 'tls-server.ts');
const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

const RUNTIMES = [
  { name: 'deno', args: ['run', '--no-remote', '--sloppy-imports', '--conditions=development', '--allow-net=127.0.0.1', '--allow-env', SERVER] },
  { name: 'bun', args: ['--conditions=development', 'run', SERVER] },
] as const;
const PROVIDERS = ['noble', 'node'] as const;

interface Answer {
  runtime: string;
  provider: string;
  version: string;
  cipher: string;
  resumed: boolean;
  path: string;
}

const certs = new CertDir();
let cert: TestCert;
let dir: string;
beforeAll(() => {
  requireTool('openssl', ['version'], 'openssl');
  requireTool('curl', ['--version'], 'curl');
  cert = certs.make('p256');
  dir = mkdtempSync(join(tmpdir(), 'puretls-runtimes-'));
}, 60_000);
afterAll(() => {
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs curl or openssl with `input` on its stdin, bounded by 30 s. */
function run(cmd: string, args: string[], input = ''): Promise<ToolResult> {
  return runTool(cmd, args, { input, ms: 30_000 });
}

/** The JSON line of the server's HTTP answer. */
function answerOf(stdout: string): Answer {
  const line = stdout.split('\n').find((l) => l.startsWith('{"runtime"'));
  if (!line) throw new Error(`no answer in:\n${stdout}`);
  return JSON.parse(line) as Answer;
}

/** Ends a process started with `detached: true` and everything it started. */
function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function startServer(bin: string, args: readonly string[], provider: string): Promise<{ proc: ChildProcess; port: number; runtime: string }> {
  // Its own process group: node_modules/.bin/{deno,bun} are shims that start the runtime as a
  // child, so only killing the group ends the server.
  const proc = spawn(bin, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', PURETLS_CERT: cert.cert, PURETLS_KEY: cert.key, PURETLS_PROVIDER: provider },
  });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const first = await within(
    60_000,
    `${bin} listening`,
    new Promise<{ port: number; runtime: string }>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^\{"port".*$/m.exec(out);
        if (m) resolve(JSON.parse(m[0]) as { port: number; runtime: string });
      });
      proc.on('exit', (code) => reject(new Error(`${bin} exited (${code}):\n${out}`)));
    }),
  ).catch((e: unknown) => {
    killGroup(proc);
    throw e;
  });
  return { proc, ...first };
}

describe.each(RUNTIMES)('$name', ({ name, args }) => {
  const bin = join(ROOT, 'node_modules', '.bin', name);

  it.each(PROVIDERS)(`Web Streams accept() on the runtime's sockets, %s provider: curl and openssl s_client over TLS 1.3 and 1.2, with resumption`, async (provider) => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: \`pnpm install\` installs ${name} (a root dev dependency)`);
    const started = Date.now();
    const server = await startServer(bin, args, provider);
    try {
      expect(server.runtime).toBe(`${name} ${pinned[name]}`);
      const url = (path: string) => [`https://localhost:${server.port}${path}`, '--resolve', `localhost:${server.port}:127.0.0.1`, '--cacert', cert.certFile, '-sS'];

      const c13 = await run('curl', ['--tlsv1.3', ...url('/curl13')]);
      expect(c13.code, c13.stderr).toBe(0);
      expect(answerOf(c13.stdout)).toMatchObject({ runtime: server.runtime, provider, version: 'TLSv1.3', resumed: false, path: '/curl13' });
      const c12 = await run('curl', ['--tlsv1.2', '--tls-max', '1.2', ...url('/curl12')]);
      expect(c12.code, c12.stderr).toBe(0);
      expect(answerOf(c12.stdout)).toMatchObject({ provider, version: 'TLSv1.2', cipher: expect.stringMatching(/^TLS_ECDHE_ECDSA_WITH_/), resumed: false });

      for (const version of ['-tls1_3', '-tls1_2'] as const) {
        const sess = join(dir, `${name}-${provider}${version}.sess`);
        const request = `GET /s_client${version} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
        const base = ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', version, '-CAfile', cert.certFile, '-verify_return_error', '-ign_eof'];
        const full = await run('openssl', [...base, '-sess_out', sess], request);
        expect(full.code, full.stderr).toBe(0);
        expect(full.stdout).toMatch(/^New, TLSv1\.[23]/m);
        expect(answerOf(full.stdout)).toMatchObject({ version: version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2', resumed: false });
        const again = await run('openssl', [...base, '-sess_in', sess], request);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toMatch(/^Reused, TLSv1\.[23]/m);
        expect(answerOf(again.stdout)).toMatchObject({ version: version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2', resumed: true });
      }

      const quit = await run('curl', url('/quit'));
      expect(answerOf(quit.stdout).path).toBe('/quit');
      await within(
        15_000,
        `${name} exiting after /quit`,
        new Promise<void>((resolve) => (server.proc.exitCode !== null ? resolve() : server.proc.on('exit', () => resolve()))),
      );
      console.log(`${name} ${provider}: start, 2 curl, 4 s_client, quit in ${Date.now() - started} ms`);
    } finally {
      killGroup(server.proc);
    }
  }, 180_000);
});
