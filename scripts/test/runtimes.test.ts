/**
 * Deno and Bun (issue 18), installed as root dev dependencies (`deno`, `bun` on the npm registry:
 * their platform binaries come as optional dependencies, unpacked by their postinstall scripts,
 * allowed in `pnpm.onlyBuiltDependencies`). Once installed they run offline. Each runs
 * packages/test-support/runtimes/crypto-smoke.ts straight from source — `@puretls/crypto` through
 * its `development` export condition, Deno with `--sloppy-imports` for the extensionless relative
 * imports — and the SHA-256 and AES-128-GCM results of the noble provider must equal Node's.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SMOKE = join(ROOT, 'packages', 'test-support', 'runtimes', 'crypto-smoke.ts');
const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

interface Smoke {
  runtime: string;
  resolved: string;
  provider: string;
  message: string;
  sha256: string;
  key: string;
  nonce: string;
  aad: string;
  sealed: string;
  opened: string | null;
  tamperedOpens: boolean;
}

const RUNTIMES = [
  { name: 'deno', args: ['run', '--no-remote', '--sloppy-imports', '--conditions=development', SMOKE] },
  { name: 'bun', args: ['--conditions=development', 'run', SMOKE] },
] as const;

describe.each(RUNTIMES)('$name', ({ name, args }) => {
  it(`runs @puretls/crypto from source: noble SHA-256 and AES-128-GCM equal Node's`, () => {
    const bin = join(ROOT, 'node_modules', '.bin', name);
    if (!existsSync(bin)) throw new Error(`${bin} is missing: \`pnpm install\` installs ${name} (a root dev dependency)`);
    const r = spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' } });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Smoke;
    expect(out.runtime).toBe(`${name} ${pinned[name]}`);
    expect(out.resolved).toMatch(/\/packages\/crypto\/src\/index\.ts$/);
    expect(out.provider).toBe('noble');
    const message = Buffer.from(out.message, 'hex');
    expect(message.length).toBeGreaterThan(0);
    expect(out.sha256).toBe(createHash('sha256').update(message).digest('hex'));
    const gcm = createCipheriv('aes-128-gcm', Buffer.from(out.key, 'hex'), Buffer.from(out.nonce, 'hex')).setAAD(Buffer.from(out.aad, 'hex'));
    const expected = Buffer.concat([gcm.update(message), gcm.final(), gcm.getAuthTag()]).toString('hex');
    expect(out.sealed).toBe(expected);
    expect(out.opened).toBe(out.message);
    expect(out.tamperedOpens).toBe(false);
  }, 90_000);
});
