#!/usr/bin/env node
/**
 * Every export of every published entry point has TSDoc (issue #18: "each public index.ts curated
 * and documented"). The entries are read from each package's `exports` (`development` condition:
 * the sources); private packages and workspace-only subpaths (`/internal`, absent from
 * `publishConfig.exports`) are skipped. Prints the undocumented names and exits 1 if any.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const published = pkg.publishConfig?.exports ?? pkg.exports;
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target !== 'object' || !target.development || !(subpath in published)) continue;
    entries.push(join(root, 'packages', dir, target.development));
  }
}

const program = ts.createProgram(entries, {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  customConditions: ['development'],
  strict: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
let missing = 0;
for (const entry of entries) {
  const mod = checker.getSymbolAtLocation(program.getSourceFile(entry));
  const undocumented = checker
    .getExportsOfModule(mod)
    .filter((exp) => {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      return ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() === '';
    })
    .map((exp) => exp.name);
  if (undocumented.length > 0) console.error(`${entry.slice(root.length + 1)}: no TSDoc on ${undocumented.join(', ')}`);
  missing += undocumented.length;
}
console.log(`tsdoc: ${entries.length} entry points, ${missing} undocumented exports`);
process.exit(missing > 0 ? 1 : 0);
