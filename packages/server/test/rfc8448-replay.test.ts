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
  type CryptoProvider,
  type RandomSource,
} from '@puretls/crypto';
import { recoverPssSalt, scriptedRandom } from '@puretls/crypto/testing';
import { certificateVerifyContent, readClientHello } from '@puretls/handshake-state-machine/internal';
import { TicketKeyRing, decodeSession, encodeSession } from '@puretls/session-cache';
import { ServerConnection, ServerContext, type ServerContextOptions } from '../src/index';
import { loadRfc8448, toHex, value, type Rfc8448Section } from './vectors';

/** The 4 bytes a ServerContext draws first: its session cache's hash seed. */
const CACHE_SEED = { bytes: new Uint8Array(4), purpose: 'session_cache_seed' };
const s2 = loadRfc8448(2);
const KEY_PEM = s2.derived['server_private_key_pkcs8_pem']!;
const CERT_PEM = s2.derived['server_certificate_pem']!;
/** EncryptedExtensions' supported_groups in RFC 8448: x25519, P-256, P-384, P-521, ffdhe2048–8192. */
const RFC_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

/**
 * A context for a replay: the ticket key ring is made from another randomness source (a scripted
 * source must answer exactly the handshake's draws), and tickets are off unless a test wants them.
 */
function replayContext(provider: CryptoProvider, extra: Partial<ServerContextOptions> = {}): ServerContext {
  return new ServerContext({
    certificates: [{ cert: CERT_PEM, key: KEY_PEM }],
    allowWeakRsa: true,
    crypto: provider,
    tickets: 'off',
    ticketKeys: new TicketKeyRing(createNobleProvider(), { now: Date.now }),
    ...extra,
  });
}

const providers: [string, (random: RandomSource) => CryptoProvider][] = [
  ['noble', (random) => createNobleProvider({ random })],
  ['node', (random) => createNodeProvider({ random })],
];

/** Recovers the PSS salt of the RFC's CertificateVerify (the RFC does not print it). */
function pssSalt(sec: Rfc8448Section, transcriptMessages: string[], afterHrr = false): Uint8Array {
  const cv = value(sec, 'server.certificate_verify');
  const scheme = (cv[4]! << 8) | cv[5]!;
  const signature = cv.subarray(8);
  const provider = createNobleProvider();
  const msgs = transcriptMessages.map((n) => value(sec, n));
  // RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by message_hash.
  if (afterHrr) msgs[0] = Uint8Array.from([254, 0, 0, 32, ...provider.hash('sha256', msgs[0]!)]);
  const content = certificateVerifyContent(true, provider.hash('sha256', Buffer.concat(msgs)));
  const leaf = parseCertificateChain(CERT_PEM)[0]!;
  const salt = recoverPssSalt(leaf.publicKey, scheme, content, signature);
  if (!salt) throw new Error('could not recover the PSS salt');
  return salt;
}

