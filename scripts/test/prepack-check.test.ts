/**
 * scripts/prepack-check.mjs, the `prepack` of every published package: a package it accepts, and
 * one breach of each kind it must refuse (named in its output, exit 1).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'prepack-check.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const GOOD = {
  name: '@puretls/example',
  version: '1.0.0',
  description: 'x',
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/puretls/puretls.git' },
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.19' },
  exports: { '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
  files: ['dist'],
  dependencies: { '@puretls/crypto': 'workspace:^', '@noble/hashes': '^2.4.0' },
  publishConfig: { exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } },
};

/** Runs the check on a package made of GOOD's files, overridden by `files` (`null`: left out). */
function check(pkg: object, files: Record<string, string | null> = {}, agent = 'pnpm/10.34.9 npm/? node/v20'): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-prepack-'));
  dirs.push(dir);
  const all = { 'package.json': JSON.stringify(pkg), LICENSE: 'MIT', 'README.md': '# x', 'dist/index.js': 'export {};', 'dist/index.d.ts': "export * from './a.js';", 'dist/a.d.ts': 'export {};', ...files };
  for (const [name, text] of Object.entries(all)) {
    if (text === null) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, npm_config_user_agent: agent } });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('prepack check', () => {
  it('accepts a built package whose published manifest is clean', () => {
    const r = check(GOOD);
    expect(r.out).toContain('prepack @puretls/example: ok');
    expect(r.code).toBe(0);
  });

  it('refuses to be packed by npm, which would ship the workspace manifest', () => {
    const r = check(GOOD, {}, 'npm/11.19.1 node/v20.20.2 linux x64');
    expect(r.out).toContain('packed by npm/11.19.1: pack and publish with pnpm');
    expect(r.code).toBe(1);
  });

  it.each([
    ['a development condition in the published exports', { ...GOOD, publishConfig: { exports: { '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } } } }, {}, 'carry a "development" condition'],
    ['workspace: where pnpm copies it verbatim', { ...GOOD, publishConfig: { ...GOOD.publishConfig, tag: 'workspace:*' } }, {}, 'publishConfig.tag: "workspace:*" would survive packing'],
    ['an exact pin of a shared library', { ...GOOD, dependencies: { '@noble/hashes': '2.4.0' } }, {}, 'dependencies.@noble/hashes: exact pin 2.4.0'],
    ['a missing build', GOOD, { 'dist/index.d.ts': null }, 'dist/index.d.ts is missing'],
    ['build info in dist/', GOOD, { 'dist/.tsbuildinfo': '{}' }, 'dist/ holds dist/.tsbuildinfo'],
    ['a declaration whose relative import has no extension', GOOD, { 'dist/index.d.ts': "export * from './a';" }, "'./a' has no .js extension"],
    ['no repository', { ...GOOD, repository: undefined }, {}, 'package.json has no "repository"'],
    ['a main field', { ...GOOD, main: './dist/index.js' }, {}, 'ESM with "exports" only'],
  ] as const)('refuses %s', (_what, pkg, files, message) => {
    const r = check(pkg, files);
    expect(r.out).toContain(message);
    expect(r.code).toBe(1);
  });
});
