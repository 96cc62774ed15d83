/**
 * The runtime-neutral entry, `@puretls/server`, bundled for a browser (issue 18): esbuild
 * `--platform=browser` from the built packages as a consumer resolves them (the published
 * conditions: `types`/`default`, no `development`), failing on any `node:*` module — or bare Node
 * builtin — reachable from it. Prints the bundle's size, minified and gzipped (reported in the
 * README), and checks the minified bundle works: its `accept()` serves Node's `tls.connect`.
 *
 * `@puretls/server/node` is the counter-check: the same bundle of it must fail on `node:net`.
 */
import { build, type Plugin } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { within } from '@puretls/test-support/net';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILTINS = new Set(builtinModules);

/** Records every Node builtin the bundle would need (and fails the build on it). */
function noNodeBuiltins(found: string[]): Plugin {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, '').split('/')[0]!;
        if (args.path.startsWith('node:') || BUILTINS.has(bare)) {
          found.push(`${args.path} (imported by ${args.importer.replace(ROOT + '/', '')})`);
          return { errors: [{ text: `a Node builtin, ${args.path}, is reachable from the neutral entry` }] };
        }
        return undefined;
      });
    },
  };
}

async function bundle(source: string, minify: boolean): Promise<{ code: string; builtins: string[]; errors: string[] }> {
  const builtins: string[] = [];
  try {
    const r = await build({
      stdin: { contents: source, resolveDir: join(ROOT, 'packages', 'server'), loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify,
      logLevel: 'silent',
      plugins: [noNodeBuiltins(builtins)],
    });
    return { code: r.outputFiles[0]!.text, builtins, errors: [] };
  } catch (e) {
    return { code: '', builtins, errors: ((e as { errors?: { text: string }[] }).errors ?? []).map((x) => x.text) };
  }
}

describe('the neutral entry in a browser bundle', () => {
  it('@puretls/server bundles with --platform=browser: no node:* module is reachable; size printed', async () => {
    const everything = await bundle(`export * from '@puretls/server';`, true);
    expect(everything.builtins).toEqual([]);
    expect(everything.errors).toEqual([]);
    // What an embedder ships: the core, Web Streams accept, the noble provider.
    const typical = await bundle(`export { ServerContext, ServerConnection, accept } from '@puretls/server'; export { createNobleProvider } from '@puretls/crypto';`, true);
    expect(typical.errors).toEqual([]);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const min = Buffer.byteLength(everything.code);
    const gz = gzipSync(everything.code, { level: 9 }).length;
    console.log(`@puretls/server (browser, esbuild --minify): ${kib(min)} minified, ${kib(gz)} gzipped; ServerContext+ServerConnection+accept+noble: ${kib(Buffer.byteLength(typical.code))} minified, ${kib(gzipSync(typical.code, { level: 9 }).length)} gzipped`);
    // Generous bounds: a regression that drags in a large dependency shows here.
    expect(gz).toBeLessThan(400 * 1024);
  }, 120_000);

  it('@puretls/server/node does not bundle for a browser: node:net is named', async () => {
    const r = await bundle(`export * from '@puretls/server/node';`, false);
    expect(r.builtins.some((b) => b.startsWith('node:net'))).toBe(true);
    expect(r.errors.length).toBeGreaterThan(0);
  }, 120_000);

  it('the bundle works: its accept() on Web Streams serves a TLS 1.3 handshake and data to Node tls.connect', async () => {
    const r = await bundle(
      `export { ServerContext, accept } from '@puretls/server';
       export { createNobleProvider, createSelfSignedCertificate, generateEcdsaP256Key, privateKeyToPem } from '@puretls/crypto';`,
      true,
    );
    expect(r.errors).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'puretls-bundle-'));
    try {
      const file = join(dir, 'bundle.mjs');
      writeFileSync(file, r.code);
      const m = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as typeof import('@puretls/server') & typeof import('../../packages/crypto/src/index');
      const provider = m.createNobleProvider();
      const key = m.generateEcdsaP256Key(provider);
      const cert = m.createSelfSignedCertificate(provider, { key, commonName: 'localhost' });
      const ctx = new m.ServerContext({ certificates: [{ cert: cert.pem, key: m.privateKeyToPem(key) }], crypto: provider });
      // The runtime's socket as Web Streams: here Node's, as a browser extension or a worker would hand over its own.
      const server = createNetServer((socket) => {
        const web = Duplex.toWeb(socket) as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
        const tls = m.accept(web.readable, web.writable, ctx);
        void tls.info.then(async () => {
          const w = tls.writable.getWriter();
          await w.write(new TextEncoder().encode('hello from the browser bundle'));
          await w.close();
        }, () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const text = await within(
          30_000,
          'tls.connect to the bundle',
          new Promise<{ text: string; protocol: string | null }>((resolve, reject) => {
            const c = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert.pem, minVersion: 'TLSv1.3' });
            let text = '';
            c.on('data', (d: Buffer) => (text += d.toString()));
            c.on('error', reject);
            c.on('end', () => resolve({ text, protocol: c.getProtocol() }));
          }),
        );
        expect(text).toEqual({ text: 'hello from the browser bundle', protocol: 'TLSv1.3' });
      } finally {
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
