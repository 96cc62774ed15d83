/**
 * OpenSSL's `s_client` against the `puretls serve --www` process: TLS 1.3 with each suite and
 * group, HelloRetryRequest, ALPN, KeyUpdate, and TLS 1.2 on the same port.
 * Modeled on shared/interop/interop.sh (`-ign_eof`, an HTTP/1.0 request piped in). X25519MLKEM768
 * is not tested here: OpenSSL 3.0 has no ML-KEM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runTool, startCli, type CliProcess } from '@puretls/test-support/cli-process';

const REQUEST = 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n';
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

/** `openssl s_client` with the HTTP request on stdin; the server closes after answering. */
function sClient(args: string[], input = REQUEST, holdMs = 0) {
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-ign_eof', ...args], { input, holdMs, ms: 20_000 });
}

describe('openssl s_client → puretls serve --www', () => {
  it('-tls1_3 completes; the page names TLSv1.3 and the cipher', async () => {
    const { out } = await sClient(['-tls1_3']);
    // tls.DEFAULT_CIPHERS' order (as openssl s_server's): AES-256-GCM first.
    expect(out).toMatch(/^New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384$/m);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
    expect(out).toContain('<td>TLSv1.3</td>');
    expect(out).toContain('<td>TLS_AES_256_GCM_SHA384</td>');
    expect(out).toContain('<td>localhost</td>');
    expect(out).toContain('<td>ecdsa_secp256r1_sha256</td>');
  });

  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])('-ciphersuites %s', async (suite) => {
    const { out } = await sClient(['-tls1_3', '-ciphersuites', suite]);
    expect(out).toContain(`New, TLSv1.3, Cipher is ${suite}`);
    expect(out).toContain(`<td>${suite}</td>`);
  });

  it.each([
    ['X25519', /X25519/, 'x25519'],
    ['P-256', /prime256v1|P-256/, 'secp256r1'],
    ['P-384', /secp384r1|P-384/, 'secp384r1'],
  ])('-groups %s', async (group, tempKey, name) => {
    const { out } = await sClient(['-tls1_3', '-groups', group]);
    expect(/^Server Temp Key: (.*)$/m.exec(out)?.[1]).toMatch(tempKey);
    expect(out).toContain(`<td>${name}</td>`);
  });

  it('HelloRetryRequest: a key share only for ffdhe2048, P-256 also offered', async () => {
    const { out } = await sClient(['-tls1_3', '-groups', 'ffdhe2048:P-256', '-msg']);
    expect(out.match(/<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], ServerHello/g)).toHaveLength(2);
    expect(out).toMatch(/<th align="left">HelloRetryRequest<\/th><td>yes<\/td>/);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
  });

  it('-alpn h2,http/1.1 → http/1.1', async () => {
    const { out } = await sClient(['-tls1_3', '-alpn', 'h2,http/1.1']);
    expect(out).toMatch(/^ALPN protocol: http\/1\.1$/m);
    expect(out).toContain('<td>http/1.1</td>');
  });

  it('KeyUpdate (update_requested) from the client is answered, data flows after it', async () => {
    // s_client reads the command letter `K` alone on a line: feed it, then the request.
    const request = REQUEST.replace(/\r\n/g, '\\r\\n');
    const script = `(printf 'K\\n'; sleep 0.5; printf '${request}'; sleep 1) | openssl s_client -connect 127.0.0.1:${server.port} -servername localhost -tls1_3 -msg`;
    const { out } = await runTool('sh', ['-c', script], { ms: 20_000 });
    expect(out).toMatch(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
  }, 30_000);

  it('-tls1_2 is served too (TLS 1.2 and 1.3 on one port by default)', async () => {
    const { out } = await sClient(['-tls1_2']);
    expect(out).toMatch(/^New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256$/m);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
    expect(out).toContain('<td>TLSv1.2</td>');
  });

  it('the server is still healthy after all that', async () => {
    const { out } = await sClient(['-tls1_3']);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
  });
});
