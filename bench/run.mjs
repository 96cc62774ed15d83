#!/usr/bin/env node
// Runs benchmark suites: `pnpm bench [suite ...] [--quick]`. Each suite is `bench/<suite>/index.ts`;
// it is bundled with esbuild (workspace packages from their TypeScript sources, everything else
// external) into bench/.out/ and run in a fresh Node process with --expose-gc.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
let suites = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(here).filter((d) => statSync(join(here, d)).isDirectory() && existsSync(join(here, d, 'index.ts')));
if (suites.length === 0) suites = all;
for (const s of suites) {
  if (!all.includes(s)) {
    console.error(`unknown suite ${s}; known: ${all.join(', ')}`);
    process.exit(2);
  }
}
let failed = 0;
for (const suite of suites) {
  const outfile = join(here, '.out', `${suite}.mjs`);
  await build({
    entryPoints: [join(here, suite, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    conditions: ['development'],
    external: ['lru-cache', 'ioredis'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  console.log(`\n=== bench ${suite} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
