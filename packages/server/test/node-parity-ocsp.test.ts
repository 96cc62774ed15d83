/**
 * OCSP stapling (RFC 6066 §8 CertificateStatus in TLS 1.2, RFC 8446 §4.4.2.1 the leaf's
 * CertificateEntry extension in TLS 1.3) through Node's `'OCSPRequest'` server event, against
 * Node's own server: the event's arguments (the certificate the handshake sends, its issuer from
 * the chain or `ca`, `null` without one), what each callback answer does (a response is stapled
 * and reaches the Node client's `'OCSPResponse'`; `null` or empty staples nothing; an error fails
 * the handshake), no listener or no request → no stapling, the certificate chosen among several;
 * and `openssl s_client -status` reading a real OCSP response (made by `openssl ocsp`) from both.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerContext } from '@puretls/server';
import { CertDir, type TestCert, type TestChain } from '@puretls/test-support/certs';
import { runTool } from '@puretls/test-support/cli-process';
import { onBothServers, within, type ParityRun } from '@puretls/test-support/net';
import { ServerConnection } from '@puretls/server';

const certs = new CertDir();
let p256: TestCert;
let rsa: TestCert;
let chain: TestChain;
/** A real OCSP response for `chain.leaf` ("good"), signed by its issuer with `openssl ocsp`. */
let ocspDer: Buffer;

function der(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/** `openssl ocsp`: a request for the leaf, answered from an index file that lists it as valid. */
function makeOcspResponse(c: TestChain): Buffer {
  const dir = certs.dir;
  const serial = execFileSync('openssl', ['x509', '-noout', '-serial', '-in', c.leaf.certFile], { encoding: 'utf8' }).trim().split('=')[1]!;
  const index = join(dir, 'ocsp-index.txt');
  writeFileSync(index, `V\t351231235959Z\t\t${serial}\tunknown\t/CN=${c.leaf.cn}\n`);
  const req = join(dir, 'ocsp-req.der');
  const resp = join(dir, 'ocsp-resp.der');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  run(['ocsp', '-issuer', c.intermediate.certFile, '-cert', c.leaf.certFile, '-no_nonce', '-reqout', req]);
  run(['ocsp', '-index', index, '-rsigner', c.intermediate.certFile, '-rkey', c.intermediate.keyFile, '-CA', c.intermediate.certFile, '-reqin', req, '-respout', resp, '-ndays', '1']);
  return readFileSync(resp);
}

beforeAll(() => {
  p256 = certs.make('p256');
  rsa = certs.make('rsa2048');
  chain = certs.chain('p256');
  ocspDer = makeOcspResponse(chain);
}, 120_000);
afterAll(() => certs.cleanup());

type Version = 'TLSv1.2' | 'TLSv1.3';

/** What a Node client saw: its `'OCSPResponse'` (text of the bytes, `null`, or `'none'` without the event) and how the connection went. */
interface ClientView {
  readonly outcome: 'secure' | string;
  readonly ocspResponse: string | null | 'none';
}

/** Node's client options with `requestOCSP` (a TLSSocket option `tls.connect` takes; @types/node leaves it out). */
type ClientOptions = tls.ConnectionOptions & { requestOCSP?: boolean };

function clientView(port: number, version: Version, extra: ClientOptions = {}): Promise<ClientView> {
  return within(
    10_000,
    'tls.connect',
    new Promise((resolve) => {
      let ocspResponse: string | null | 'none' = 'none';
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: version, maxVersion: version, requestOCSP: true, ...extra } as tls.ConnectionOptions, () => {
        resolve({ outcome: 'secure', ocspResponse });
        c.destroy();
      });
      c.on('OCSPResponse', (r: Buffer | null | undefined) => (ocspResponse = r ? r.toString('latin1') : null));
      c.on('error', (e: Error & { code?: string }) => {
        resolve({ outcome: `error ${e.code ?? e.message}`, ocspResponse });
        c.destroy();
      });
    }),
  );
}

