/**
 * `node --tls-keylog=FILE` (and in `NODE_OPTIONS`): a process runs a server — Node's
 * `tls.createServer` or puretls's `createServer`, from source — and a Node client; Node's client
 * logs its keys to FILE itself, so with a server that honours the flag each line is there twice
 * (client and server), the file is mode 0600, and the insecurity warning is given (puretls's
 * once for its sockets, besides Node's own once for Node's sockets).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { within } from '@puretls/test-support/net';

const SERVER_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'node.ts');
const certs = new CertDir();
let p256: TestCert;
let dir: string;
let script: string;

const ENTRY = `
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { createServer } from ${JSON.stringify(SERVER_SRC)};
const [impl, keyFile, certFile] = process.argv.slice(2);
const make = impl === 'node' ? tls.createServer : createServer;
const server = make({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (s) => s.end('hello'));
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ host: '127.0.0.1', port: server.address().port, rejectUnauthorized: false });
  c.on('data', () => {});
  c.on('close', () => setTimeout(() => server.close(() => process.exit(0)), 100));
});
`;

beforeAll(async () => {
  p256 = certs.make('p256');
  dir = mkdtempSync(join(tmpdir(), 'puretls-keylog-'));
  writeFileSync(join(dir, 'entry.ts'), ENTRY);
  script = join(dir, 'entry.mjs');
  await build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['development'], outfile: script, logLevel: 'warning', banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" } });
}, 60_000);
afterAll(() => {
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function run(impl: 'node' | 'puretls', how: 'argv' | 'NODE_OPTIONS', file: string): Promise<{ code: number | null; stderr: string }> {
  const args = how === 'argv' ? [`--tls-keylog=${file}`, script] : [script];
  const env = how === 'NODE_OPTIONS' ? { ...process.env, NODE_OPTIONS: `--tls-keylog=${file}` } : { ...process.env, NODE_OPTIONS: '' };
  return within(
    20_000,
    `${impl} process`,
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [...args, impl, p256.keyFile, p256.certFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stderr }));
    }),
  );
}

/** How each key log line of FILE is counted, plus the file's mode and the warnings. */
async function observe(impl: 'node' | 'puretls', how: 'argv' | 'NODE_OPTIONS') {
  const file = join(dir, `${impl}-${how}.log`);
  const { code, stderr } = await run(impl, how, file);
  const lines = readFileSync(file, 'latin1').trim().split('\n');
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return {
    code,
    labels: [...new Set(lines.map((l) => l.split(' ')[0]))].sort(),
    everyLineTwice: [...counts.values()].every((n) => n === 2),
    mode: (statSync(file).mode & 0o777).toString(8),
    warnings: (stderr.match(/Using --tls-keylog makes TLS connections insecure/g) ?? []).length,
  };
}

describe('--tls-keylog', () => {
  it.each(['argv', 'NODE_OPTIONS'] as const)('%s: the same file as with Node\u2019s server', async (how) => {
    const node = await observe('node', how);
    const puretls = await observe('puretls', how);
    expect({ ...puretls, warnings: undefined }).toEqual({ ...node, warnings: undefined });
    expect(node).toMatchObject({ code: 0, everyLineTwice: true, mode: '600', warnings: 1 });
    // Node warns once per process for its own sockets (here: the client); puretls once for its own.
    expect(puretls.warnings).toBe(2);
  }, 60_000);
});
