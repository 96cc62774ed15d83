/**
 * RFC 8448 §3 (Simple 1-RTT Handshake, TLS_AES_128_GCM_SHA256): every record of the trace
 * decrypts with the published keys and ivs to the published plaintext, and re-encrypts to the
 * published bytes — through the protection objects and through a whole server-side RecordLayer.
 */
import { describe, expect, it } from 'vitest';
import { ContentType, RecordLayer, RecordReader, createDecrypter, createEncrypter, type RecordEvent, type TrafficKeys } from '../src/index';
import { PROVIDERS, concat, hex, loadRfc8448 } from './helpers';

const v = loadRfc8448(3);
const val = (k: string): Uint8Array => {
  const s = v[k];
  if (s === undefined) throw new Error(`missing vector value ${k}`);
  return hex(s);
};
const keys = (owner: string): TrafficKeys => ({
  version: 'tls13',
  algorithm: 'aes-128-gcm',
  key: val(`traffic.${owner}.key`),
  iv: val(`traffic.${owner}.iv`),
});

/** Encrypted records of §3: name, traffic key owner, sequence number, inner content type. */
const RECORDS = [
  ['server.handshake', 'server_handshake', 0, ContentType.handshake],
  ['client.finished', 'client_handshake', 0, ContentType.handshake],
  ['server.new_session_ticket', 'server_application', 0, ContentType.handshake],
  ['client.application_data', 'client_application', 0, ContentType.application_data],
  ['server.application_data', 'server_application', 1, ContentType.application_data],
  ['client.alert', 'client_application', 1, ContentType.alert],
  ['server.alert', 'server_application', 2, ContentType.alert],
] as const;
console.log(`RFC 8448 §3: ${RECORDS.length} encrypted records`);

describe.each(PROVIDERS)('RFC 8448 §3 records with the %s provider', (_name, provider) => {
  it.each(RECORDS)('%s.record decrypts to the payload and re-encrypts byte for byte', (name, owner, seq, type) => {
    const wire = val(`${name}.record`);
    const payload = val(`${name}.record.payload`);
    const reader = new RecordReader();
    reader.maxFragmentLength = 2 ** 14 + 256;
    reader.version = 'tls13';
    reader.push(wire.slice()); // a copy: opening is in place
    const rec = reader.next()!;
    expect(reader.next()).toBeNull();
    const dec = createDecrypter(provider, { ...keys(owner), initialSequenceNumber: BigInt(seq) });
    const opened = dec.open(rec)!;
    expect(opened).not.toBeNull();
    expect(opened.type).toBe(type);
    expect(opened.content).toEqual(payload);

    const enc = createEncrypter(provider, { ...keys(owner), initialSequenceNumber: BigInt(seq) });
    const out = new Uint8Array(enc.recordLength(payload.length, 0));
    enc.sealInto(type, payload, 0, out, 0);
    expect(out).toEqual(wire);
  });

  it('a server-side RecordLayer replays the whole §3 exchange', () => {
    const rl = new RecordLayer({ provider });
    const events = (bytes: Uint8Array): RecordEvent[] => {
      rl.receive(bytes.slice());
      return [...rl.events()];
    };
    // ClientHello, in a record with legacy_record_version 0x0301
    const ch = events(val('client.hello.record'));
    expect(ch).toHaveLength(1);
    expect(ch[0]!.kind === 'handshake' && ch[0]!.raw).toEqual(val('client.hello'));
    rl.setVersion('tls13');
    rl.writeHandshake(val('server.hello'));
    rl.setWriteProtection(keys('server_handshake'));
    expect(rl.takeOutput()).toEqual(val('server.hello.record'));
    // the server's encrypted flight: four messages coalesced into one record
    const flight = [val('server.encrypted_extensions'), val('server.certificate'), val('server.certificate_verify'), val('server.finished')];
    expect(concat(...flight)).toEqual(val('server.handshake.record.payload'));
    rl.writeHandshake(...flight);
    rl.setReadProtection(keys('client_handshake'));
    rl.setWriteProtection(keys('server_application'));
    expect(rl.takeOutput()).toEqual(val('server.handshake.record'));
    const fin = events(val('client.finished.record'));
    expect(fin.map((e) => e.kind === 'handshake' && e.raw)).toEqual([val('client.finished')]);
    rl.setReadProtection(keys('client_application'));
    rl.setHandshakeComplete();
    rl.writeHandshake(val('server.new_session_ticket'));
    expect(rl.takeOutput()).toEqual(val('server.new_session_ticket.record'));
    const app = events(val('client.application_data.record'));
    expect(app).toEqual([{ kind: 'applicationData', data: val('client.application_data.record.payload') }]);
    rl.writeApplicationData(val('server.application_data.record.payload'));
    expect(rl.takeOutput()).toEqual(val('server.application_data.record'));
    expect(events(val('client.alert.record'))).toEqual([{ kind: 'alert', level: 1, description: 0 }]);
    rl.writeAlert('close_notify');
    expect(rl.takeOutput()).toEqual(val('server.alert.record'));
    expect(rl.readKeyUsage.records).toBe(2);
    expect(rl.writeKeyUsage.records).toBe(3);
  });

  it('the same exchange fed one byte at a time gives the same events', () => {
    const rl = new RecordLayer({ provider });
    const all: RecordEvent[] = [];
    const feed = (bytes: Uint8Array) => {
      const b = bytes.slice();
      for (let i = 0; i < b.length; i++) {
        rl.receive(b.subarray(i, i + 1));
        all.push(...rl.events());
      }
    };
    feed(val('client.hello.record'));
    rl.setVersion('tls13');
    rl.setReadProtection(keys('client_handshake'));
    feed(val('client.finished.record'));
    rl.setReadProtection(keys('client_application'));
    feed(concat(val('client.application_data.record'), val('client.alert.record')));
    expect(all.map((e) => e.kind)).toEqual(['handshake', 'handshake', 'applicationData', 'alert']);
    expect(all[2]!.kind === 'applicationData' && all[2]!.data).toEqual(val('client.application_data.record.payload'));
  });
});