type Answer = 'response' | 'async response' | 'null' | 'empty' | 'error';

/** One server with an `OCSPRequest` listener answering `answer`; what the listener was given, the client saw, and the server reported. */
async function scenario(run: ParityRun, options: object, answer: Answer, version: Version, client: ClientOptions = {}) {
  const s = await run.start(options, null);
  const calls: { certificate: Buffer; issuer: Buffer | null }[] = [];
  s.server.on('OCSPRequest', (certificate: Buffer, issuer: Buffer | null, cb: (err: Error | null, response?: Buffer | null) => void) => {
    calls.push({ certificate, issuer });
    if (answer === 'response') cb(null, Buffer.from('stapled response bytes'));
    else if (answer === 'async response') setImmediate(() => cb(null, Buffer.from('later response bytes')));
    else if (answer === 'null') cb(null, null);
    else if (answer === 'empty') cb(null, Buffer.alloc(0));
    else cb(new Error('no OCSP response today'));
  });
  const failure = answer === 'error' ? s.nextClientError() : undefined;
  const view = await clientView(s.port, version, client);
  const serverError = failure ? (await failure).message : undefined;
  return { calls, view, serverError };
}

describe.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: the OCSPRequest event', (version) => {
  it.each(['response', 'async response', 'null', 'empty', 'error'] as const)('callback answers %s: same outcome as Node\u2019s server', async (answer) => {
    const r = await onBothServers(async (run) => {
      const { calls, view, serverError } = await scenario(run, { key: p256.key, cert: p256.cert }, answer, version);
      return {
        calls: calls.length,
        certificateIsOurs: calls[0]?.certificate.equals(der(p256.cert)),
        // A self-signed certificate: no issuer in the chain or in `ca`.
        issuer: calls[0]?.issuer ?? null,
        view,
        serverError,
      };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.calls).toBe(1);
    expect(r.node.certificateIsOurs).toBe(true);
    expect(r.node.issuer).toBeNull();
    if (answer === 'response') expect(r.node.view).toEqual({ outcome: 'secure', ocspResponse: 'stapled response bytes' });
    if (answer === 'null' || answer === 'empty') expect(r.node.view).toEqual({ outcome: 'secure', ocspResponse: null });
    if (answer === 'error') expect(r.node.serverError).toBe('no OCSP response today');
  });

  it('issuer: the next certificate of the chain, else the `ca` certificate naming it', async () => {
    const r = await onBothServers(async (run) => {
      const inChain = await scenario(run, { key: chain.leaf.key, cert: chain.leaf.cert + chain.intermediate.cert }, 'response', version);
      const inCa = await scenario(run, { key: chain.leaf.key, cert: chain.leaf.cert, ca: [chain.intermediate.cert], requestCert: false }, 'response', version);
      const intermediate = der(chain.intermediate.cert);
      return {
        inChain: [inChain.calls[0]?.certificate.equals(der(chain.leaf.cert)), inChain.calls[0]?.issuer?.equals(intermediate), inChain.view.ocspResponse],
        inCa: [inCa.calls[0]?.certificate.equals(der(chain.leaf.cert)), inCa.calls[0]?.issuer?.equals(intermediate), inCa.view.ocspResponse],
      };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ inChain: [true, true, 'stapled response bytes'], inCa: [true, true, 'stapled response bytes'] });
  });

  it('differs: puretls asks for the certificate the handshake sends, among an RSA and an ECDSA one; Node for its last', async () => {
    const r = await onBothServers(async (run) => {
      const options = { key: [rsa.key, p256.key], cert: [rsa.cert, p256.cert] };
      const sigalgs = version === 'TLSv1.3' ? 'rsa_pss_rsae_sha256' : 'RSA+SHA256:rsa_pss_rsae_sha256';
      const toRsa = await scenario(run, options, 'response', version, { sigalgs, ...(version === 'TLSv1.2' ? { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } : {}) });
      const toEcdsa = await scenario(run, options, 'response', version, { sigalgs: 'ecdsa_secp256r1_sha256', ...(version === 'TLSv1.2' ? { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } : {}) });
      const given = (c: Buffer | undefined) => (c?.equals(der(rsa.cert)) ? 'rsa' : c?.equals(der(p256.cert)) ? 'ecdsa' : 'other');
      return { toRsa: given(toRsa.calls[0]?.certificate), toEcdsa: given(toEcdsa.calls[0]?.certificate), stapled: [toRsa.view.ocspResponse, toEcdsa.view.ocspResponse] };
    });
    // Node asks from OpenSSL's certificate callback, before the certificate is chosen: it names the
    // context's last certificate whatever is sent. puretls names the one the handshake will send.
    expect(r.node).toEqual({ toRsa: 'ecdsa', toEcdsa: 'ecdsa', stapled: ['stapled response bytes', 'stapled response bytes'] });
    expect(r.puretls).toEqual({ toRsa: 'rsa', toEcdsa: 'ecdsa', stapled: ['stapled response bytes', 'stapled response bytes'] });
  });

  it('no listener: nothing stapled; a client that does not ask: the listener is not called', async () => {
    const r = await onBothServers(async (run) => {
      const quiet = await run.start({ key: p256.key, cert: p256.cert }, null);
      const noListener = await clientView(quiet.port, version);
      const s = await run.start({ key: p256.key, cert: p256.cert }, null);
      let calls = 0;
      s.server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: (err: Error | null, r?: Buffer) => void) => {
        calls++;
        cb(null, Buffer.from('unasked'));
      });
      const notAsked = await clientView(s.port, version, { requestOCSP: false });
      return { noListener, notAsked, calls };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.calls).toBe(0);
    expect(r.node.notAsked).toEqual({ outcome: 'secure', ocspResponse: 'none' });
  });
});

