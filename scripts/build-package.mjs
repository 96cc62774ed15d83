#!/usr/bin/env node
// Builds the package in the current directory (each package's `build` script runs it):
//   1. esbuild: one ES module per public entry point, code shared between entries split into
//      `dist/chunks/` (one copy of each class, so `instanceof` holds across entries); dependencies
//      stay imports (`--packages=external`), `node:*` builtins too.
//   2. tsc -b: the `.d.ts` files and declaration maps into `dist/` (the build info lives in
//      `tsconfig.tsbuildinfo` next to package.json, never in `dist/`). The sources' relative imports
//      have no extension (`moduleResolution: bundler`); a consumer on `NodeNext` needs them, so each
//      relative specifier in the emitted `.d.ts` gets the `.js` (or `/index.js`) it resolves to.
// Entry points come from `publishConfig.exports` (what the tarball exports: `./dist/X.js` is built
// from `./src/X.ts`) plus `bin` targets listed in `puretls.extraEntries`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

/** `'./core/context'` → `'./core/context.js'`, `'./keys'` → `'./keys/index.js'` (what NodeNext resolves). */
function withExtension(file, spec) {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec;
  const base = join(dirname(file), spec);
  if (existsSync(`${base}.d.ts`)) return `${spec}.js`;
  if (existsSync(join(base, 'index.d.ts'))) return `${spec}/index.js`;
  throw new Error(`${file}: cannot resolve ${spec} among the emitted declarations`);
}
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
for (const file of walk(join(dir, 'dist')).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/(\bfrom\s*|\bimport\s*\(\s*|^import\s*)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\2/gm, (_m, lead, q, spec) => `${lead}${q}${withExtension(file, spec)}${q}`);
  if (fixed !== text) writeFileSync(file, fixed);
}
