#!/usr/bin/env node
// The workspace's import rules, checked over every `packages/*/src/**/*.ts` (run by `pnpm test`
// through scripts/test/import-rules.test.ts; alone: `node scripts/import-rules.mjs [packages-dir]`).
// Exit 0 with a one-line summary, or 1 listing every violation.
//
// 1. No import cycle among a package's files (relative imports, `import type` included).
// 2. Layers: a package imports only the workspace packages below it (LAYERS); nothing imports a
//    package that is not in the table, and no relative import leaves its package.
// 3. Sans-IO: the core packages (CORE) and `server/src/core/` import no `node:*` module (nor a bare
//    Node builtin), statically, dynamically or through `process.getBuiltinModule`; the one door to
//    native crypto is `crypto/src/node/` (`getBuiltinModule('node:crypto')`, `import type` of it).
//    `server/src/core/` imports nothing outside itself but the core packages.
// 4. Only `crypto` imports noble or `node:crypto` (every other package calls the CryptoProvider);
//    npm packages only where NPM allows them (no test tool in a published package).
// 5. The runtime-neutral entry `server/src/index.ts` (`@puretls/server`): no file reachable from it
//    (relative imports that stay at run time) imports a Node builtin; `node:*` belongs behind
//    `@puretls/server/node` (`server/src/node.ts`). scripts/test/browser-bundle.test.ts checks the
//    built bundle the same way.
// 6. No published `src/` imports a test or workspace-only subpath (`@puretls/*/testing`,
//    `@puretls/*/internal`); the private test-support package may.
//
// Type-only imports count for cycles and layers (a type cycle is still a design cycle); they are
// erased at run time, so rule 3 lets `crypto` name node:crypto's types where it may use it.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Each package and the workspace packages it may import. */
export const LAYERS = {
  crypto: [],
  'record-layer': ['crypto'],
  'handshake-state-machine': ['crypto', 'record-layer'],
  'session-cache': ['crypto'],
  'session-store-redis': ['crypto', 'session-cache'],
  server: ['crypto', 'record-layer', 'handshake-state-machine', 'session-cache', 'session-store-redis'],
  // Private, never published: tests and bench import it; no package's src may.
  'test-support': ['crypto', 'record-layer', 'handshake-state-machine', 'session-cache', 'session-store-redis', 'server'],
};

/**
 * Allowed for now, each to be deleted by whoever removes the import (a warning says when one is no
 * longer used).
 */
export const TEMPORARY_EXCEPTIONS = [
];

/** Sans-IO packages: bytes in, bytes out; no Node, no clock, no randomness of their own. */
export const CORE = ['crypto', 'record-layer', 'handshake-state-machine', 'session-cache'];

/** npm packages (by name) each package may import. */
export const NPM = {
  crypto: ['@noble/hashes', '@noble/curves', '@noble/ciphers', '@noble/post-quantum'],
  'session-store-redis': ['ioredis'],
  'test-support': ['vitest', 'esbuild', 'fast-check'],
};

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Every import of a file: `{ spec, typeOnly, line, how }` (`how`: import, export, dynamic, require, getBuiltinModule, import-type). */
export function importsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out = [];
  const add = (specNode, typeOnly, how) => {
    if (!specNode || !ts.isStringLiteralLike(specNode)) return;
    out.push({ spec: specNode.text, typeOnly, how, line: sf.getLineAndCharacterOfPosition(specNode.getStart(sf)).line + 1 });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly === true, 'import');
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node.isTypeOnly, 'export');
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node.isTypeOnly, 'import');
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true, 'import-type');
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [arg] = node.arguments;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) add(arg, false, 'dynamic');
      else if (ts.isIdentifier(callee) && callee.text === 'require') add(arg, false, 'require');
      else if ((ts.isPropertyAccessExpression(callee) || ts.isPropertyAccessChain?.(callee)) && callee.name.text === 'getBuiltinModule') add(arg, false, 'getBuiltinModule');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** What a specifier names: a relative file, a workspace package, a Node builtin, or an npm package. */
function classify(spec) {
  if (spec.startsWith('.')) return { kind: 'relative' };
  if (spec.startsWith('node:')) return { kind: 'builtin', name: spec };
  const m = /^@puretls\/([^/]+)/.exec(spec);
  if (m) return { kind: 'workspace', name: m[1] };
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  if (BUILTINS.has(name)) return { kind: 'builtin', name: `node:${name}` };
  return { kind: 'npm', name };
}

function sources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** Strongly connected components of more than one file (Tarjan), or a file importing itself. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const ix = new Map();
  const low = new Map();
  const found = [];
  const strong = (v) => {
    ix.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!ix.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), ix.get(w)));
    }
    if (low.get(v) === ix.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || graph.get(v)?.has(v)) found.push(c.reverse());
    }
  };
  for (const v of graph.keys()) if (!ix.has(v)) strong(v);
  return found;
}

/**
 * Checks every package under `packagesDir`. Returns `{ violations, warnings, files, imports }`;
 * `violations` are `file:line: message` strings.
 */
