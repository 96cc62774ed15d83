#!/usr/bin/env node
// `pnpm soak [-- --connections N --crypto node …]`: bundles main.ts (workspace packages from their
// TypeScript sources, the `development` condition, like bench/run.mjs) and runs it in a fresh
// `node --expose-gc`; the exit code is main.ts's (0 ok, 1 a check failed, 2 usage).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'puretls-soak-'));
const script = join(dir, 'soak.mjs');
try {
  await build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['development'],
    outfile: script,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __ptCreateRequire } from 'node:module'; const require = __ptCreateRequire(import.meta.url);" },
  });
} catch (e) {
  rmSync(dir, { recursive: true, force: true });
  console.error(e);
  process.exit(1);
}
const child = spawn(process.execPath, ['--expose-gc', script, ...process.argv.slice(2).filter((a) => a !== '--')], { stdio: 'inherit' });
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
