/**
 * scripts/import-rules.mjs (issue 15: the layer diagram matches the imports, no cycle, sans-IO
 * core): the workspace passes, and a fixture tree with one breach of each rule fails naming each
 * one, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'import-rules.mjs');

function run(packagesDir?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...(packagesDir ? [packagesDir] : [])], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A `packages/` tree of `path → source` files. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'puretls-import-rules-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('import rules', () => {
  it('hold in this workspace', () => {
    const r = run();
    expect(r.err, r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^import rules: 7 packages, \d+ files, \d+ imports, 0 violations$/m);
  }, 60_000);

  it('name every breach: cycles (type-only too), layers, sans-IO, node:crypto and noble, npm packages, relative escapes, unknown packages, node:* behind the neutral entry, test subpaths', () => {
    const root = tree({
      // Allowed: the layers, crypto/src/node/ reaching node:crypto, the server's adapter on node:net.
      'crypto/src/index.ts': "export const x = 1;\n",
      'crypto/src/node/door.ts': "import type { Hash } from 'node:crypto';\nexport const m = (process as any).getBuiltinModule('node:crypto') as Hash;\n",
      'record-layer/src/index.ts': "import { x } from '@puretls/crypto';\nexport { x };\n",
      'handshake-state-machine/src/index.ts': "import '@puretls/record-layer';\nimport type { x } from '@puretls/crypto';\n",
      'session-cache/src/index.ts': "import { x } from '@puretls/crypto';\nexport { x };\n",
      'server/src/core/connection.ts': "import '@puretls/handshake-state-machine';\nimport { y } from './state';\n",
      'server/src/core/state.ts': "export const y = 2;\n",
      'server/src/node/adapter.ts': "import { createServer } from 'node:net';\nimport '../core/connection';\nexport { createServer };\n",
      'server/src/node.ts': "export * from './node/adapter';\n",
      'server/src/index.ts': "export * from './web';\nimport type { Socket } from 'node:net';\nexport type S = Socket;\n",
      'session-store-redis/src/index.ts': "import 'ioredis';\nimport '@puretls/session-cache';\n",
      'test-support/src/index.ts': "import 'vitest';\nimport '@puretls/server';\nimport 'node:crypto';\n",
      // Breaches, one each.
      'record-layer/src/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'record-layer/src/b.ts': "import type { a } from './a';\nexport const b = 1 as unknown as typeof a;\n",
      'record-layer/src/up.ts': "import '@puretls/handshake-state-machine';\n",
      'session-cache/src/server.ts': "export { x } from '@puretls/server';\n",
      'session-cache/src/codec.ts': "import '@puretls/record-layer'; // the cache sees opaque bytes\n",
      'handshake-state-machine/src/io.ts': "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      'handshake-state-machine/src/lazy.ts': "export const net = () => import('node:net');\n",
      'handshake-state-machine/src/types.ts': "import type { Socket } from 'node:net';\nexport type S = Socket;\n",
      'handshake-state-machine/src/bare.ts': "import { EventEmitter } from 'events';\nexport { EventEmitter };\n",
      'crypto/src/hash.ts': "import { createHash } from 'node:crypto';\nexport { createHash };\n",
      'server/src/core/timer.ts': "import '../node/adapter';\n",
      'server/src/hash.ts': "import { createHash } from 'node:crypto';\nexport { createHash };\n",
      'server/src/escape.ts': "import '../../crypto/src/index';\n",
      'session-store-redis/src/sha.ts': "import { sha256 } from '@noble/hashes/sha2.js';\nexport { sha256 };\n",
      'session-store-redis/src/tool.ts': "import 'vitest';\n",
      'newpkg/src/index.ts': "export {};\n",
      'server/src/web.ts': "import { Readable } from 'node:stream';\nexport { Readable };\n",
      'session-cache/src/hooks.ts': "import { seeded } from '@puretls/crypto/testing';\nexport { seeded };\n",
    });
    const r = run(root);
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n').filter((l) => !l.startsWith('import rules: warning:'));
    const expected = [
      'newpkg/: a package the layer table does not know',
      'record-layer/src/up.ts:1: record-layer may not import @puretls/handshake-state-machine',
      'session-cache/src/server.ts:1: session-cache may not import @puretls/server',
      'session-cache/src/codec.ts:1: session-cache may not import @puretls/record-layer',
      "handshake-state-machine/src/io.ts:1: handshake-state-machine is sans-IO: no node:fs (import 'node:fs')",
      "handshake-state-machine/src/lazy.ts:1: handshake-state-machine is sans-IO: no node:net (dynamic 'node:net')",
      "handshake-state-machine/src/types.ts:1: handshake-state-machine is sans-IO: no node:net (type-only import 'node:net')",
      "handshake-state-machine/src/bare.ts:1: handshake-state-machine is sans-IO: no node:events (import 'events')",
      "crypto/src/hash.ts:1: crypto is sans-IO: no node:crypto (import 'node:crypto')",
      "server/src/core/timer.ts:1: server/src/core (sans-IO) imports '../node/adapter' outside core",
      'server/src/hash.ts:1: only crypto reaches node:crypto',
      "server/src/escape.ts:1: '../../crypto/src/index' leaves server/src",
      'session-store-redis/src/sha.ts:1: session-store-redis may not import the npm package @noble/hashes (only crypto uses noble)',
      'session-store-redis/src/tool.ts:1: session-store-redis may not import the npm package vitest',
      "server/src/web.ts:1: 'node:stream' is reachable from the runtime-neutral entry server/src/index.ts",
      "session-cache/src/hooks.ts:1: src/ may not import the test or workspace-only subpath '@puretls/crypto/testing'",
      'cycle: record-layer/src/a.ts → record-layer/src/b.ts → record-layer/src/a.ts',
    ];
    for (const e of expected) expect(lines.filter((l) => l.includes(e)), `${e}\n--- got:\n${r.err}`).toHaveLength(1);
    expect(lines, r.err).toHaveLength(expected.length);
    expect(r.out).toMatch(/, 17 violations$/m);
  }, 60_000);

  it('a temporary exception allows one import, and is reported once it is no longer needed', async () => {
    const { checkImportRules, LAYERS, CORE, NPM } = (await import(SCRIPT)) as typeof import('../import-rules.mjs');
    const rules = { LAYERS, CORE, NPM, TEMPORARY_EXCEPTIONS: [{ from: 'session-cache', to: '@puretls/record-layer' }] };
    const used = checkImportRules(tree({ 'session-cache/src/index.ts': "import '@puretls/record-layer';\n" }), rules);
    expect(used.violations).toEqual([]);
    expect(used.warnings).toEqual([]);
    const unused = checkImportRules(tree({ 'session-cache/src/index.ts': "import '@puretls/crypto';\n" }), rules);
    expect(unused.violations).toEqual([]);
    expect(unused.warnings).toEqual(['temporary exception no longer used, delete it: {"from":"session-cache","to":"@puretls/record-layer"}']);
  }, 60_000);
});
