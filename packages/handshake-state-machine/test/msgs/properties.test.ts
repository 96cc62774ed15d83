import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTlsError } from '@puretls/record-layer';
import {
  decodeHandshake,
  readCertificate13,
  readCertificateVerify,
  readClientHello,
  readEncryptedExtensions,
  readHandshake,
  readNewSessionTicket13,
  readServerHello,
  writeCertificate13,
  writeCertificateVerify,
  writeClientHello,
  writeKeyShareClientHello,
  writeNewSessionTicket13,
  writePreSharedKeyClientHello,
  writeServerName,
  writeSupportedGroups,
  writeSupportedVersionsClientHello,
  type Extension,
} from '../../src/internal';
import { fixtures, hex, unalign, vec } from './helpers';

const LIMIT = { numRuns: 1500, interruptAfterTimeLimit: 8000 };

const CLIENT_HELLOS: Uint8Array[] = [
  vec(3, 'client.hello'),
  vec(4, 'client.hello.record.payload'),
  vec(5, 'client.hello_1'),
  vec(5, 'client.hello_2'),
  vec(7, 'client.hello'),
  ...fixtures().map((f) => f.bytes),
];
const SERVER_MESSAGES: Uint8Array[] = [
  vec(3, 'server.hello'),
  vec(5, 'server.hello_retry_request'),
  vec(3, 'server.encrypted_extensions'),
  vec(4, 'server.encrypted_extensions'),
  vec(3, 'server.certificate'),
  vec(6, 'client.certificate'),
  vec(6, 'server.certificate_request'),
  vec(3, 'server.certificate_verify'),
  vec(3, 'server.finished'),
  vec(3, 'server.new_session_ticket'),
  vec(4, 'client.end_of_early_data'),
];
const ALL = [...CLIENT_HELLOS, ...SERVER_MESSAGES];

/** Decodes a full handshake message: must succeed or throw TlsError, nothing else. */
function decode(raw: Uint8Array): unknown {
  return decodeHandshake(readHandshake(raw), { version: 0x0304, hashLength: 32 });
}
function onlyTlsError(raw: Uint8Array): void {
  try {
    decode(raw);
  } catch (e) {
    if (!isTlsError(e)) throw e;
  }
}

type Mutation = { kind: 'flip' | 'set' | 'insert' | 'delete'; at: number; value: number; len: number };
const mutation = fc.record({
  kind: fc.constantFrom('flip', 'set', 'insert', 'delete') as fc.Arbitrary<Mutation['kind']>,
  at: fc.nat(),
  value: fc.nat(255),
  len: fc.integer({ min: 1, max: 4 }),
});
function mutate(b: Uint8Array, ms: Mutation[]): Uint8Array {
  let out = Array.from(b);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << (m.value % 8));
    else if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'insert') out.splice(at, 0, ...Array(m.len).fill(m.value));
    else out.splice(at, m.len);
  }
  return Uint8Array.from(out);
}

