import { describe, expect, it } from 'vitest';
import { Writer } from '@puretls/record-layer';
import {
  CipherSuite,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureScheme,
  isGrease,
  makeExtension,
  readClientHello,
  readHandshake,
  truncatedClientHello,
  writeClientHello,
  writeKeyShareClientHello,
  writePreSharedKeyClientHello,
  writeServerName,
  writeSupportedVersionsClientHello,
  type Extension,
} from '../../src/internal';
import { expectTlsError, fixtures, hex, unalign, unhex, vec } from './helpers';

const SUITES_8448 = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384];
const GROUPS_8448 = [
  NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1,
  NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096, NamedGroup.ffdhe6144, NamedGroup.ffdhe8192,
];
const SIGS_8448 = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];

function ch(raw: Uint8Array) {
  const f = readHandshake(raw);
  expect(f.type).toBe(HandshakeType.client_hello);
  return { frame: f, ch: readClientHello(f.body) };
}

describe('ClientHello: RFC 8448', () => {
  it('§3 simple 1-RTT ClientHello', () => {
    const { ch: c } = ch(vec(3, 'client.hello'));
    expect(c.legacyVersion).toBe(0x0303);
    expect(c.legacySessionId.length).toBe(0);
    expect(c.cipherSuites).toEqual(SUITES_8448);
    expect([...c.legacyCompressionMethods]).toEqual([0]);
    expect(c.ext.serverName).toBe('server');
    expect(c.ext.supportedGroups).toEqual(GROUPS_8448);
    expect(c.ext.signatureAlgorithms).toEqual(SIGS_8448);
    expect(c.ext.supportedVersions).toEqual([ProtocolVersion.TLSv1_3]);
    expect(c.ext.pskKeyExchangeModes).toEqual([PskKeyExchangeMode.psk_dhe_ke]);
    expect(c.ext.recordSizeLimit).toBe(0x4001);
    expect(c.ext.renegotiationInfo?.length).toBe(0);
    expect(c.ext.sessionTicket?.length).toBe(0);
    expect(c.ext.keyShare?.length).toBe(1);
    expect(c.ext.keyShare?.[0]?.group).toBe(NamedGroup.x25519);
    expect(hex(c.ext.keyShare![0]!.keyExchange)).toBe(hex(vec(3, 'client.x25519.public')));
    expect(c.ext.earlyData).toBe(false);
    expect(c.ext.preSharedKey).toBeUndefined();
    expect(c.truncatedLength).toBeUndefined();
    expect(c.extensions.map((e) => e.type)).toEqual([0, 0xff01, 10, 35, 51, 43, 13, 45, 28]);
  });

  it('§4 resumed ClientHello: PSK identity, binder and truncation offset', () => {
    const raw = vec(4, 'client.hello.record.payload');
    expect(raw.length).toBe(512);
    const { frame, ch: c } = ch(raw);
    const psk = c.ext.preSharedKey!;
    expect(psk.identities.length).toBe(1);
    expect(psk.identities[0]!.identity.length).toBe(178);
    // The identity is §3's ticket, the binder is §4's client.psk_binder.
    const nst = vec(3, 'server.new_session_ticket');
    expect(hex(nst)).toContain(hex(psk.identities[0]!.identity));
    expect(psk.binders.map(hex)).toEqual([hex(vec(4, 'client.psk_binder'))]);
    const partial = vec(4, 'client.hello.partial');
    expect(c.truncatedLength).toBe(partial.length);
    expect(c.truncatedLength).toBe(477);
    expect(hex(truncatedClientHello(frame.raw, c))).toBe(hex(partial));
    expect(c.ext.earlyData).toBe(true);
    expect(c.ext.pskKeyExchangeModes).toEqual([PskKeyExchangeMode.psk_dhe_ke]);
    expect(c.extensions.at(-2)?.type).toBe(ExtensionType.padding);
    expect(c.extensions.at(-1)?.type).toBe(ExtensionType.pre_shared_key);
  });

  it('§5 ClientHello1 (x25519) and ClientHello2 (P-256 after HRR, with cookie)', () => {
    const { ch: c1 } = ch(vec(5, 'client.hello_1'));
    expect(c1.ext.keyShare?.map((k) => k.group)).toEqual([NamedGroup.x25519]);
    expect(c1.ext.cookie).toBeUndefined();
    const { ch: c2 } = ch(vec(5, 'client.hello_2'));
    expect(c2.ext.keyShare?.map((k) => k.group)).toEqual([NamedGroup.secp256r1]);
    expect(hex(c2.ext.keyShare![0]!.keyExchange)).toBe(hex(vec(5, 'client.p256.public')));
    const hrr = vec(5, 'server.hello_retry_request');
    expect(hex(hrr)).toContain(hex(c2.ext.cookie!));
    expect(c2.ext.cookie!.length).toBe(0x72);
    expect(hex(c2.random)).toBe(hex(c1.random));
    expect(c2.cipherSuites).toEqual(c1.cipherSuites);
  });

  it('§7 compatibility mode: 32-byte legacy_session_id', () => {
    const { ch: c } = ch(vec(7, 'client.hello'));
    expect(c.legacySessionId.length).toBe(32);
    expect(c.cipherSuites).toEqual(SUITES_8448);
  });

  it('parses the same from an unaligned view', () => {
    const raw = vec(4, 'client.hello.record.payload');
    const a = ch(raw).ch, b = ch(unalign(raw)).ch;
    expect(b.truncatedLength).toBe(a.truncatedLength);
    expect(b.extensions.map((e) => hex(e.data))).toEqual(a.extensions.map((e) => hex(e.data)));
  });

  it('re-encodes each RFC ClientHello byte for byte from its fields', () => {
    for (const raw of [vec(3, 'client.hello'), vec(4, 'client.hello.record.payload'), vec(5, 'client.hello_1'), vec(5, 'client.hello_2'), vec(7, 'client.hello')]) {
      const c = ch(raw).ch;
      const again = writeClientHello(c);
      expect(hex(again)).toBe(hex(raw));
    }
  });
});

