/**
 * RFC 8448 replays, byte for byte: the deterministic randomness source supplies the server random,
 * the ephemeral key and the RSA-PSS salt (recovered from the RFC's CertificateVerify), and the
 * server's output must equal the published records.
 */
import { describe, expect, it } from 'vitest';
import {
  createNobleProvider,
  createNodeProvider,
  parseCertificateChain,
  recoverPssSalt,
  scriptedRandom,
  type CryptoProvider,
  type RandomSource,
} from '@puretls/crypto';
import { messages13 } from '@puretls/handshake-state-machine';
import { ServerConnection, ServerContext } from '../src/index';
import { loadRfc8448, toHex, value, type Rfc8448Section } from './vectors';

const s2 = loadRfc8448(2);
const KEY_PEM = s2.derived['server_private_key_pkcs8_pem']!;
const CERT_PEM = s2.derived['server_certificate_pem']!;
/** EncryptedExtensions' supported_groups in RFC 8448: x25519, P-256, P-384, P-521, ffdhe2048–8192. */
const RFC_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

const providers: [string, (random: RandomSource) => CryptoProvider][] = [
  ['noble', (random) => createNobleProvider({ random })],
  ['node', (random) => createNodeProvider({ random })],
];

/** Recovers the PSS salt of the RFC's CertificateVerify (the RFC does not print it). */
function pssSalt(sec: Rfc8448Section, transcriptMessages: string[]): Uint8Array {
  const cv = value(sec, 'server.certificate_verify');
  const scheme = (cv[4]! << 8) | cv[5]!;
  const signature = cv.subarray(8);
  const hashInput = Buffer.concat(transcriptMessages.map((n) => value(sec, n)));
  const provider = createNobleProvider();
  const content = messages13.certificateVerifyContent(true, provider.hash('sha256', hashInput));
  const leaf = parseCertificateChain(CERT_PEM)[0]!;
  const salt = recoverPssSalt(leaf.publicKey, scheme, content, signature);
  if (!salt) throw new Error('could not recover the PSS salt');
  return salt;
}

describe.each(providers)('RFC 8448 §3 simple 1-RTT handshake (%s)', (_name, makeProvider) => {
  const s3 = loadRfc8448(3);
  it('reproduces the server flight, accepts the client Finished and decrypts its data', () => {
    const sh = value(s3, 'server.hello');
    const random = scriptedRandom([
      { bytes: sh.subarray(6, 38), purpose: 'server_random' },
      { bytes: value(s3, 'server.x25519.private'), purpose: 'x25519' },
      { bytes: pssSalt(s3, ['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate']), purpose: 'pss_salt' },
    ]);
    const ctx = new ServerContext({
      certificates: [{ cert: CERT_PEM, key: KEY_PEM }],
      allowWeakRsa: true,
      crypto: makeProvider(random),
      advertisedGroups: RFC_GROUPS,
    });
    const conn = new ServerConnection(ctx);
    const events: string[] = [];
    conn.on('handshakeComplete', () => events.push('handshakeComplete'));
    conn.on('error', (e) => events.push(`error ${e.message}`));
    const data: string[] = [];
    conn.on('data', (d) => data.push(toHex(d)));

    conn.receive(value(s3, 'client.hello.record'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s3, 'server.hello.record')) + toHex(value(s3, 'server.handshake.record')));
    expect(random.remaining).toBe(0);

    conn.receive(value(s3, 'client.finished.record'));
    expect(events).toEqual(['handshakeComplete']);
    expect(conn.info).toMatchObject({ version: 0x0304, cipherSuite: 0x1301, group: 'x25519', signatureScheme: 0x0804, serverName: 'server', resumed: false });

    conn.receive(value(s3, 'client.application_data.record'));
    expect(data).toEqual([toHex(value(s3, 'client.application_data.record.payload'))]);

    // The client's close_notify ends its side; ours follows and the connection closes cleanly.
    let clean: boolean | undefined;
    conn.on('close', (c) => (clean = c));
    conn.receive(value(s3, 'client.alert.record'));
    expect(conn.peerClosed).toBe(true);
    conn.close();
    expect(clean).toBe(true);
  });

  it('a wrong client Finished gets decrypt_error', () => {
    const sh = value(s3, 'server.hello');
    const random = scriptedRandom([sh.subarray(6, 38), value(s3, 'server.x25519.private')], { whenExhausted: createNobleProvider().randomSource });
    const ctx = new ServerContext({ certificates: [{ cert: CERT_PEM, key: KEY_PEM }], allowWeakRsa: true, crypto: makeProvider(random) });
    const conn = new ServerConnection(ctx);
    const errors: string[] = [];
    conn.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
    conn.receive(value(s3, 'client.hello.record'));
    conn.takeOutput();
    const fin = value(s3, 'client.finished.record').slice();
    fin[fin.length - 20]! ^= 1; // inside the ciphertext: the record fails authentication first
    conn.receive(fin);
    expect(errors).toEqual(['bad_record_mac DecryptFailed']);
  });
});
