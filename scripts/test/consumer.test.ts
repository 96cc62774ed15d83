/**
 * A new user, from outside the monorepo (issue 18): every published package packed with
 * `pnpm pack` (which runs each package's `prepack` check), the tarballs installed with plain `npm`
 * into an empty project, the root README's embedding example type-checked with `strict` against
 * the installed `.d.ts` files, compiled, run, and connected to with `openssl s_client`.
 *
 * Offline: the tarballs are local, and so are the `@noble/*` packages they depend on (packed with
 * `npm pack` from the copies `pnpm install` put in node_modules), so `npm install --offline` with
 * an empty cache of its own needs no registry. Only the README's text changes: port 8443 becomes 0.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir } from '@puretls/test-support/certs';
import { within } from '@puretls/test-support/net';
import { requireTool } from '@puretls/test-support/tools';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PUBLISHED = ['crypto', 'record-layer', 'handshake-state-machine', 'session-cache', 'session-store-redis', 'server'];
const NOBLE = ['hashes', 'curves', 'ciphers', 'post-quantum'];

let work: string;
const certs = new CertDir();
/** name → tarball path */
const tarballs = new Map<string, string>();

/** pnpm as the README runs it: the one running `pnpm test` (npm_execpath), else `pnpm` on PATH. */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  const [cmd, argv] = execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath, ...args]] : ['pnpm', args];
  return execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

function npm(args: string[], cwd: string, cache: string): string {
  const r = spawnSync('npm', [...args, '--cache', cache, '--no-audit', '--no-fund', '--no-update-notifier'], { cwd, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function packAll(): void {
  const out = join(work, 'tarballs');
  mkdirSync(out);
  for (const dir of PUBLISHED) {
    pnpm(['pack', '--pack-destination', out], join(ROOT, 'packages', dir));
  }
  // The noble packages the lockfile pinned, as `npm pack` tarballs of the installed copies.
  for (const name of NOBLE) {
    const installed = realpathSync(join(ROOT, 'packages', 'crypto', 'node_modules', '@noble', name));
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out, installed], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  }
  for (const f of readdirSync(out)) {
    const pkg = /^(puretls|noble)-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(f);
    if (pkg) tarballs.set(`@${pkg[1]}/${pkg[2]}`, join(out, f));
  }
}

/** A fresh project with `deps` (names) installed from the tarballs, offline. Returns its folder. */
function install(name: string, deps: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  const specs = deps.map((d) => {
    const t = tarballs.get(d);
    if (!t) throw new Error(`no tarball for ${d}`);
    return t;
  });
  npm(['install', '--offline', ...specs], dir, join(work, `npm-cache-${name}`));
  return dir;
}

/** Every package under node_modules (scoped ones as `@scope/name`). */
function installedPackages(dir: string): string[] {
  const nm = join(dir, 'node_modules');
  return readdirSync(nm)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(nm, n)).map((m) => `${n}/${m}`) : [n]))
    .sort();
}

/** The `ts` block of the root README's "## Embedding" section. */
function embeddingExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embedding'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('README.md: no ts block under "## Embedding"');
  return code;
}