export function checkImportRules(packagesDir, rules = { LAYERS, TEMPORARY_EXCEPTIONS, CORE, NPM }) {
  const root = resolve(packagesDir);
  const violations = [];
  const usedExceptions = new Set();
  const graph = new Map();
  /** file → its run-time relative imports and the Node builtins it imports at run time (rule 5). */
  const runtime = new Map();
  let imports = 0;
  const packages = readdirSync(root).filter((p) => existsSync(join(root, p, 'src')));
  const rel = (f) => relative(root, f).split(sep).join('/');
  const exception = (pkg, file, to) => {
    const i = rules.TEMPORARY_EXCEPTIONS.findIndex((e) => e.from === pkg && e.to === to && (e.file === undefined || e.file === file));
    if (i >= 0) usedExceptions.add(i);
    return i >= 0;
  };
  for (const pkg of packages) {
    if (!(pkg in rules.LAYERS)) violations.push(`${pkg}/: a package the layer table does not know (add it to LAYERS in scripts/import-rules.mjs)`);
    const allowed = new Set(rules.LAYERS[pkg] ?? []);
    const core = rules.CORE.includes(pkg);
    const pkgSrc = join(root, pkg, 'src');
    for (const file of sources(pkgSrc)) {
      const name = rel(file);
      const inServerCore = name.startsWith('server/src/core/');
      const inCryptoNode = name.startsWith('crypto/src/node/');
      const deps = new Set();
      graph.set(file, deps);
      const runtimeDeps = new Set();
      runtime.set(file, { deps: runtimeDeps, builtins: [] });
      for (const imp of importsOf(file, readFileSync(file, 'utf8'))) {
        imports++;
        const at = `${name}:${imp.line}`;
        const c = classify(imp.spec);
        if (c.kind === 'relative') {
          const target = resolveRelative(file, imp.spec);
          if (!target) {
            violations.push(`${at}: '${imp.spec}' does not resolve to a .ts file`);
            continue;
          }
          if (!target.startsWith(pkgSrc + sep)) violations.push(`${at}: '${imp.spec}' leaves ${pkg}/src (import the package by name)`);
          else if (inServerCore && !rel(target).startsWith('server/src/core/')) violations.push(`${at}: server/src/core (sans-IO) imports '${imp.spec}' outside core`);
          deps.add(target);
          if (!imp.typeOnly) runtimeDeps.add(target);
        } else if (c.kind === 'workspace') {
          if (pkg !== 'test-support' && /^@puretls\/[^/]+\/(testing|internal)(\/|$)/.test(imp.spec)) violations.push(`${at}: src/ may not import the test or workspace-only subpath '${imp.spec}'`);
          const ok = allowed.has(c.name) || exception(pkg, name, `@puretls/${c.name}`);
          if (!ok) violations.push(`${at}: ${pkg} may not import @puretls/${c.name} (layers: ${pkg} ← ${[...allowed].join(', ') || 'nothing'})`);
          else if (inServerCore && !rules.CORE.includes(c.name)) violations.push(`${at}: server/src/core (sans-IO) imports @puretls/${c.name}, which is not a core package`);
        } else if (c.kind === 'builtin') {
          if (!imp.typeOnly && imp.how !== 'getBuiltinModule') runtime.get(file).builtins.push({ at, spec: imp.spec });
          const nodeCrypto = c.name === 'node:crypto';
          if (nodeCrypto && pkg !== 'crypto' && pkg !== 'test-support') violations.push(`${at}: only crypto reaches node:crypto (${pkg} goes through the CryptoProvider)`);
          else if (core || inServerCore) {
            // crypto/src/node/ reaches node:crypto at run time through getBuiltinModule and names its types.
            const door = pkg === 'crypto' && nodeCrypto && (inCryptoNode || exception(pkg, name, c.name)) && (imp.typeOnly || imp.how === 'getBuiltinModule');
            if (!door) violations.push(`${at}: ${inServerCore ? 'server/src/core' : pkg} is sans-IO: no ${c.name} (${imp.typeOnly ? 'type-only ' : ''}${imp.how} '${imp.spec}')`);
          }
        } else {
          const npm = rules.NPM[pkg] ?? [];
          if (!npm.includes(c.name)) violations.push(`${at}: ${pkg} may not import the npm package ${c.name}${c.name.startsWith('@noble/') ? ' (only crypto uses noble)' : ''}`);
          else if (inServerCore) violations.push(`${at}: server/src/core (sans-IO) imports the npm package ${c.name}`);
        }
      }
    }
  }
  const neutral = join(root, 'server', 'src', 'index.ts');
  if (runtime.has(neutral)) {
    const seen = new Set([neutral]);
    const queue = [neutral];
    while (queue.length > 0) {
      const f = queue.shift();
      for (const b of runtime.get(f)?.builtins ?? []) violations.push(`${b.at}: '${b.spec}' is reachable from the runtime-neutral entry server/src/index.ts (move it behind @puretls/server/node)`);
      for (const d of runtime.get(f)?.deps ?? []) if (!seen.has(d)) (seen.add(d), queue.push(d));
    }
  }
  for (const c of cycles(graph)) violations.push(`cycle: ${c.map(rel).join(' → ')} → ${rel(c[0])}`);
  const warnings = rules.TEMPORARY_EXCEPTIONS.flatMap((e, i) => (usedExceptions.has(i) ? [] : [`temporary exception no longer used, delete it: ${JSON.stringify(e)}`]));
  return { violations, warnings, files: graph.size, imports, packages };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');
  const r = checkImportRules(dir);
  for (const w of r.warnings) console.warn(`import rules: warning: ${w}`);
  for (const v of r.violations) console.error(v);
  console.log(`import rules: ${r.packages.length} packages, ${r.files} files, ${r.imports} imports, ${r.violations.length} violations`);
  process.exit(r.violations.length === 0 ? 0 : 1);
}