describe('openssl s_client -status', () => {
  it.each(['-tls1_3', '-tls1_2'])('%s: the stapled OCSP response is read and verified as "good", as from Node\u2019s server', async (flag) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: chain.leaf.key, cert: chain.leaf.cert + chain.intermediate.cert }, (x) => x.end());
      s.server.on('OCSPRequest', (_c: Buffer, _i: Buffer | null, cb: (err: Error | null, r?: Buffer) => void) => cb(null, ocspDer));
      const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-ign_eof', flag, '-status'], { ms: 20_000 });
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(OCSP Response Status|Response Type|Cert Status)/.test(l));
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toContain('OCSP Response Status: successful (0x0)');
    expect(r.node).toContain('Cert Status: good');
  }, 60_000);

  it('-status without a listener: "no response sent" from both', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert }, (x) => x.end());
      const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-ign_eof', '-status'], { ms: 20_000 });
      return /OCSP response: no response sent/.test(out);
    });
    expect(r).toEqual({ node: true, puretls: true });
  }, 60_000);
});

describe('ServerConnection options.ocspStaple (sans-IO)', () => {
  it('is checked in the constructor: an index into the certificates and a non-empty response', () => {
    const ctx = new ServerContext({ certificates: [{ cert: p256.cert, key: p256.key }] });
    expect(() => new ServerConnection(ctx, { ocspStaple: { certificateIndex: 1, response: new Uint8Array(1) } })).toThrow(RangeError);
    expect(() => new ServerConnection(ctx, { ocspStaple: { certificateIndex: 0, response: new Uint8Array(0) } })).toThrow(RangeError);
    expect(() => new ServerConnection(ctx, { ocspStaple: { certificateIndex: 0, response: 'x' as never } })).toThrow(TypeError);
    expect(new ServerConnection(ctx, { ocspStaple: { certificateIndex: 0, response: new Uint8Array(3) } }).phase).toBe('handshaking');
  });
});
