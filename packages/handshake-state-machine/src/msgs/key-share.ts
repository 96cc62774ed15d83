/**
 * key_share (RFC 8446 §4.2.8): three shapes, one per message.
 */
import { Reader, TlsError } from '@puretls/record-layer';
import { ExtensionType } from './enums';
import { makeExtension, type Extension } from './extensions';
import type { Writer } from '@puretls/record-layer';

// RFC 8446 §4.2.8  struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
/** One offered or selected key share. `keyExchange` is a view into the message. */
export interface KeyShareEntry {
  /** `group`: a `NamedGroup` value, or unknown / GREASE. */
  readonly group: number;
  /** `key_exchange`: the public value (X25519: 32 bytes; P-256: 65-byte uncompressed point). */
  readonly keyExchange: Uint8Array;
}

function readEntry(r: Reader): KeyShareEntry {
  return { group: r.u16(), keyExchange: r.vec16({ min: 1 }).rest() };
}

function writeEntry(w: Writer, e: KeyShareEntry): void {
  if (e.keyExchange.length === 0) throw new RangeError('key_share: empty key_exchange');
  w.u16(e.group).vec16((w) => w.bytes(e.keyExchange));
}

// RFC 8446 §4.2.8  struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
/**
 * Reads the ClientHello key_share: the client's shares in preference order (GREASE kept). The
 * list may be empty (a client asking for HelloRetryRequest). RFC 8446 §4.2.8: "Clients MUST NOT
 * offer multiple KeyShareEntry values for the same group." Whether each share's group is in
 * supported_groups is the state machine's check (`KeyShareGroupNotOffered`).
 *
 * @throws TlsError `DuplicateKeyShare` (illegal_parameter) for two shares of one group;
 *   `EmptyVector` (decode_error) for a zero-length key_exchange; `Truncated`/`TrailingData`
 *   (decode_error) for bad lengths.
 */
export function readKeyShareClientHello(data: Uint8Array): KeyShareEntry[] {
  return new Reader(data, 'key_share').all('key_share', (r) => {
    const entries = r.vec16().list(readEntry);
    const seen = new Set<number>();
    for (const e of entries) {
      if (seen.has(e.group)) throw new TlsError('DuplicateKeyShare', `key_share: group ${e.group} offered twice`);
      seen.add(e.group);
    }
    return entries;
  });
}

/**
 * Writes the ClientHello key_share.
 *
 * @throws RangeError for an empty key_exchange.
 */
export function writeKeyShareClientHello(entries: readonly KeyShareEntry[]): Extension {
  return makeExtension(ExtensionType.key_share, (w) => w.vec16((w) => entries.forEach((e) => writeEntry(w, e))));
}

// RFC 8446 §4.2.8  struct { KeyShareEntry server_share; } KeyShareServerHello;
/**
 * Reads the ServerHello key_share.
 *
 * @throws TlsError `EmptyVector`/`Truncated`/`TrailingData` (decode_error).
 */
export function readKeyShareServerHello(data: Uint8Array): KeyShareEntry {
  return new Reader(data, 'key_share').all('key_share', readEntry);
}

/**
 * Writes the ServerHello key_share (the server's share of the selected group).
 *
 * @throws RangeError for an empty key_exchange.
 */
export function writeKeyShareServerHello(entry: KeyShareEntry): Extension {
  return makeExtension(ExtensionType.key_share, (w) => writeEntry(w, entry));
}

// RFC 8446 §4.2.8  struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;
/**
 * Reads the HelloRetryRequest key_share: the group the client must retry with.
 *
 * @throws TlsError `Truncated`/`TrailingData` (decode_error).
 */
export function readKeyShareHelloRetryRequest(data: Uint8Array): number {
  return new Reader(data, 'key_share').all('key_share', (r) => r.u16());
}

/** Writes the HelloRetryRequest key_share (`selected_group`). */
export function writeKeyShareHelloRetryRequest(selectedGroup: number): Extension {
  return makeExtension(ExtensionType.key_share, (w) => w.u16(selectedGroup));
}