describe.each(providers)('RFC 8448 §3 simple 1-RTT handshake (%s)', (_name, makeProvider) => {
  const s3 = loadRfc8448(3);
  const nst = value(s3, 'server.new_session_ticket');
  const rfcTicket = nst.subarray(17, 17 + ((nst[15]! << 8) | nst[16]!));
  it('reproduces every server record: flight, NewSessionTicket, application data, close_notify', () => {
    const sh = value(s3, 'server.hello');
    const random = scriptedRandom([CACHE_SEED, 
      { bytes: sh.subarray(6, 38), purpose: 'server_random' },
      { bytes: value(s3, 'server.x25519.private'), purpose: 'x25519' },
      { bytes: pssSalt(s3, ['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate']), purpose: 'pss_salt' },
      { bytes: nst.subarray(8, 12), purpose: 'ticket_age_add' },
    ]);
    // The RFC's one NewSessionTicket: a stateful ticket whose id is the published ticket,
    // lifetime 30 s, max_early_data 1024.
    const ctx = replayContext(makeProvider(random), {
      advertisedGroups: RFC_GROUPS,
      tickets: 'stateful',
      numTickets: 1,
      sessionTimeout: 30,
      maxEarlyData: 1024,
      ticketIdGenerator: () => rfcTicket,
    });
    const conn = new ServerConnection(ctx);
    const events: string[] = [];
    conn.on('handshakeComplete', () => events.push('handshakeComplete'));
    conn.on('error', (e) => events.push(`error ${e.message}`));
    const data: string[] = [];
    conn.on('data', (d) => data.push(toHex(d)));

    conn.receive(value(s3, 'client.hello.record'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s3, 'server.hello.record')) + toHex(value(s3, 'server.handshake.record')));
    expect(random.remaining).toBe(1); // ticket_age_add, drawn after the client's Finished

    conn.receive(value(s3, 'client.finished.record'));
    expect(events).toEqual(['handshakeComplete']);
    expect(conn.info).toMatchObject({ version: 0x0304, cipherSuite: 0x1301, group: 'x25519', signatureScheme: 0x0804, serverName: 'server', resumed: false });
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s3, 'server.new_session_ticket.record')));
    expect(random.remaining).toBe(0);
    expect(ctx.sessionCache.size).toBe(1);

    conn.receive(value(s3, 'client.application_data.record'));
    expect(data).toEqual([toHex(value(s3, 'client.application_data.record.payload'))]);
    conn.write(value(s3, 'server.application_data.record.payload'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s3, 'server.application_data.record')));

    // The client's close_notify ends its side; ours follows and the connection closes cleanly.
    let clean: boolean | undefined;
    conn.on('close', (c) => (clean = c));
    conn.receive(value(s3, 'client.alert.record'));
    expect(conn.peerClosed).toBe(true);
    conn.close();
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s3, 'server.alert.record')));
    expect(clean).toBe(true);
  });

  it('a wrong client Finished gets decrypt_error', () => {
    const sh = value(s3, 'server.hello');
    const random = scriptedRandom([CACHE_SEED, sh.subarray(6, 38), value(s3, 'server.x25519.private')], { whenExhausted: createNobleProvider().randomSource });
    const ctx = replayContext(makeProvider(random));
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

/** The `cookie` extension's cookie in a HelloRetryRequest message (RFC 8446 §4.2.2). */
function hrrCookie(hrr: Uint8Array): Uint8Array {
  // header(4) legacy_version(2) random(32) session_id<1> suite(2) compression(1) extensions<2>
  let o = 4 + 2 + 32;
  o += 1 + hrr[o]!;
  o += 3 + 2;
  while (o < hrr.length) {
    const type = (hrr[o]! << 8) | hrr[o + 1]!;
    const len = (hrr[o + 2]! << 8) | hrr[o + 3]!;
    if (type === 44) return hrr.slice(o + 6, o + 4 + len);
    o += 4 + len;
  }
  throw new Error('HelloRetryRequest without a cookie');
}

describe.each(providers)('RFC 8448 §5 HelloRetryRequest (%s)', (_name, makeProvider) => {
  const s5 = loadRfc8448(5);
  it('answers the x25519 ClientHello with the published HRR, then reproduces the P-256 flight', () => {
    const sh = value(s5, 'server.hello');
    const random = scriptedRandom([CACHE_SEED, 
      { bytes: sh.subarray(6, 38), purpose: 'server_random' },
      { bytes: value(s5, 'server.p256.private'), purpose: 'secp256r1' },
      { bytes: pssSalt(s5, ['client.hello_1', 'server.hello_retry_request', 'client.hello_2', 'server.hello', 'server.encrypted_extensions', 'server.certificate'], true), purpose: 'pss_salt' },
    ]);
    const cookie = hrrCookie(value(s5, 'server.hello_retry_request'));
    const ctx = replayContext(makeProvider(random), {
      groups: ['secp256r1', 'x25519'],
      groupSelection: 'server',
      advertisedGroups: [0x0017, 0x0018, 0x001d],
      hrrCookie: () => cookie,
    });
    const conn = new ServerConnection(ctx);
    const errors: unknown[] = [];
    conn.on('error', (e) => errors.push(e));
    conn.receive(value(s5, 'client.hello_1.record'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s5, 'server.hello_retry_request.record')));
    conn.receive(value(s5, 'client.hello_2.record'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s5, 'server.hello.record')) + toHex(value(s5, 'server.handshake.record')));
    conn.receive(value(s5, 'client.finished.record'));
    expect(errors).toEqual([]);
    expect(conn.info).toMatchObject({ group: 'secp256r1', helloRetry: true });
    conn.receive(value(s5, 'client.alert.record'));
    conn.close();
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s5, 'server.alert.record')));
    expect(random.remaining).toBe(0);
  });
});

describe.each(providers)('RFC 8448 §7 compatibility mode (%s)', (_name, makeProvider) => {
  const s7 = loadRfc8448(7);
  it('echoes the session id, sends one CCS after the ServerHello, and ignores the client CCS', () => {
    const sh = value(s7, 'server.hello');
    const random = scriptedRandom([CACHE_SEED, 
      { bytes: sh.subarray(6, 38), purpose: 'server_random' },
      { bytes: value(s7, 'server.x25519.private'), purpose: 'x25519' },
      { bytes: pssSalt(s7, ['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate']), purpose: 'pss_salt' },
    ]);
    const ctx = replayContext(makeProvider(random), { advertisedGroups: RFC_GROUPS });
    const conn = new ServerConnection(ctx);
    const errors: unknown[] = [];
    conn.on('error', (e) => errors.push(e));
    conn.receive(value(s7, 'client.hello.record'));
    expect(toHex(conn.takeOutput())).toBe(
      toHex(value(s7, 'server.hello.record')) + toHex(value(s7, 'server.change_cipher_spec.record')) + toHex(value(s7, 'server.handshake.record')),
    );
    conn.receive(value(s7, 'client.change_cipher_spec.record'));
    conn.receive(value(s7, 'client.finished.record'));
    expect(errors).toEqual([]);
    expect(conn.phase).toBe('open');
    conn.receive(value(s7, 'client.alert.record'));
    conn.close();
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s7, 'server.alert.record')));
  });
});

