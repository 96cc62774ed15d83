/**
 * TLS KDFs through both providers: the RFC 8448 §3 key schedule (SHA-256), the illustrated TLS 1.3
 * schedule (SHA-384), the TLS 1.2 PRF vectors and the illustrated TLS 1.2 master secret / key
 * block / Finished.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../src/bytes';
import type { CryptoProvider, HashAlgorithm } from '../src/provider';
import { scriptedRandom } from '../src/random';
import { deriveSecret, hkdfExpandLabel, tls12Prf } from '../src/tls-kdf';
import { PROVIDERS, hex, loadJson, toHex } from './vectors';

const log: string[] = [];
afterAll(() => {
  for (const line of log) console.log(line);
});

type Values = Readonly<Record<string, string>>;
/** `values[key]`, failing loudly on a typo or a missing vector. */
function getter(file: string, values: Values): (key: string) => string {
  return (key) => {
    const v = values[key];
    if (v === undefined) throw new Error(`${file}: no value "${key}"`);
    return v;
  };
}

/** A provider that records every HKDF-Expand `info`, to check the HkdfLabel encoding. */
function recordingInfo(p: CryptoProvider): { p: CryptoProvider; infos: string[] } {
  const infos: string[] = [];
  const wrapped = Object.create(p) as CryptoProvider;
  wrapped.hkdfExpand = (alg, prk, info, length) => {
    infos.push(toHex(info));
    return p.hkdfExpand(alg, prk, info, length);
  };
  return { p: wrapped, infos };
}