beforeAll(() => {
  requireTool('openssl', ['version'], 'openssl');
  work = mkdtempSync(join(tmpdir(), 'puretls-consumer-'));
  packAll();
}, 300_000);
afterAll(() => {
  certs.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed with npm from outside the workspace', () => {
  it('every tarball: the published manifest has no workspace: range and no development condition; dist holds no build info', () => {
    for (const dir of PUBLISHED) {
      const name = `@puretls/${dir}`;
      const t = tarballs.get(name)!;
      expect(t, name).toBeDefined();
      const manifest = execFileSync('tar', ['-xzOf', t, 'package/package.json'], { encoding: 'utf8' });
      expect(manifest, name).not.toContain('workspace:');
      expect(manifest, name).not.toContain('"development"');
      const files = execFileSync('tar', ['-tzf', t], { encoding: 'utf8' }).trim().split('\n');
      expect(files.filter((f) => /tsbuildinfo/.test(f)), name).toEqual([]);
      expect(files, name).toContain('package/LICENSE');
      expect(files, name).toContain('package/dist/index.d.ts');
      expect(files.filter((f) => f.startsWith('package/test/')), name).toEqual([]);
    }
  });

  it('@puretls/server alone pulls only puretls and noble packages (no Redis client); the README example type-checks with strict, runs, and serves openssl s_client', async () => {
    // npm needs every local tarball named (they are not on a registry); the server's own
    // dependencies are exactly these, and session-store-redis is left out.
    const dir = install('embed', ['@puretls/server', '@puretls/crypto', '@puretls/record-layer', '@puretls/handshake-state-machine', '@puretls/session-cache', ...NOBLE.map((n) => `@noble/${n}`)]);
    const installed = installedPackages(dir);
    expect(installed.filter((p) => !p.startsWith('@puretls/') && !p.startsWith('@noble/'))).toEqual([]);
    expect(installed).not.toContain('@puretls/session-store-redis');
    expect(installed).toContain('@puretls/server');

    const cert = certs.make('p256');
    writeFileSync(join(dir, 'cert.pem'), cert.cert);
    writeFileSync(join(dir, 'key.pem'), cert.key);
    const example = embeddingExample();
    expect(example).toContain("from '@puretls/server/node'");
    expect(example).toContain('listen(8443');
    writeFileSync(join(dir, 'server.ts'), example.replace('listen(8443', 'listen(0'));
    // A consumer's strict configuration, resolving packages as Node does (exports, types condition).
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['server.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr, 'tsc').toBe('');
    expect(tsc.status).toBe(0);

    const server = spawn(process.execPath, [join(dir, 'out', 'server.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      server.stdout.on('data', (d: Buffer) => (out += d.toString()));
      server.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const port = await within(
        30_000,
        'the example printing its address',
        new Promise<number>((resolve, reject) => {
          server.stdout.on('data', () => {
            const m = /port: (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          server.on('exit', (code) => reject(new Error(`the example exited (${code}):\n${out}`)));
        }),
      );
      for (const version of ['-tls1_3', '-tls1_2']) {
        const client = await within(
          30_000,
          `openssl s_client ${version}`,
          new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
            const c = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', version, '-ign_eof', '-quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            c.on('error', reject);
            c.on('close', (code) => resolve({ code, stdout }));
          }),
        );
        expect(client.stdout).toMatch(version === '-tls1_3' ? /^hello over TLSv1\.3 \(TLS_AES_\S+\)\n$/ : /^hello over TLSv1\.2 \(ECDHE-ECDSA-\S+\)\n$/);
      }
      expect(out).toContain('new session');
    } finally {
      server.kill();
    }

    // The CLI's own bin entry, installed by npm; without the Redis package, `--session-store
    // redis://` is refused (exit 2) naming the package to add.
    const bin = join(dir, 'node_modules', '.bin', 'puretls');
    const version = spawnSync(bin, ['--version'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toContain('0.1.0');
    const redis = spawnSync(bin, ['serve', '--port', '0', '--session-store', 'redis://127.0.0.1:6379'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(redis.status, redis.stderr).toBe(2);
    expect(redis.stderr).toContain('the package @puretls/session-store-redis is not installed');
    expect(redis.stderr).toContain('npm install @puretls/session-store-redis');
  }, 300_000);

  it('the Redis client comes only with @puretls/session-store-redis (a caret range), an optional peer of the server; noble ranges are carets', () => {
    const manifest = (name: string) => JSON.parse(execFileSync('tar', ['-xzOf', tarballs.get(name)!, 'package/package.json'], { encoding: 'utf8' })) as Record<string, Record<string, unknown> | undefined>;
    const redis = manifest('@puretls/session-store-redis');
    expect(redis.dependencies?.ioredis).toMatch(/^\^6\./);
    const server = manifest('@puretls/server');
    expect(Object.keys(server.dependencies ?? {}).sort()).toEqual(['@puretls/crypto', '@puretls/handshake-state-machine', '@puretls/record-layer', '@puretls/session-cache']);
    expect(server.peerDependenciesMeta?.['@puretls/session-store-redis']).toEqual({ optional: true });
    const crypto = manifest('@puretls/crypto');
    for (const n of NOBLE) expect(crypto.dependencies?.[`@noble/${n}`], n).toMatch(/^\^/);
  });
});