describe('ClientHello: real clients', () => {
  const all = fixtures();
  it('has the captured fixtures', () => {
    expect(all.map((f) => f.name)).toEqual(['node20-psk', 'node20-tls', 'openssl3-default', 'openssl3-psk', 'openssl3-tls13']);
  });
  for (const f of all) {
    it(`parses ${f.name}`, () => {
      const { frame, ch: c } = ch(f.bytes);
      expect(c.cipherSuites).toContain(CipherSuite.TLS_AES_128_GCM_SHA256);
      expect(c.cipherSuites).toContain(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
      expect(c.ext.supportedVersions).toContain(ProtocolVersion.TLSv1_3);
      expect(c.ext.keyShare?.[0]?.group).toBe(NamedGroup.x25519);
      expect(c.ext.keyShare?.[0]?.keyExchange.length).toBe(32);
      expect(c.ext.extendedMasterSecret).toBe(true);
      expect(c.ext.encryptThenMac).toBe(true);
      expect(c.ext.ecPointFormats).toEqual([0, 1, 2]);
      expect(c.ext.serverName).toMatch(/^(localhost|example\.com|www\.example\.org)$/);
      expect(c.ext.signatureAlgorithms).toContain(SignatureScheme.ecdsa_secp256r1_sha256);
      expect(c.ext.signatureAlgorithms).toContain(SignatureScheme.rsa_pss_rsae_sha256);
      expect(c.ext.pskKeyExchangeModes).toEqual([PskKeyExchangeMode.psk_dhe_ke]);
      expect(c.legacySessionId.length).toBe(32); // both send a compatibility-mode session id
      if (f.name.endsWith('-psk')) {
        const psk = c.ext.preSharedKey!;
        expect(psk.identities.length).toBe(1);
        expect(psk.binders[0]!.length).toBe(48); // TLS_AES_256_GCM_SHA384 session: SHA-384 binder
        const t = truncatedClientHello(frame.raw, c);
        // What follows the truncation point is exactly the binders vector.
        const rest = frame.raw.subarray(t.length);
        expect((rest[0]! << 8) | rest[1]!).toBe(rest.length - 2);
      } else {
        expect(c.truncatedLength).toBeUndefined();
      }
      if (f.name === 'openssl3-default' || f.name === 'node20-tls') {
        expect(c.ext.alpn?.map((p) => Buffer.from(p).toString())).toEqual(['h2', 'http/1.1']);
      }
      expect(hex(writeClientHello(c))).toBe(hex(f.bytes));
    });
  }

  it('ignores GREASE and padding like a Chrome ClientHello (RFC 8701, RFC 7685)', () => {
    const grease = (n: number) => n * 0x1010 + 0x0a0a;
    const raw = writeClientHello({
      random: new Uint8Array(32).fill(7),
      legacySessionId: new Uint8Array(32).fill(1),
      cipherSuites: [grease(3), 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f],
      extensions: [
        { type: grease(10), data: new Uint8Array(0) },
        writeServerName('www.example.com'),
        makeExtension(ExtensionType.supported_groups, (w) => w.vec16((w) => w.u16(grease(5)).u16(0x11ec).u16(29).u16(23))),
        writeKeyShareClientHello([
          { group: grease(5), keyExchange: new Uint8Array([0]) },
          { group: 29, keyExchange: new Uint8Array(32).fill(9) },
        ]),
        writeSupportedVersionsClientHello([grease(6), 0x0304, 0x0303]),
        makeExtension(ExtensionType.psk_key_exchange_modes, (w) => w.vec8((w) => w.u8(1).u8(0x2a))),
        { type: 17513, data: unhex('0003026832') }, // application_settings, unknown to us
        { type: grease(14), data: new Uint8Array([0]) },
        { type: ExtensionType.padding, data: new Uint8Array(200) },
      ],
    });
    const { ch: c } = ch(raw);
    expect(c.cipherSuites.filter(isGrease)).toEqual([0x3a3a]);
    expect(c.ext.keyShare?.map((k) => k.group)).toEqual([0x5a5a, 29]);
    expect(c.ext.supportedVersions).toEqual([0x6a6a, 0x0304, 0x0303]);
    expect(c.ext.serverName).toBe('www.example.com');
    expect(c.extensions.filter((e) => isGrease(e.type)).length).toBe(2);
    expect(c.extensions.at(-1)?.type).toBe(ExtensionType.padding);
  });
});

// ---- negative tests --------------------------------------------------------------------------

/** Builds a ClientHello body with the given parts (defaults: a minimal valid TLS 1.3 one). */
function body(opts: { sid?: Uint8Array; suites?: Uint8Array; comp?: Uint8Array; exts?: readonly Extension[] | Uint8Array | null } = {}): Uint8Array {
  const w = new Writer();
  w.u16(0x0303).bytes(new Uint8Array(32));
  w.vec8((w) => w.bytes(opts.sid ?? new Uint8Array(0)));
  w.vec16((w) => w.bytes(opts.suites ?? unhex('1301')));
  w.vec8((w) => w.bytes(opts.comp ?? unhex('00')));
  const e = opts.exts === undefined ? [writeSupportedVersionsClientHello([0x0304])] : opts.exts;
  if (e instanceof Uint8Array) w.bytes(e);
  else if (e !== null) w.vec16((w) => e.forEach((x) => w.u16(x.type).vec16((w) => w.bytes(x.data))));
  return w.finish();
}
const PSK = writePreSharedKeyClientHello({ identities: [{ identity: new Uint8Array(16), obfuscatedTicketAge: 1 }], binders: [new Uint8Array(32)] });

describe('ClientHello: rejects', () => {
  it('accepts the minimal shapes (with and without an extensions block)', () => {
    expect(readClientHello(body()).ext.supportedVersions).toEqual([0x0304]);
    const tls12 = readClientHello(body({ exts: null }));
    expect(tls12.extensionsPresent).toBe(false);
    expect(tls12.extensions).toEqual([]);
    expect(readClientHello(body({ exts: [] })).extensionsPresent).toBe(true);
  });
  it('trailing bytes', () => expectTlsError(() => readClientHello(Uint8Array.of(...body(), 0)), 'decode_error', 'TrailingData'));
  it('truncated random', () => expectTlsError(() => readClientHello(unhex('0303' + '00'.repeat(31))), 'decode_error', 'Truncated'));
  it('session id longer than 32', () =>
    expectTlsError(() => readClientHello(body({ sid: new Uint8Array(33) })), 'decode_error', 'BadVectorLength'));
  it('odd cipher_suites length', () => expectTlsError(() => readClientHello(body({ suites: unhex('130113') })), 'decode_error', 'BadVectorLength'));
  it('empty cipher_suites', () => expectTlsError(() => readClientHello(body({ suites: new Uint8Array(0) })), 'decode_error', 'EmptyVector'));
  it('empty compression methods', () => expectTlsError(() => readClientHello(body({ comp: new Uint8Array(0) })), 'decode_error', 'EmptyVector'));
  it('a lone byte where extensions should be', () => expectTlsError(() => readClientHello(body({ exts: unhex('00') })), 'decode_error', 'Truncated'));
  it('extension block length overruns', () => expectTlsError(() => readClientHello(body({ exts: unhex('0005002b0000') })), 'decode_error', 'Truncated'));
  it('duplicate extension', () =>
    expectTlsError(
      () => readClientHello(body({ exts: [writeServerName('a.example'), writeServerName('b.example')] })),
      'illegal_parameter',
      'DuplicateExtension',
    ));
  it('duplicate unknown (GREASE) extension too', () =>
    expectTlsError(
      () => readClientHello(body({ exts: [{ type: 0x0a0a, data: new Uint8Array(0) }, { type: 0x0a0a, data: new Uint8Array(1) }] })),
      'illegal_parameter',
      'DuplicateExtension',
    ));
  it('pre_shared_key not last', () =>
    expectTlsError(
      () => readClientHello(body({ exts: [PSK, writeSupportedVersionsClientHello([0x0304])] })),
      'illegal_parameter',
      'PskNotLastExtension',
    ));
  it('pre_shared_key not last in the RFC 8448 §4 ClientHello (padding moved after it)', () => {
    const c = readClientHello(readHandshake(vec(4, 'client.hello.record.payload')).body);
    const exts = [...c.extensions];
    const [pad] = exts.splice(exts.length - 2, 1);
    exts.push(pad!);
    const raw = writeClientHello({ ...c, extensions: exts });
    expectTlsError(() => readClientHello(readHandshake(raw).body), 'illegal_parameter', 'PskNotLastExtension');
  });
  it('propagates typed extension errors', () => {
    expectTlsError(
      () => readClientHello(body({ exts: [{ type: ExtensionType.record_size_limit, data: unhex('003f') }] })),
      'illegal_parameter',
      'BadRecordSizeLimit',
    );
    expectTlsError(
      () => readClientHello(body({ exts: [{ type: ExtensionType.early_data, data: unhex('00') }] })),
      'decode_error',
      'TrailingData',
    );
  });
  it('truncatedClientHello misuse', () => {
    const raw = vec(3, 'client.hello');
    const c = readClientHello(raw.subarray(4));
    expect(() => truncatedClientHello(raw, c)).toThrow(TypeError);
  });
});