describe.each(providers)('RFC 8448 §4 resumed 0-RTT handshake through the session callbacks (%s)', (_name, makeProvider) => {
  const s3 = loadRfc8448(3);
  const s4 = loadRfc8448(4);
  it("§3's ticket goes to the new-session callback, §4's identity to the get callback; binder, 0-RTT and flight byte for byte", () => {
    // --- §3: the full handshake, its NewSessionTicket handed to an external store (a Map).
    const nst = value(s3, 'server.new_session_ticket');
    const rfcTicket = nst.subarray(17, 17 + ((nst[15]! << 8) | nst[16]!));
    const store = new Map<string, Uint8Array>();
    const T0 = Date.UTC(2026, 0, 1);
    const random3 = scriptedRandom([CACHE_SEED, 
      value(s3, 'server.hello').subarray(6, 38),
      value(s3, 'server.x25519.private'),
      pssSalt(s3, ['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate']),
      nst.subarray(8, 12),
    ]);
    const ctx3 = replayContext(makeProvider(random3), {
      advertisedGroups: RFC_GROUPS,
      tickets: 'stateful',
      numTickets: 1,
      sessionTimeout: 30,
      maxEarlyData: 1024,
      ticketIdGenerator: () => rfcTicket,
      now: () => T0,
      newSession: (_conn, session) => {
        store.set(toHex(session.id), encodeSession(session));
      },
    });
    const c3 = new ServerConnection(ctx3);
    c3.receive(value(s3, 'client.hello.record'));
    c3.receive(value(s3, 'client.finished.record'));
    expect(toHex(c3.takeOutput()).endsWith(toHex(value(s3, 'server.new_session_ticket.record')))).toBe(true);
    expect(store.size).toBe(1);

    // --- §4: a second server (its own cache: empty) that finds the session through the get callback.
    const ch = readClientHello(value(s4, 'client.hello.record').subarray(9));
    const identity = ch.ext.preSharedKey!.identities[0]!;
    expect(toHex(identity.identity)).toBe(toHex(rfcTicket));
    const clientAge = (identity.obfuscatedTicketAge - 0xfad6aac5) >>> 0;
    const looked: string[] = [];
    const random4 = scriptedRandom([CACHE_SEED, 
      { bytes: value(s4, 'server.hello').subarray(6, 38), purpose: 'server_random' },
      { bytes: value(s4, 'server.x25519.private'), purpose: 'x25519' },
    ]);
    const ctx4 = replayContext(makeProvider(random4), {
      advertisedGroups: RFC_GROUPS,
      tickets: 'stateful',
      numTickets: 0,
      maxEarlyData: 1024,
      now: () => T0 + clientAge,
      getSession: (_conn, id) => {
        looked.push(toHex(id));
        const blob = store.get(toHex(id));
        return blob ? decodeSession(blob) : undefined;
      },
    });
    const conn = new ServerConnection(ctx4);
    const events: string[] = [];
    conn.on('error', (e) => events.push(`error ${e.alert} ${e.reason} ${e.message}`));
    conn.on('earlyData', (d) => events.push(`early ${toHex(d)}`));
    conn.on('data', (d) => events.push(`data ${toHex(d)}`));
    conn.on('handshakeComplete', (info) => events.push(`complete resumed=${info.resumed} early=${info.earlyData} mode=${info.pskMode}`));

    conn.receive(value(s4, 'client.hello.record'));
    // The get callback saw the ticket's cache key (its SHA-256: stateful ids are at most 32 bytes).
    expect(looked).toEqual([toHex(createNobleProvider().hash('sha256', rfcTicket))]);
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s4, 'server.hello.record')) + toHex(value(s4, 'server.handshake.record')));
    expect(random4.remaining).toBe(0);

    conn.receive(value(s4, 'client.early_data.record'));
    conn.receive(value(s4, 'client.end_of_early_data.record'));
    conn.receive(value(s4, 'client.finished.record'));
    conn.receive(value(s4, 'client.application_data.record'));
    expect(events).toEqual([
      `early ${toHex(value(s4, 'client.early_data.record.payload'))}`,
      'complete resumed=true early=accepted mode=psk_dhe_ke',
      `data ${toHex(value(s4, 'client.application_data.record.payload'))}`,
    ]);
    // Single use: the ticket was consumed (the external store heard it through the remove callback or take).
    expect(ctx4.sessionStats.cbHits).toBe(1);

    conn.write(value(s4, 'server.application_data.record.payload'));
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s4, 'server.application_data.record')));
    conn.receive(value(s4, 'client.alert.record'));
    conn.close();
    expect(toHex(conn.takeOutput())).toBe(toHex(value(s4, 'server.alert.record')));
  });
});
