/**
 * The Illustrated TLS 1.2 Connection (test-vectors/illustrated-tls12.json): its ClientHello parses;
 * ServerHello, Certificate, ServerKeyExchange (scripted server random and x25519 key, RSA PKCS#1
 * v1.5 signature is deterministic) and ServerHelloDone are rebuilt byte for byte by the TLS 1.2
 * server's own builders; premaster, master secret, key block and both Finished verify_data derive
 * exactly. Its suite (ECDHE-RSA-AES128-CBC-SHA) is not one we serve, so the builders and the key
 * schedule are driven directly rather than through `startTls12`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNobleProvider, createNodeProvider, parseCertificateChain, parsePrivateKey, type CryptoProvider } from '@puretls/crypto';
import { scriptedRandom } from '@puretls/crypto/testing';
import {
  Transcript,
  buildServerKeyExchange,
  keyBlock12,
  masterSecret12,
  readClientHello,
  readClientKeyExchangeEcdhe,
  readServerKeyExchange,
  serverHelloExtensions12,
  verifyData12,
  writeCertificate12,
  writeServerHello,
  writeServerHelloDone,
  type HandshakeConfig,
} from '../../src/internal';
import { hex, unhex } from '../msgs/helpers';

const json = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test-vectors/illustrated-tls12.json', import.meta.url)), 'utf8')) as {
  values: Record<string, string>;
  server_private_key_pem: string;
  server_certificate_pem: string;
};
console.log(`illustrated-tls12: ${Object.keys(json.values).length} values`);
const v = (k: string): Uint8Array => {
  const s = json.values[k];
  if (s === undefined) throw new Error(`illustrated-tls12: no value ${k}`);
  return unhex(s);
};
const body = (k: string) => v(k).subarray(4);

describe.each([
  ['noble', (r?: ReturnType<typeof scriptedRandom>) => createNobleProvider(r ? { random: r } : {})],
  ['node', (r?: ReturnType<typeof scriptedRandom>) => createNodeProvider(r ? { random: r } : {})],
] as const)('Illustrated TLS 1.2 (%s provider)', (_name, makeProvider) => {
  const clientRandom = v('client.random');
  const serverRandom = v('server.random');

  it('its ClientHello parses', () => {
    const ch = readClientHello(body('client.hello'));
    expect(ch.random).toEqual(clientRandom);
    expect(ch.cipherSuites).toContain(0xc013);
    expect(ch.ext.serverName).toBe('example.ulfheim.net');
    expect(ch.ext.supportedGroups).toEqual([0x001d, 0x0017, 0x0018, 0x0019]);
    expect(ch.ext.ecPointFormats).toEqual([0]);
    expect(ch.ext.renegotiationInfo).toEqual(new Uint8Array(0));
    expect(ch.ext.signedCertificateTimestamp).toBe(true);
    expect(ch.ext.extendedMasterSecret).toBe(false);
  });

  it('ServerHello, Certificate, ServerHelloDone byte for byte', () => {
    const sh = writeServerHello({
      random: serverRandom,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0xc013,
      // The site's server answers renegotiation_info only (no ec_point_formats, no server_name).
      extensions: serverHelloExtensions12({ renegotiationInfo: true, serverName: false, pointFormats: false, sessionTicket: false, alpn: undefined, extendedMasterSecret: false, recordSizeLimit: undefined }),
      omitEmptyExtensions: true,
    });
    expect(hex(sh)).toBe(json.values['server.hello']);
    const chain = parseCertificateChain(json.server_certificate_pem).map((c) => c.der);
    expect(hex(chain[0]!)).toBe(json.values['server.certificate.der']);
    expect(hex(writeCertificate12(chain))).toBe(json.values['server.certificate']);
    expect(hex(writeServerHelloDone())).toBe(json.values['server.hello_done']);
  });

  it('ServerKeyExchange byte for byte (x25519 key scripted, rsa_pkcs1_sha256), then premaster, master secret, key block, Finished', () => {
    const p: CryptoProvider = makeProvider(scriptedRandom([{ bytes: v('server.x25519.private') }]));
    const config = { provider: p } as unknown as HandshakeConfig;
    const key = parsePrivateKey(json.server_private_key_pem);
    const { message, keyPair } = buildServerKeyExchange(config, { key }, 0x0401, 'x25519', clientRandom, serverRandom);
    expect(hex(keyPair.publicKey)).toBe(json.values['server.x25519.public']);
    expect(hex(message)).toBe(json.values['server.key_exchange']);
    const ske = readServerKeyExchange(message.subarray(4));
    expect(hex(ske.params)).toBe(json.values['server.key_exchange.signed_params']);
    expect(hex(ske.signature)).toBe(json.values['server.key_exchange.signature']);

    const clientPoint = readClientKeyExchangeEcdhe(body('client.key_exchange'));
    expect(hex(clientPoint)).toBe(json.values['client.x25519.public']);
    const pms = keyPair.agree(clientPoint);
    expect(hex(pms)).toBe(json.values['pre_master_secret']);
    const master = masterSecret12(p, 'sha256', pms, { extended: false, clientRandom, serverRandom });
    expect(hex(master)).toBe(json.values['master_secret']);
    const kb = v('key_block');
    expect(hex(keyBlock12(p, 'sha256', master, clientRandom, serverRandom, kb.length))).toBe(hex(kb));

    const t = new Transcript(p, 'sha256');
    for (const m of ['client.hello', 'server.hello', 'server.certificate', 'server.key_exchange', 'server.hello_done', 'client.key_exchange']) t.add(v(m));
    expect(hex(t.current())).toBe(json.values['hash.handshake_for_client_finished']);
    expect(hex(verifyData12(p, 'sha256', master, 'client', t.current()))).toBe(json.values['client.finished.verify_data']);
    t.add(v('client.finished'));
    expect(hex(t.current())).toBe(json.values['hash.handshake_for_server_finished']);
    expect(hex(verifyData12(p, 'sha256', master, 'server', t.current()))).toBe(json.values['server.finished.verify_data']);
    // With EMS the same premaster gives another master secret (RFC 7627 §4), from the session hash.
    const ems = masterSecret12(p, 'sha256', pms, { extended: true, sessionHash: new Uint8Array(32) });
    expect(ems).toHaveLength(48);
    expect(hex(ems)).not.toBe(json.values['master_secret']);
  });
});
