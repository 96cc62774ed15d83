#!/usr/bin/env node
// `prepack` of every published package: refuses to pack a package that would not install or
// would ship the wrong files. Run in the package's directory (pnpm runs it before `pnpm pack` and
// `pnpm publish`). Exit 1 listing every problem.
//   - the build is there: every `publishConfig.exports` target (`.js` and `.d.ts`) exists, and
//     `dist/` holds only `.js`, `.d.ts` and `.d.ts.map` files (no build info, no stray output), the
//     declarations' relative specifiers carry `.js` (what `NodeNext` consumers need);
//   - the published exports carry no `development` condition and point only into `dist/`;
//   - `workspace:` survives only where pnpm replaces it (dependencies, peer and optional
//     dependencies), never in a field pnpm copies verbatim;
//   - description, repository, license, engines, sideEffects, files, LICENSE and README are there;
//   - it runs under pnpm (npm would pack the workspace manifest as is).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = process.argv[2] ?? process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

for (const field of ['description', 'repository', 'license', 'engines', 'files']) if (pkg[field] === undefined) problems.push(`package.json has no "${field}"`);
if (pkg.sideEffects !== false) problems.push('package.json: "sideEffects" must be false');
if (pkg.type !== 'module') problems.push('package.json: "type" must be "module"');
if (pkg.main !== undefined || pkg.module !== undefined) problems.push('package.json: ESM with "exports" only (no "main"/"module")');
if (!existsSync(join(dir, 'LICENSE'))) problems.push('LICENSE is missing');
if (!existsSync(join(dir, 'README.md'))) problems.push('README.md is missing');

const published = pkg.publishConfig?.exports;
if (!published) problems.push('package.json has no publishConfig.exports');
for (const [sub, target] of Object.entries(published ?? {})) {
  if (sub === './package.json') continue;
  if (typeof target !== 'object' || target === null) { problems.push(`export ${sub}: expected { types, default }`); continue; }
  if ('development' in target) problems.push(`export ${sub}: the published exports carry a "development" condition`);
  for (const [cond, file] of Object.entries(target)) {
    if (!String(file).startsWith('./dist/')) problems.push(`export ${sub} (${cond}): ${file} is not in dist/`);
    else if (!existsSync(join(dir, file))) problems.push(`export ${sub} (${cond}): ${file} is missing (run \`pnpm build\`)`);
  }
}

const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
if (existsSync(join(dir, 'dist'))) {
  for (const f of walk(join(dir, 'dist'))) {
    if (!/\.(js|d\.ts|d\.ts\.map)$/.test(f)) problems.push(`dist/ holds ${relative(dir, f)} (only .js, .d.ts, .d.ts.map belong there)`);
    // A NodeNext consumer resolves only relative specifiers with their extension (the build adds them;
    // a later plain `tsc -b` would emit them again without).
    else if (f.endsWith('.d.ts')) {
      const bare = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;
      for (const m of readFileSync(f, 'utf8').matchAll(bare)) if (!/\.js$/.test(m[1])) problems.push(`${relative(dir, f)}: '${m[1]}' has no .js extension (run \`pnpm build\`)`);
    }
  }
} else problems.push('dist/ is missing (run `pnpm build`)');

// pnpm rewrites `workspace:` in these fields when it packs; anywhere else it would survive.
const REWRITTEN = new Set(['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']);
const visit = (value, path) => {
  if (typeof value === 'string') { if (value.startsWith('workspace:') && !REWRITTEN.has(path[0])) problems.push(`${path.join('.')}: "${value}" would survive packing`); }
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
};
visit(pkg, []);
for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
  if (!name.startsWith('@puretls/') && /^\d/.test(String(range))) problems.push(`dependencies.${name}: exact pin ${range} (use a caret range; the lockfile pins ours)`);
}

// Only pnpm applies publishConfig.exports and replaces workspace: ranges; npm would pack both as is.
const agent = process.env.npm_config_user_agent ?? '';
if (agent && !agent.startsWith('pnpm/')) problems.push(`packed by ${agent.split(' ')[0]}: pack and publish with pnpm (it writes publishConfig.exports and replaces workspace: ranges)`);

if (problems.length) {
  console.error(`prepack ${pkg.name}: not publishable:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`prepack ${pkg.name}: ok`);
