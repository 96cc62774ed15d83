#!/usr/bin/env node
// Builds the package in the current directory (each package's `build` script runs it):
//   1. esbuild: one ES module per public entry point, code shared between entries split into
//      `dist/chunks/` (one copy of each class, so `instanceof` holds across entries); dependencies
//      stay imports (`--packages=external`), `node:*` builtins too.
//   2. tsc -b: the `.d.ts` files and declaration maps into `dist/` (the build info lives in
//      `tsconfig.tsbuildinfo` next to package.json, never in `dist/`).
// Entry points come from `publishConfig.exports` (what the tarball exports: `./dist/X.js` is built
// from `./src/X.ts`) plus `bin` targets listed in `puretls.extraEntries`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const exportsMap = pkg.publishConfig?.exports;
if (!exportsMap) throw new Error(`${pkg.name}: package.json has no publishConfig.exports`);

/** `./dist/node.js` → `node` (the entry's name, `src/node.ts` its source). */
const entryName = (target) => {
  const m = /^\.\/dist\/(.+)\.js$/.exec(target);
  if (!m) throw new Error(`${pkg.name}: export target ${target} is not ./dist/<name>.js`);
  return m[1];
};
const names = new Set();
for (const [sub, conds] of Object.entries(exportsMap)) {
  if (sub === './package.json') continue;
  names.add(entryName(conds.default));
}
for (const extra of pkg.puretls?.extraEntries ?? []) names.add(extra);

const entryPoints = [...names].map((name) => ({ in: join(dir, 'src', `${name}.ts`), out: name }));
for (const e of entryPoints) if (!existsSync(e.in)) throw new Error(`${pkg.name}: entry ${e.in} is missing`);

rmSync(join(dir, 'dist'), { recursive: true, force: true });
rmSync(join(dir, 'tsconfig.tsbuildinfo'), { force: true });
await build({
  entryPoints,
  outdir: join(dir, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  external: ['node:*'],
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
for (const name of names) {
  const dts = join(dir, 'dist', `${name}.d.ts`);
  if (!existsSync(dts)) throw new Error(`${pkg.name}: tsc did not emit ${dts}`);
}
