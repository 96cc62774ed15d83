/**
 * `examples/README.md`'s commands, run as written: the esbuild line from the repository root, the
 * bundle with a certificate, key and port, the two curl requests. Only the paths change: the
 * bundle goes to a temp folder, `cert.pem key.pem 8443` become this test's files and port 0, and
 * the curl URLs get the port the example printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { requireTool } from '@puretls/test-support/tools';
import { within } from '@puretls/test-support/net';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
const README = join(HERE, '..', 'examples', 'README.md');
const certs = new CertDir();
let cert: TestCert;
let dir: string;

beforeAll(() => {
  requireTool('curl', ['--version'], 'curl');
  cert = certs.make('p256');
  dir = mkdtempSync(join(tmpdir(), 'puretls-example-'));
}, 60_000);
afterAll(() => {
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The README's `sh` block as commands (backslash continuations joined). */
function readmeCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
  if (block === undefined) throw new Error('examples/README.md has no sh block');
  return block.replace(/\\\n\s*/g, '').trim().split('\n');
}

function sh(command: string, cwd: string, ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return within(
    ms,
    command,
    new Promise((resolve, reject) => {
      const p = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    }),
  );
}

describe('examples/README.md', () => {
  it('build, run, and the two requests work as documented', async () => {
    const [build, run, requests, ...rest] = readmeCommands();
    expect(rest).toEqual([]);
    expect(build).toMatch(/^npx esbuild packages\/server\/examples\/https-compat\.ts /);
    const bundle = join(dir, 'https-compat.mjs');
    const built = await sh(build!.replaceAll('/tmp/https-compat.mjs', bundle), REPO, 120_000);
    expect(built.code, built.stderr).toBe(0);

    const args = run!.replace('/tmp/https-compat.mjs', bundle).replace('cert.pem key.pem 8443', `${cert.certFile} ${cert.keyFile} 0`);
    const server = spawn('sh', ['-c', `exec ${args}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await within(
        20_000,
        'the example listening',
        new Promise<string>((resolve, reject) => {
          let out = '';
          server.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /listening on https:\/\/localhost:(\d+)\//.exec(out);
            if (m) resolve(m[1]!);
          });
          server.on('close', (code) => reject(new Error(`the example exited (${code})`)));
        }),
      );
      const got = await sh(requests!.replaceAll('localhost:8443', `localhost:${port}`), dir);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toBe('hello over TLSv1.3\nhi');
    } finally {
      server.kill();
    }
  }, 180_000);
});
