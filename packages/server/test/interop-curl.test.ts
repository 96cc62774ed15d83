/** curl (libcurl + OpenSSL) against `puretls serve --www`: the page, `/stats.json`, keep-alive. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runTool, startCli, type CliProcess } from '@puretls/test-support/cli-process';

let server: CliProcess;
let cleanupBundle: () => void = () => {};

beforeAll(async () => {
  const b = await bundleCli();
  cleanupBundle = b.cleanup;
  server = await startCli(b.script, ['--www', '--log-level', 'error']);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  cleanupBundle();
});

describe('curl → puretls serve --www', () => {
  it('curl -sk --tlsv1.3 returns 200 and the page', async () => {
    const { code, out } = await runTool('curl', ['-sk', '--tlsv1.3', '-w', '\n%{http_code}', `https://127.0.0.1:${server.port}/`]);
    expect(code).toBe(0);
    expect(out.trim().endsWith('200')).toBe(true);
    expect(out).toContain('<td>TLSv1.3</td>');
    expect(out).toContain('<td>http/1.1</td>');
  });

  it('/stats.json parses; two URLs reuse one keep-alive connection', async () => {
    const url = `https://localhost:${server.port}/stats.json`;
    const { code, out } = await runTool('curl', ['-sk', '--tlsv1.3', '--http1.1', '--resolve', `localhost:${server.port}:127.0.0.1`, url, url]);
    expect(code).toBe(0);
    // Two JSON documents back to back.
    const docs = out.trim().split(/\n(?=\{)/).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ protocol: 'TLSv1.3', cipherStandardName: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', sni: 'localhost', resumed: false, requests: 1 });
    expect(docs[1]).toMatchObject({ requests: 2, remotePort: docs[0]!['remotePort'] });
  });

  it('HEAD and a POST with a body', async () => {
    const head = await runTool('curl', ['-skI', `https://127.0.0.1:${server.port}/`]);
    expect(head.out).toMatch(/^HTTP\/1\.1 200/m);
    const post = await runTool('curl', ['-sk', '-d', 'x=1', '-w', '\n%{http_code}', `https://127.0.0.1:${server.port}/stats.json`]);
    expect(post.out.trim().endsWith('200')).toBe(true);
  });
});