describe.each(PROVIDERS)('TLS KDFs ($name)', ({ name, create }) => {
  it('RFC 8448 §3 key schedule (TLS_AES_128_GCM_SHA256)', () => {
    const file = 'rfc8448-section3.json';
    const v = getter(file, loadJson<{ values: Values }>(file).values);
    const { p, infos } = recordingInfo(create());
    const H: HashAlgorithm = 'sha256';
    let checks = 0;
    const check = (got: Uint8Array, key: string): void => {
      expect(toHex(got), key).toBe(v(key));
      checks++;
    };
    /** Derive-Secret, checking the transcript hash given in the vector, the HkdfLabel and the output. */
    const derive = (secret: Uint8Array, label: string, key: string, transcript?: Uint8Array[]): Uint8Array => {
      const th = hex(v(`${key}.hash`));
      if (transcript) check(p.hash(H, concatBytes(...transcript)), `${key}.hash`);
      const out = deriveSecret(p, H, secret, label, th);
      expect(infos.at(-1), `${key}.info`).toBe(v(`${key}.info`));
      check(out, key);
      return out;
    };
    const emptyHash = p.hash(H, new Uint8Array(0));

    // ECDHE: the server's X25519 private key injected where the engine draws it
    const kx = create(scriptedRandom([{ bytes: hex(v('server.x25519.private')), purpose: 'x25519' }])).keyShare('x25519', hex(v('client.x25519.public')));
    check(kx.serverShare, 'server.x25519.public');
    check(kx.sharedSecret, 'secret.handshake.ikm');

    const early = p.hkdfExtract(H, hex(v('secret.early.salt')), hex(v('secret.early.ikm')));
    check(early, 'secret.early');
    check(emptyHash, 'secret.derived_for_handshake.hash');
    const derivedHs = derive(early, 'derived', 'secret.derived_for_handshake');
    const hs = p.hkdfExtract(H, derivedHs, kx.sharedSecret);
    check(hs, 'secret.handshake');

    const ch = hex(v('client.hello')), sh = hex(v('server.hello'));
    const ee = hex(v('server.encrypted_extensions')), cert = hex(v('server.certificate')), cv = hex(v('server.certificate_verify'));
    const sfin = hex(v('server.finished')), cfin = hex(v('client.finished'));
    const cHs = derive(hs, 'c hs traffic', 'secret.client_handshake_traffic', [ch, sh]);
    const sHs = derive(hs, 's hs traffic', 'secret.server_handshake_traffic', [ch, sh]);
    const derivedMs = derive(hs, 'derived', 'secret.derived_for_master');
    const master = p.hkdfExtract(H, derivedMs, hex(v('secret.master.ikm')));
    check(master, 'secret.master');
    const cAp = derive(master, 'c ap traffic', 'secret.client_application_traffic_0', [ch, sh, ee, cert, cv, sfin]);
    const sAp = derive(master, 's ap traffic', 'secret.server_application_traffic_0', [ch, sh, ee, cert, cv, sfin]);
    derive(master, 'exp master', 'secret.exporter_master', [ch, sh, ee, cert, cv, sfin]);
    const resMaster = derive(master, 'res master', 'secret.resumption_master', [ch, sh, ee, cert, cv, sfin, cfin]);
    // RFC 8446 §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
    check(hkdfExpandLabel(p, H, resMaster, 'resumption', hex(v('secret.resumption.hash')), 32), 'secret.resumption');
    expect(infos.at(-1)).toBe(v('secret.resumption.info'));

    // RFC 8446 §7.3 traffic keys
    for (const [dir, secret] of [['server_handshake', sHs], ['client_handshake', cHs], ['server_application', sAp], ['client_application', cAp]] as const) {
      check(secret, `traffic.${dir}.secret`);
      check(hkdfExpandLabel(p, H, secret, 'key', new Uint8Array(0), 16), `traffic.${dir}.key`);
      expect(infos.at(-1)).toBe(v(`traffic.${dir}.key_info`));
      check(hkdfExpandLabel(p, H, secret, 'iv', new Uint8Array(0), 12), `traffic.${dir}.iv`);
      expect(infos.at(-1)).toBe(v(`traffic.${dir}.iv_info`));
    }

    // RFC 8446 §4.4.4 Finished: finished_key, then HMAC over the transcript hash (forked with clone())
    const transcript = p.createHash(H);
    for (const m of [ch, sh, ee, cert, cv]) transcript.update(m);
    for (const [who, base, th] of [
      ['server', sHs, transcript.clone().digest()],
      ['client', cHs, transcript.update(sfin).clone().digest()],
    ] as const) {
      check(base, `${who}.finished.base_key`);
      const fk = hkdfExpandLabel(p, H, base, 'finished', hex(v(`${who}.finished.hash`)), 32);
      expect(infos.at(-1)).toBe(v(`${who}.finished.info`));
      check(fk, `${who}.finished.finished_key`);
      check(p.hmac(H, fk, th), `${who}.finished.verify_data`);
    }
    log.push(`RFC 8448 §3 key schedule: ${checks} values (+ HkdfLabel infos) × ${name}`);
  });

  it('illustrated TLS 1.3 key schedule (TLS_AES_256_GCM_SHA384)', () => {
    const file = 'illustrated-tls13.json';
    const v = getter(file, loadJson<{ values: Values }>(file).values);
    const p = create();
    const H: HashAlgorithm = 'sha384';
    let checks = 0;
    const check = (got: Uint8Array, key: string): void => {
      expect(toHex(got), key).toBe(v(key));
      checks++;
    };
    const zeros = new Uint8Array(48);
    check(p.hash(H, new Uint8Array(0)), 'hash.empty');
    const kx = create(scriptedRandom([{ bytes: hex(v('server.x25519.private')), purpose: 'x25519' }])).keyShare('x25519', hex(v('client.x25519.public')));
    check(kx.serverShare, 'server.x25519.public');
    check(kx.sharedSecret, 'shared_secret');

    const early = p.hkdfExtract(H, new Uint8Array(0), zeros);
    check(early, 'secret.early');
    const derivedHs = deriveSecret(p, H, early, 'derived', hex(v('hash.empty')));
    check(derivedHs, 'secret.derived_for_handshake');
    const hs = p.hkdfExtract(H, derivedHs, kx.sharedSecret);
    check(hs, 'secret.handshake');
    const msgs = ['client.hello', 'server.hello', 'server.encrypted_extensions', 'server.certificate', 'server.certificate_verify', 'server.finished', 'client.finished'].map((k) => hex(v(k)));
    const th = (n: number, key: string): Uint8Array => {
      const h = p.hash(H, concatBytes(...msgs.slice(0, n)));
      check(h, key);
      return h;
    };
    const thSh = th(2, 'hash.client_hello..server_hello');
    const cHs = deriveSecret(p, H, hs, 'c hs traffic', thSh);
    const sHs = deriveSecret(p, H, hs, 's hs traffic', thSh);
    check(cHs, 'secret.client_handshake_traffic');
    check(sHs, 'secret.server_handshake_traffic');
    const master = p.hkdfExtract(H, deriveSecret(p, H, hs, 'derived', hex(v('hash.empty'))), zeros);
    check(deriveSecret(p, H, hs, 'derived', hex(v('hash.empty'))), 'secret.derived_for_master');
    check(master, 'secret.master');
    const thSf = th(6, 'hash.client_hello..server_finished');
    const cAp = deriveSecret(p, H, master, 'c ap traffic', thSf);
    const sAp = deriveSecret(p, H, master, 's ap traffic', thSf);
    check(cAp, 'secret.client_application_traffic_0');
    check(sAp, 'secret.server_application_traffic_0');
    check(deriveSecret(p, H, master, 'exp master', thSf), 'secret.exporter_master');
    const resMaster = deriveSecret(p, H, master, 'res master', th(7, 'hash.client_hello..client_finished'));
    check(resMaster, 'secret.resumption_master');
    for (const t of [1, 2]) {
      check(hkdfExpandLabel(p, H, resMaster, 'resumption', hex(v(`server.new_session_ticket_${t}.nonce`)), 48), `secret.resumption_psk_ticket_${t}`);
    }
    for (const [dir, secret] of [['server_handshake', sHs], ['client_handshake', cHs], ['server_application', sAp], ['client_application', cAp]] as const) {
      check(hkdfExpandLabel(p, H, secret, 'key', new Uint8Array(0), 32), `traffic.${dir}.key`);
      check(hkdfExpandLabel(p, H, secret, 'iv', new Uint8Array(0), 12), `traffic.${dir}.iv`);
    }
    const sfk = hkdfExpandLabel(p, H, sHs, 'finished', new Uint8Array(0), 48);
    check(sfk, 'server.finished.finished_key');
    check(p.hmac(H, sfk, th(5, 'hash.client_hello..server_certificate_verify')), 'server.finished.verify_data');
    const cfk = hkdfExpandLabel(p, H, cHs, 'finished', new Uint8Array(0), 48);
    check(cfk, 'client.finished.finished_key');
    check(p.hmac(H, cfk, thSf), 'client.finished.verify_data');
    log.push(`illustrated TLS 1.3 (SHA-384) key schedule: ${checks} values × ${name}`);
  });

  it('TLS 1.2 PRF vectors (P_SHA256, P_SHA384)', () => {
    const tests = loadJson<{ tests: { hash: string; secret: string; label_ascii: string; seed: string; output_length: number; output: string }[] }>('tls12-prf.json').tests;
    const p = create();
    const ALG: Record<string, HashAlgorithm> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384' };
    const notRun: string[] = [];
    let run = 0;
    for (const t of tests) {
      const alg = ALG[t.hash];
      if (alg === undefined) {
        notRun.push(t.hash); // no TLS 1.2 suite uses P_SHA224 / P_SHA512 (RFC 5246 §5, RFC 5289 §3)
        continue;
      }
      expect(toHex(tls12Prf(p, alg, hex(t.secret), t.label_ascii, hex(t.seed), t.output_length)), t.hash).toBe(t.output);
      // every prefix length gives the prefix (P_hash is a stream)
      expect(toHex(tls12Prf(p, alg, hex(t.secret), t.label_ascii, hex(t.seed), 13))).toBe(t.output.slice(0, 26));
      run++;
    }
    expect(run).toBe(2);
    log.push(`TLS 1.2 PRF: ${run} cases × ${name} (${notRun.join(', ')} not run: not a HashAlgorithm)`);
  });

  it('illustrated TLS 1.2: master secret, key block, Finished verify_data', () => {
    const file = 'illustrated-tls12.json';
    const v = getter(file, loadJson<{ values: Values }>(file).values);
    const p = create();
    const cr = hex(v('client.random')), sr = hex(v('server.random'));
    // RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]
    const ms = tls12Prf(p, 'sha256', hex(v('pre_master_secret')), 'master secret', concatBytes(cr, sr), 48);
    expect(toHex(ms)).toBe(v('master_secret'));
    // RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random + client_random)
    const kb = v('key_block');
    expect(toHex(tls12Prf(p, 'sha256', ms, 'key expansion', concatBytes(sr, cr), kb.length / 2))).toBe(kb);
    // RFC 5246 §7.4.9: verify_data = PRF(master, finished_label, Hash(handshake_messages))[0..11]
    expect(toHex(tls12Prf(p, 'sha256', ms, 'client finished', hex(v('hash.handshake_for_client_finished')), 12))).toBe(v('client.finished.verify_data'));
    expect(toHex(tls12Prf(p, 'sha256', ms, 'server finished', hex(v('hash.handshake_for_server_finished')), 12))).toBe(v('server.finished.verify_data'));
    log.push(`illustrated TLS 1.2 (PRF SHA-256): 4 values × ${name}`);
  });

  it('API misuse: RangeError / TypeError with the argument named', () => {
    const p = create();
    const s = new Uint8Array(32);
    expect(() => hkdfExpandLabel(p, 'sha256', s, 'x'.repeat(250), new Uint8Array(0), 32)).toThrow(/label/);
    expect(() => hkdfExpandLabel(p, 'sha256', s, 'key', new Uint8Array(256), 32)).toThrow(/context/);
    expect(() => hkdfExpandLabel(p, 'sha256', s, 'key', new Uint8Array(0), 0x10000)).toThrow(RangeError);
    expect(() => hkdfExpandLabel(p, 'sha256', s, 'clé', new Uint8Array(0), 16)).toThrow(TypeError);
    expect(() => deriveSecret(p, 'sha384', s, 'derived', new Uint8Array(32))).toThrow(/transcriptHash/);
    expect(() => tls12Prf(p, 'sha256', s, 'master secret', s, -1)).toThrow(RangeError);
    expect(tls12Prf(p, 'sha256', s, 'master secret', s, 0).length).toBe(0);
  });
});
