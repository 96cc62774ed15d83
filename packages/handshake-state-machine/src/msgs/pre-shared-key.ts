/**
 * pre_shared_key (RFC 8446 §4.2.11): the client's offered identities and binders, and the
 * server's selected identity.
 */
import { Reader, TlsError } from '@puretls/record-layer';
import { ExtensionType } from './enums';
import { makeExtension, type Extension } from './extensions';

// RFC 8446 §4.2.11  struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
/** One offered PSK identity; `identity` is a view into the message. */
export interface PskIdentity {
  /** The ticket (or external PSK identity). */
  readonly identity: Uint8Array;
  /** `obfuscated_ticket_age`: the ticket age in ms plus `ticket_age_add`, mod 2^32. */
  readonly obfuscatedTicketAge: number;
}

// RFC 8446 §4.2.11  opaque PskBinderEntry<32..255>;
//   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
/** The ClientHello pre_shared_key. `identities[i]` goes with `binders[i]`. */
export interface OfferedPsks {
  readonly identities: readonly PskIdentity[];
  /** One HMAC per identity (views). */
  readonly binders: readonly Uint8Array[];
  /**
   * Offset, within this extension's `extension_data`, of the binders vector (its 2-byte length
   * included). Invariant: `2 <= bindersOffset < data.length`. The ClientHello turns it into
   * `truncatedLength` (RFC 8446 §4.2.11.2).
   */
  readonly bindersOffset: number;
}

/**
 * Reads the ClientHello pre_shared_key. RFC 8446 §4.2.11: "there MUST be one binder for each
 * identity"; the lengths are checked here, the HMACs by the state machine.
 *
 * @throws TlsError `PskIdentityBinderMismatch` (illegal_parameter) when the counts differ;
 *   `EmptyVector`/`BadVectorLength`/`Truncated`/`TrailingData` (decode_error) for bad lengths
 *   (identities `<7..2^16-1>`, identity `<1..2^16-1>`, binders `<33..2^16-1>`, binder `<32..255>`).
 */
export function readPreSharedKeyClientHello(data: Uint8Array): OfferedPsks {
  return new Reader(data, 'pre_shared_key').all('pre_shared_key', (r) => {
    const identities = r.vec16({ min: 7 }).list((r) => ({
      identity: r.vec16({ min: 1 }).rest(),
      obfuscatedTicketAge: r.u32(),
    }));
    const bindersOffset = r.position;
    const binders = r.vec16({ min: 33 }).list((r) => r.vec8({ min: 32 }).rest());
    if (binders.length !== identities.length) {
      throw new TlsError('PskIdentityBinderMismatch', `pre_shared_key: ${identities.length} identities, ${binders.length} binders`);
    }
    return { identities, binders, bindersOffset };
  });
}

/**
 * Writes the ClientHello pre_shared_key (for tests and clients; binders may be placeholders of
 * the right length, to be patched after hashing the truncated ClientHello).
 *
 * @throws RangeError when the counts differ, an identity is empty or a binder is not 32..255 bytes.
 */
export function writePreSharedKeyClientHello(psks: Pick<OfferedPsks, 'identities' | 'binders'>): Extension {
  if (psks.identities.length === 0 || psks.identities.length !== psks.binders.length) {
    throw new RangeError(`writePreSharedKeyClientHello: ${psks.identities.length} identities, ${psks.binders.length} binders`);
  }
  return makeExtension(ExtensionType.pre_shared_key, (w) => {
    w.vec16((w) => {
      for (const id of psks.identities) {
        if (id.identity.length === 0) throw new RangeError('writePreSharedKeyClientHello: empty identity');
        w.vec16((w) => w.bytes(id.identity)).u32(id.obfuscatedTicketAge);
      }
    });
    w.vec16((w) => {
      for (const b of psks.binders) {
        if (b.length < 32 || b.length > 255) throw new RangeError(`writePreSharedKeyClientHello: binder of ${b.length} bytes`);
        w.vec8((w) => w.bytes(b));
      }
    });
  });
}

// RFC 8446 §4.2.11  select (Handshake.msg_type) { case server_hello: uint16 selected_identity; };
/**
 * Reads the ServerHello pre_shared_key: the index of the chosen identity.
 *
 * @throws TlsError `Truncated`/`TrailingData` (decode_error).
 */
export function readPreSharedKeyServerHello(data: Uint8Array): number {
  return new Reader(data, 'pre_shared_key').all('pre_shared_key', (r) => r.u16());
}

/** Writes the ServerHello pre_shared_key (`selected_identity`, 0-based). */
export function writePreSharedKeyServerHello(selectedIdentity: number): Extension {
  return makeExtension(ExtensionType.pre_shared_key, (w) => w.u16(selectedIdentity));
}
