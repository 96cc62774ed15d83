/**
 * OCSP stapling on the sans-IO `ServerConnection` (option `ocspStaple`), seen by the in-memory
 * test clients: TLS 1.3 puts the response in the leaf's CertificateEntry (RFC 8446 §4.4.2.1),
 * TLS 1.2 announces it in ServerHello and sends CertificateStatus right after Certificate (RFC
 * 6066 §8); nothing is stapled when the client does not ask for ocsp, or when the response is for
 * another certificate than the one sent. The handshake completes either way.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createSelfSignedCertificate, generateEcdsaP256Key, privateKeyToPem } from '@puretls/crypto';
import { ExtensionType, HandshakeType, readCertificate13, readCertificateStatus, readHandshake, readServerHello } from '@puretls/handshake-state-machine/internal';
import { ServerConnection, ServerContext, type ServerConnectionOptions } from '@puretls/server';
import { ecdsaCertificate } from '@puretls/test-support/harness13';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { exchange12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const RESPONSE = Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00);
/** status_request, status_type ocsp(1), empty responder_id_list and request_extensions (RFC 6066 §8). */
const OCSP_REQUEST = { type: ExtensionType.status_request, data: Uint8Array.of(1, 0, 0, 0, 0) };
/** status_type 2 (RFC 6961 ocsp_multi, TLS 1.2 only): not what we staple. */
const OCSP_MULTI_REQUEST = { type: ExtensionType.status_request, data: Uint8Array.of(2, 0, 0, 0, 0) };

function otherCertificate(name: string): { cert: string; key: string } {
  const p = createNobleProvider();
  const key = generateEcdsaP256Key(p);
  return { cert: createSelfSignedCertificate(p, { key, commonName: name, dnsNames: [name] }).pem, key: privateKeyToPem(key) };
}

const context = new ServerContext({ certificates: [ecdsaCertificate(), otherCertificate('b.test')] });

/** A TLS 1.3 handshake with `options`; the client's view of the server's Certificate message. */
function handshake13(options: ServerConnectionOptions, hello: Parameters<TestClient13['buildClientHello']>[0] = {}) {
  const conn = new ServerConnection(context, options);
  const client = new TestClient13(createNobleProvider());
  const send = (bytes: Uint8Array) => {
    conn.receive(bytes);
    const out = conn.takeOutput();
    if (out.length) client.receive(out);
  };
  send(TestClient13.plaintextRecord(client.buildClientHello(hello)));
  send(client.finish());
  const cert = client.received.find((m) => m.type === HandshakeType.certificate);
  const entries = cert ? readCertificate13(readHandshake(cert.raw).body).entries : [];
  return { phase: conn.phase, leafExtensions: entries[0]?.extensions.map((e) => e.type), otherExtensions: entries.slice(1).flatMap((e) => e.extensions), leaf: entries[0] };
}

describe('TLS 1.3 (RFC 8446 §4.4.2.1)', () => {
  it('the leaf CertificateEntry carries status_request with the response when the client asks', () => {
    const r = handshake13({ ocspStaple: { certificateIndex: 0, response: RESPONSE } }, { extra: [OCSP_REQUEST] });
    expect(r.phase).toBe('open');
    expect(r.leafExtensions).toEqual([ExtensionType.status_request]);
    const data = r.leaf!.extensions[0]!.data;
    // CertificateStatus: status_type ocsp(1), uint24 length, the response.
    expect([...data]).toEqual([1, 0, 0, RESPONSE.length, ...RESPONSE]);
  });

  it('nothing stapled: the client did not ask, asked for another type, or the response is for another certificate', () => {
    const staple = { ocspStaple: { certificateIndex: 0, response: RESPONSE } };
    expect(handshake13(staple).leafExtensions).toEqual([]);
    expect(handshake13(staple, { extra: [OCSP_MULTI_REQUEST] }).leafExtensions).toEqual([]);
    const other = handshake13(staple, { extra: [OCSP_REQUEST], serverName: 'b.test' });
    expect(other.phase).toBe('open');
    expect(other.leafExtensions).toEqual([]);
    const forOther = handshake13({ ocspStaple: { certificateIndex: 1, response: RESPONSE } }, { extra: [OCSP_REQUEST], serverName: 'b.test' });
    expect(forOther.leafExtensions).toEqual([ExtensionType.status_request]);
  });
});

describe('TLS 1.2 (RFC 6066 §8)', () => {
  function handshake(staple: ServerConnectionOptions['ocspStaple'], extra: { type: number; data: Uint8Array }[]) {
    const x = exchange12(new ServerContext({ certificates: [ecdsaCertificate()], maxVersion: 'TLSv1.2' }), createNobleProvider(), staple ? { ocspStaple: staple } : {});
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ extra })));
    x.send(x.client.finish());
    const types = x.client.received.map((m) => m.type);
    const sh = readServerHello(readHandshake(x.client.received[0]!.raw).body);
    const status = x.client.received.find((m) => m.type === HandshakeType.certificate_status);
    return {
      phase: x.conn.phase,
      types,
      shStatusRequest: sh.extensions.some((e) => e.type === ExtensionType.status_request),
      response: status ? [...readCertificateStatus(readHandshake(status.raw).body).ocspResponse] : undefined,
    };
  }

  it('status_request in ServerHello, then CertificateStatus right after Certificate', () => {
    const r = handshake({ certificateIndex: 0, response: RESPONSE }, [OCSP_REQUEST]);
    expect(r.phase).toBe('open');
    expect(r.shStatusRequest).toBe(true);
    expect(r.types.slice(0, 5)).toEqual([HandshakeType.server_hello, HandshakeType.certificate, HandshakeType.certificate_status, HandshakeType.server_key_exchange, HandshakeType.server_hello_done]);
    expect(r.response).toEqual([...RESPONSE]);
  });

  it('without the client asking, or without a response: neither the extension nor the message', () => {
    for (const r of [handshake({ certificateIndex: 0, response: RESPONSE }, []), handshake(undefined, [OCSP_REQUEST])]) {
      expect(r.phase).toBe('open');
      expect(r.shStatusRequest).toBe(false);
      expect(r.types).not.toContain(HandshakeType.certificate_status);
    }
  });
});