describe('properties', () => {
  it('mutated RFC / real messages only ever throw TlsError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, ms) => {
        onlyTlsError(mutate(msg, ms));
        // Also with the header length patched to the mutated size, so the body parsers are reached.
        const m = mutate(msg, ms);
        if (m.length >= 4) {
          const n = m.length - 4;
          m[1] = (n >>> 16) & 0xff;
          m[2] = (n >>> 8) & 0xff;
          m[3] = n & 0xff;
          onlyTlsError(m);
        }
      }),
      LIMIT,
    );
  });

  it('random bytes behind a ClientHello header only throw TlsError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          readClientHello(b);
        } catch (e) {
          if (!isTlsError(e)) throw e;
        }
      }),
      LIMIT,
    );
  });

  it('no strict prefix of a valid message decodes', () => {
    for (const raw of ALL) {
      for (let n = 0; n < raw.length; n++) {
        expect(() => decode(raw.subarray(0, n))).toThrow();
      }
    }
  });

  it('no strict prefix of a ClientHello body decodes, except the extension-less TLS 1.2 shape', () => {
    for (const raw of CLIENT_HELLOS) {
      const body = readHandshake(raw).body;
      const sidLen = body[34]!;
      const suitesLen = (body[35 + sidLen]! << 8) | body[36 + sidLen]!;
      const compLen = body[37 + sidLen + suitesLen]!;
      const noExtensions = 38 + sidLen + suitesLen + compLen;
      for (let n = 0; n < body.length; n++) {
        if (n === noExtensions) expect(readClientHello(body.subarray(0, n)).extensionsPresent).toBe(false);
        else expect(() => readClientHello(body.subarray(0, n)), `prefix ${n}`).toThrow();
      }
    }
  });

  it('server-message bodies: no strict prefix decodes (but a ServerHello may end before its extensions, TLS 1.2)', () => {
    const readers: Array<[Uint8Array, (b: Uint8Array) => unknown]> = [
      [vec(3, 'server.hello'), readServerHello],
      [vec(3, 'server.encrypted_extensions'), readEncryptedExtensions],
      [vec(3, 'server.certificate'), readCertificate13],
      [vec(3, 'server.certificate_verify'), readCertificateVerify],
      [vec(3, 'server.new_session_ticket'), readNewSessionTicket13],
    ];
    for (const [raw, read] of readers) {
      const body = readHandshake(raw).body;
      const tls12End = read === readServerHello ? 38 + body[34]! : -1;
      for (let n = 0; n < body.length; n++) {
        if (n === tls12End) expect(readServerHello(body.subarray(0, n)).extensions).toEqual([]);
        else expect(() => read(body.subarray(0, n)), `prefix ${n}`).toThrow();
      }
    }
  });

  it('unaligned views decode the same', () => {
    for (const raw of ALL) expect(JSON.stringify(decode(unalign(raw)), replacer)).toBe(JSON.stringify(decode(raw), replacer));
  });

  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const groupsUnique = fc.uniqueArray(u16, { minLength: 1, maxLength: 4 });
  const clientHello = fc.record({
    random: bytes(32, 32),
    legacySessionId: bytes(0, 32),
    cipherSuites: fc.array(u16, { minLength: 1, maxLength: 20 }),
    legacyCompressionMethods: bytes(1, 3),
    host: fc.option(fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z0-9-]{1,20}){0,3}$/), { nil: undefined }),
    groups: groupsUnique,
    shares: fc.array(bytes(1, 70), { maxLength: 4 }),
    versions: fc.array(u16, { minLength: 1, maxLength: 5 }),
    unknown: fc.array(fc.record({ type: fc.integer({ min: 0x1000, max: 0x1fff }), data: bytes(0, 10) }), { maxLength: 3 }),
    psk: fc.option(
      fc.array(fc.record({ identity: bytes(1, 40), age: fc.integer({ min: 0, max: 0xffffffff }), binder: bytes(32, 48) }), { minLength: 1, maxLength: 3 }),
      { nil: undefined },
    ),
  });

  it('ClientHello: encode ∘ decode is the identity', () => {
    fc.assert(
      fc.property(clientHello, (p) => {
        const seen = new Set<number>();
        const extensions: Extension[] = [];
        const push = (e: Extension) => {
          if (!seen.has(e.type)) extensions.push(e);
          seen.add(e.type);
        };
        if (p.host !== undefined) push(writeServerName(p.host));
        push(writeSupportedGroups(p.groups));
        push(writeKeyShareClientHello(p.shares.slice(0, p.groups.length).map((k, i) => ({ group: p.groups[i]!, keyExchange: k }))));
        push(writeSupportedVersionsClientHello(p.versions));
        p.unknown.forEach(push);
        if (p.psk) {
          push(writePreSharedKeyClientHello({ identities: p.psk.map((x) => ({ identity: x.identity, obfuscatedTicketAge: x.age })), binders: p.psk.map((x) => x.binder) }));
        }
        const raw = writeClientHello({ ...p, extensions });
        const f = readHandshake(raw);
        const ch = readClientHello(f.body);
        expect(hex(writeClientHello(ch))).toBe(hex(raw));
        expect(ch.ext.serverName).toBe(p.host);
        expect(ch.ext.supportedGroups).toEqual(p.groups);
        expect(ch.ext.supportedVersions).toEqual(p.versions);
        if (p.psk) {
          expect(ch.ext.preSharedKey!.identities.length).toBe(p.psk.length);
          const bindersLen = 2 + p.psk.reduce((s, x) => s + 1 + x.binder.length, 0);
          expect(ch.truncatedLength).toBe(raw.length - bindersLen);
        }
      }),
      LIMIT,
    );
  });

  it('server messages: encode ∘ decode is the identity', () => {
    fc.assert(
      fc.property(
        fc.record({
          lifetime: fc.integer({ min: 0, max: 604800 }),
          ageAdd: fc.integer({ min: 0, max: 0xffffffff }),
          nonce: bytes(0, 255),
          ticket: bytes(1, 300),
          certs: fc.array(bytes(1, 100), { maxLength: 4 }),
          alg: u16,
          sig: bytes(0, 300),
        }),
        (p) => {
          const nst = writeNewSessionTicket13({ ticketLifetime: p.lifetime, ticketAgeAdd: p.ageAdd, ticketNonce: p.nonce, ticket: p.ticket, extensions: [] });
          expect(hex(writeNewSessionTicket13(readNewSessionTicket13(readHandshake(nst).body)))).toBe(hex(nst));
          const cert = writeCertificate13({ requestContext: new Uint8Array(0), entries: p.certs.map((c) => ({ certData: c, extensions: [] })) });
          expect(hex(writeCertificate13(readCertificate13(readHandshake(cert).body)))).toBe(hex(cert));
          const cv = writeCertificateVerify({ algorithm: p.alg, signature: p.sig });
          expect(hex(writeCertificateVerify(readCertificateVerify(readHandshake(cv).body)))).toBe(hex(cv));
        },
      ),
      LIMIT,
    );
  });
});

function replacer(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? hex(v) : v;
}
