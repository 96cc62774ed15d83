/**
 * `RecordLayer`: what the handshake state machine talks to. Sans-IO: bytes in through `receive`,
 * events out through `next`, records out through `takeOutput`; no socket, no timer.
 *
 * The state machine decides what is allowed in which state; the layer enforces the record-level
 * rules (framing, protection, reassembly, alert and CCS syntax) and is told, through setters, what
 * it cannot know itself: the negotiated version, the keys, whether the handshake is finished.
 *
 * Reading is pull-based so that keys can change between two records that arrived in one chunk:
 * the layer never reads a record before every event before it has been returned.
 *
 * ```ts
 * rl.receive(bytes);
 * for (let ev; (ev = rl.next()) !== null; ) state = state.handle(ev, rl); // may call setReadProtection
 * socket.write(rl.takeOutput());
 * ```
 */
import type { CryptoProvider } from '@puretls/crypto';
import { type Alert, CHANGE_CIPHER_SPEC_BODY, decodeAlert, encodeAlert, isChangeCipherSpec } from './alert';
import { AlertDescription, AlertLevel, type AlertDescriptionName } from './alerts';
import { RecordReader } from './deframer';
import { TlsError, internalError, isTlsError } from './errors';
import { type PaddingPolicy, RecordWriter } from './fragmenter';
import { type HandshakeMessage, type HandshakeMessageLimit, HandshakeJoiner } from './handshake-joiner';
import {
  AEAD_TAG_LENGTH,
  type KeyUsage,
  NullDecrypter,
  type RecordDecrypter,
  type TrafficKeys,
  createDecrypter,
  createEncrypter,
} from './protection';
import {
  ContentType,
  MAX_CIPHERTEXT_TLS12,
  MAX_HANDSHAKE_MESSAGE_LENGTH,
  MAX_PLAINTEXT,
  MAX_USELESS_RECORDS,
  MAX_WARNING_ALERTS,
  MIN_RECORD_SIZE_LIMIT,
  type TlsRecord,
  type TlsVersion,
} from './record';

/** An alert the peer sent. */
export interface AlertEvent extends Alert {
  readonly kind: 'alert';
}
/** A TLS 1.2 ChangeCipherSpec (TLS 1.3 compatibility CCS records are dropped, never reported). */
export interface ChangeCipherSpecEvent {
  readonly kind: 'changeCipherSpec';
}
/** Non-empty application data, a view of the decrypted record (valid while the caller's chunk is). */
export interface ApplicationDataEvent {
  readonly kind: 'applicationData';
  readonly data: Uint8Array;
}
/** What `RecordLayer.next()` yields. Handshake messages carry their raw bytes (header included) for the transcript. */
export type RecordEvent = HandshakeMessage | AlertEvent | ChangeCipherSpecEvent | ApplicationDataEvent;

/** Construction options, checked once. */
export interface RecordLayerOptions {
  /** Supplies the AEADs. */
  readonly provider: CryptoProvider;
  /**
   * Cap on every handshake message body (default {@link MAX_HANDSHAKE_MESSAGE_LENGTH}, 2^24 - 1:
   * none beyond the length field); larger → `MessageTooLarge` (decode_error).
   */
  readonly maxHandshakeMessageLength?: number;
  /**
   * The bound per message type (see {@link HandshakeMessageLimit}), checked from the 4-byte header
   * before any of the body is buffered; with `maxHandshakeMessageLength`, the smaller applies. A
   * server passes the handshake package's `clientMessageLimit`, so that nothing beyond what the
   * syntax allows for the message is ever buffered.
   */
  readonly handshakeMessageLimit?: HandshakeMessageLimit;
  /** TLS 1.3 padding for outgoing records (none by default). */
  readonly paddingPolicy?: PaddingPolicy;
  /**
   * Consecutive records that produce no event (empty application data, TLS 1.3 compatibility
   * CCS) tolerated ({@link MAX_USELESS_RECORDS}, OpenSSL's MAX_EMPTY_RECORDS); one more →
   * `TooManyEmptyRecords` (unexpected_message, as OpenSSL sends).
   */
  readonly maxEmptyRecords?: number;
  /**
   * Consecutive non-close_notify warning alerts tolerated ({@link MAX_WARNING_ALERTS}); one more →
   * `TooManyWarningAlerts` (unexpected_message, as OpenSSL's MAX_WARN_ALERT_COUNT). RFC 8446 §6
   * makes every TLS 1.3 alert but close_notify and user_canceled fatal anyway.
   */
  readonly maxWarningAlerts?: number;
}

const CHANGE_CIPHER_SPEC: ChangeCipherSpecEvent = Object.freeze({ kind: 'changeCipherSpec' });

/** A non-negative integer option, or its default. @throws RangeError otherwise. */
function countOption(name: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`options.${name}: a non-negative integer`);
  return value;
}

/** The record layer of one connection: see the file comment for the calling pattern. */
export class RecordLayer {
  private readonly provider: CryptoProvider;
  private readonly reader = new RecordReader();
  private readonly joiner: HandshakeJoiner;
  private readonly writer = new RecordWriter();
  private decrypter: RecordDecrypter = new NullDecrypter();
  private version: TlsVersion | null = null;
  private handshakeComplete = false;
  /** Bytes of rejected early data still allowed to be skipped, or `null` when not skipping. */
  private earlyDataBudget: number | null = null;
  /** Our advertised `record_size_limit` (RFC 8449), or `null`. */
  private ownRecordSizeLimit: number | null = null;
  /** Consecutive records that produced no event. */
  private uselessRecords = 0;
  /** Consecutive warning alerts other than close_notify. */
  private warningAlerts = 0;
  private readonly maxUselessRecords: number;
  private readonly maxWarningAlerts: number;
  /** Whether any record has deprotected successfully (ends the plaintext-alert allowance). */
  private decryptedAny = false;
  /** The first read error: it sticks. */
  private readError: TlsError | null = null;

  /**
   * @throws TypeError without a provider or with a `handshakeMessageLimit` that is not a function;
   *   RangeError for a bad `maxHandshakeMessageLength`, `maxEmptyRecords` or `maxWarningAlerts`.
   */
  constructor(options: RecordLayerOptions) {
    if (!options || typeof options.provider?.createAead !== 'function') {
      throw new TypeError('options.provider: a CryptoProvider is required');
    }
    this.provider = options.provider;
    this.joiner = new HandshakeJoiner(options.maxHandshakeMessageLength ?? MAX_HANDSHAKE_MESSAGE_LENGTH, options.handshakeMessageLimit);
    if (options.paddingPolicy) this.writer.paddingPolicy = options.paddingPolicy;
    this.maxUselessRecords = countOption('maxEmptyRecords', options.maxEmptyRecords, MAX_USELESS_RECORDS);
    this.maxWarningAlerts = countOption('maxWarningAlerts', options.maxWarningAlerts, MAX_WARNING_ALERTS);
    // Framing checks only what holds in every state (known type, 0x03XX, the largest ciphertext)
    // so that a record whose header arrived before a key change is judged by the state in force
    // when it is processed; `processRecord` applies the exact limits.
    this.reader.maxFragmentLength = MAX_CIPHERTEXT_TLS12;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /**
   * Hands the layer a chunk of received bytes, of any size. The chunk is borrowed, not copied:
   * records are decrypted in place inside it and events are views of it, so the caller must not
   * reuse it while it needs the events. Call `next()` until it returns `null` before the next
   * `receive` to keep buffering bounded (see `wantsInput`).
   * @throws the sticky read error, if one occurred; TypeError when `chunk` is not a `Uint8Array`.
   */
  receive(chunk: Uint8Array): void {
    if (this.readError) throw this.readError;
    this.reader.push(chunk);
  }

  /**
   * The next event, or `null` when more bytes are needed. Processes at most one record beyond
   * the events already returned, so keys set after an event apply to the very next record.
   *
   * Events: a whole handshake message (type, body, raw), an alert, a TLS 1.2 ChangeCipherSpec,
   * application data (empty only before `setHandshakeComplete`: whether any is allowed then is the
   * handshake's call — 0-RTT, or "premature Application Data", RFC 8446 §6.2). Dropped silently:
   * TLS 1.3 compatibility CCS, empty application data after the handshake, rejected early data
   * (see `setRejectEarlyData`).
   *
   * @throws TlsError — and the same error on every later call:
   *   `UnknownContentType` / `UnexpectedPlaintextRecord` / `InterleavedHandshakeData` /
   *   `MessageSpansKeyChange` / `UnexpectedChangeCipherSpec` / `BadChangeCipherSpec` /
   *   `EmptyHandshakeRecord` / `EmptyAlertRecord` / `AllZeroInnerPlaintext` / `TooManyEmptyRecords`
   *   / `TooManyWarningAlerts` / `TooMuchEarlyData` (unexpected_message); `BadRecordVersion`
   *   (protocol_version); `RecordOverflow` / `CiphertextOverflow` / `PlaintextOverflow`
   *   (record_overflow); `DecryptFailed` (bad_record_mac); `BadAlertMessage` / `MessageTooLarge`
   *   (decode_error); whatever `handshakeMessageLimit` throws; `SequenceNumberExhausted`
   *   (internal_error). Nothing else escapes: any other exception would be a bug and is wrapped as
   *   `Internal` (internal_error).
   */
  next(): RecordEvent | null {
    if (this.readError) throw this.readError;
    try {
      return this.pull();
    } catch (e) {
      const err = isTlsError(e) ? e : internalError('record layer: unexpected exception', e);
      this.readError = err;
      throw err;
    }
  }

  /** Iterates `next()` until it returns `null` (lazily: keys may change between two events). */
  *events(): IterableIterator<RecordEvent> {
    for (let ev = this.next(); ev !== null; ev = this.next()) yield ev;
  }

  /** True when every received byte has been processed (at most one partial record is held). */
  get wantsInput(): boolean {
    return !this.reader.hasQueuedInput && this.joiner.isEmpty;
  }

  /** Bytes of input held: queued chunks plus the one partial record. */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  /** Bytes held for a handshake message that spans records (see `HandshakeJoiner.bufferedBytes`). */
  get bufferedHandshakeBytes(): number {
    return this.joiner.bufferedBytes;
  }

  /** True while a record or a handshake message has begun but not ended (EOF now is a truncation). */
  get hasPartialInput(): boolean {
    return this.reader.hasPartialRecord || this.joiner.hasPartialMessage;
  }

  private pull(): RecordEvent | null {
    for (;;) {
      const msg = this.joiner.next();
      if (msg !== null) return this.emit(msg);
      const rec = this.reader.next();
      if (rec === null) return null;
      const ev = this.processRecord(rec);
      if (ev !== null) return this.emit(ev);
    }
  }

  private emit(ev: RecordEvent): RecordEvent {
    // Empty application data before the handshake completes is reported (see `next`) but still
    // counts as a record without content.
    if (ev.kind !== 'applicationData' || ev.data.length > 0) this.uselessRecords = 0;
    if (ev.kind !== 'alert') this.warningAlerts = 0;
    return ev;
  }

  private useless(): null {
    if (++this.uselessRecords > this.maxUselessRecords) {
      throw new TlsError('TooManyEmptyRecords', `${this.uselessRecords} consecutive records without content`);
    }
    return null;
  }

  /** One record → an event, or `null` (dropped, or handshake content handed to the joiner). */
  private processRecord(rec: TlsRecord): RecordEvent | null {
    // TLS 1.2 records carry the negotiated 0x0303 (RFC 5246 §6.2.1). In TLS 1.3 the field "is
    // deprecated and MUST be ignored for all purposes" (RFC 8446 §5.1): a second ClientHello in a
    // 0x0301 record is fine; the framing already required 0x03XX.
    if (this.version === 'tls12' && rec.version !== 0x0303) {
      throw new TlsError('BadRecordVersion', `legacy_record_version 0x${rec.version.toString(16).padStart(4, '0')}`);
    }
    const d = this.decrypter;
    if (rec.fragment.length > d.maxFragmentLength) {
      throw new TlsError(
        d.version === null ? 'RecordOverflow' : 'CiphertextOverflow',
        `record of ${rec.fragment.length} bytes exceeds ${d.maxFragmentLength}`,
      );
    }
    if (rec.type === ContentType.change_cipher_spec && this.version === 'tls13') {
      // RFC 8446 §5: "An implementation may receive an unencrypted record of type
      // change_cipher_spec consisting of the single byte value 0x01 at any time after the first
      // ClientHello message has been sent or received and before the peer's Finished message has
      // been received and MUST simply drop it without further processing. … An implementation
      // which receives any other change_cipher_spec value or which receives a protected
      // change_cipher_spec record MUST abort the handshake with an "unexpected_message" alert."
      if (!isChangeCipherSpec(rec.fragment)) throw new TlsError('BadChangeCipherSpec', 'TLS 1.3 CCS other than 0x01');
      if (this.handshakeComplete) throw new TlsError('UnexpectedChangeCipherSpec', 'CCS after the handshake');
      if (this.joiner.hasPartialMessage) throw new TlsError('InterleavedHandshakeData', 'CCS inside a handshake message');
      return this.useless();
    }
    let type: number;
    let content: Uint8Array;
    if (d.version !== null) {
      // RFC 8446 §5.2: "The outer opaque_type field of a TLSCiphertext record is always set to the
      // value 23 (application_data)".
      if (d.version === 'tls13' && rec.type !== ContentType.application_data) {
        // A peer that failed on our ServerHello has no keys yet and can only alert in clear
        // (rustls allows this too): accept a plaintext alert until a record has deprotected.
        if (rec.type === ContentType.alert && !this.decryptedAny) return this.deliver(rec.type, rec.fragment);
        throw new TlsError('UnexpectedPlaintextRecord', `unprotected record of type ${rec.type} while a key is in use`);
      }
      const opened = d.open(rec);
      if (opened === null) {
        if (this.earlyDataBudget !== null) return this.skipEarlyData(rec);
        // RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the connection with a "bad_record_mac" alert."
        throw new TlsError('DecryptFailed', `record of ${rec.fragment.length} bytes does not authenticate`);
      }
      // RFC 8446 §4.2.10: "Once a record is deprotected successfully, it is treated as the start
      // of the client's second flight".
      this.earlyDataBudget = null;
      this.decryptedAny = true;
      type = opened.type;
      content = opened.content;
      if (d.version === 'tls13' && type === ContentType.change_cipher_spec) {
        throw new TlsError('UnexpectedChangeCipherSpec', 'protected change_cipher_spec record');
      }
    } else {
      if (this.earlyDataBudget !== null) {
        // After a HelloRetryRequest, rejected 0-RTT records arrive before the second ClientHello,
        // which is unprotected (RFC 8446 §4.2.10: "ignore application_data records until receiving the second ClientHello").
        if (rec.type === ContentType.application_data) return this.skipEarlyData(rec);
        this.earlyDataBudget = null;
      }
      type = rec.type;
      content = rec.fragment;
    }
    return this.deliver(type, content);
  }

  /** Record content of real type `type` → an event, or `null` (handshake bytes go to the joiner). */
  private deliver(type: number, content: Uint8Array): RecordEvent | null {
    switch (type) {
      case ContentType.handshake:
        // RFC 8446 §5.4: "Implementations MUST NOT send Handshake and Alert records that have a
        // zero-length TLSInnerPlaintext.content; if such a message is received, the receiving
        // implementation MUST terminate the connection with an "unexpected_message" alert." (§5.1:
        // "even if those fragments contain padding"; RFC 5246 §6.2.1 forbids them in TLS 1.2.)
        if (content.length === 0) throw new TlsError('EmptyHandshakeRecord', 'zero-length handshake record');
        this.joiner.push(content);
        return null;
      case ContentType.alert: {
        this.checkNotInterleaved('alert');
        // RFC 8446 §5.4 (zero-length alert records) and §5.1 (exactly one alert per record): decodeAlert.
        const a = decodeAlert(content);
        if (a.level === AlertLevel.warning && a.description !== AlertDescription.close_notify) {
          if (++this.warningAlerts > this.maxWarningAlerts) {
            throw new TlsError('TooManyWarningAlerts', `${this.warningAlerts} consecutive warning alerts`);
          }
        }
        return { kind: 'alert', level: a.level, description: a.description };
      }
      case ContentType.change_cipher_spec:
        this.checkNotInterleaved('change_cipher_spec');
        // RFC 5246 §7.1: "The message consists of a single byte of value 1." Anything else gets
        // the alert TLS 1.3 names for it (RFC 8446 §5, above) and OpenSSL sends in TLS 1.2:
        // unexpected_message (Go and rustls send decode_error).
        if (!isChangeCipherSpec(content)) throw new TlsError('BadChangeCipherSpec', `ChangeCipherSpec record of ${content.length} bytes other than 0x01`);
        return CHANGE_CIPHER_SPEC;
      case ContentType.application_data:
        this.checkNotInterleaved('application_data');
        // RFC 8446 §5.1: "Zero-length fragments of Application Data MAY be sent": after the
        // handshake there is nothing to report. Before it, even an empty record is application
        // data the handshake must judge (accepted 0-RTT, or "premature Application Data" →
        // unexpected_message, RFC 8446 §6.2): never dropped, so the peer is never left waiting.
        if (content.length === 0) {
          this.useless();
          if (this.handshakeComplete) return null;
        }
        return { kind: 'applicationData', data: content };
      default:
        // Only a TLS 1.3 inner content type can get here.
        throw new TlsError('UnknownContentType', `inner content type ${type}`);
    }
  }

  /** RFC 8446 §5.1: "if a handshake message is split over two or more records, there MUST NOT be any other records between them." */
  private checkNotInterleaved(what: string): void {
    if (this.joiner.hasPartialMessage) {
      throw new TlsError('InterleavedHandshakeData', `${what} record inside a fragmented handshake message`);
    }
  }

  private skipEarlyData(rec: TlsRecord): null {
    // Count what the client may have sent as early data: the ciphertext less the tag and the
    // content-type byte (max_early_data_size counts plaintext only), at least 1 per record so the
    // number of skipped records is bounded too.
    const n = Math.max(1, rec.fragment.length - AEAD_TAG_LENGTH - 1);
    this.earlyDataBudget! -= n;
    if (this.earlyDataBudget! < 0) throw new TlsError('TooMuchEarlyData', 'rejected early data exceeds max_early_data_size');
    return null;
  }

  // ---- state the handshake tells the layer ---------------------------------------------------

  /**
   * Records the negotiated version. From then on every record must carry
   * `legacy_record_version` 0x0303, and in TLS 1.3 unprotected CCS records are dropped.
   * @throws RangeError for anything but `'tls12'` / `'tls13'`.
   */
  setVersion(version: TlsVersion): void {
    if (version !== 'tls12' && version !== 'tls13') throw new RangeError(`version: ${String(version)}`);
    this.version = version;
    this.writer.version = version;
  }

  /** The negotiated version, or `null`. */
  get negotiatedVersion(): TlsVersion | null {
    return this.version;
  }

  /** Marks the handshake finished: a TLS 1.3 ChangeCipherSpec is an error from now on. */
  setHandshakeComplete(): void {
    this.handshakeComplete = true;
  }

  /**
   * Installs the read keys (or the null state), resetting the read sequence number. The old key is
   * wiped. RFC 8446 §5.1: "Implementations MUST verify that all messages immediately preceding a
   * key change align with a record boundary".
   * @throws TlsError `MessageSpansKeyChange` (unexpected_message) when handshake bytes from the
   *   previous key are still buffered; RangeError for bad key or iv lengths.
   */
  setReadProtection(keys: TrafficKeys | null): void {
    if (!this.joiner.isEmpty) {
      const err = new TlsError('MessageSpansKeyChange', 'handshake data before a key change does not end at a record boundary');
      this.readError ??= err;
      throw this.readError;
    }
    const d = keys === null ? new NullDecrypter() : createDecrypter(this.provider, keys);
    this.decrypter.clean();
    this.decrypter = d;
    this.reader.protectedInput = d.version !== null;
    this.applyOwnLimit();
  }

  /**
   * Wipes both keys (best effort; `fill(0)` where the provider allows) once the connection is
   * over: queued output stays (it is already sealed); later reads and writes are unprotected
   * nonsense, so call it only when nothing more will be read or written.
   */
  clean(): void {
    this.decrypter.clean();
    this.decrypter = new NullDecrypter();
    this.writer.setEncrypter(null);
  }

  /**
   * Installs the write keys (or the null state), resetting the write sequence number. Handshake
   * messages collected so far are sealed with the old key first. The old key is wiped.
   * @throws RangeError for bad key or iv lengths.
   */
  setWriteProtection(keys: TrafficKeys | null): void {
    const e = keys === null ? null : createEncrypter(this.provider, keys);
    this.writer.setEncrypter(e);
  }

  /**
   * Skip rejected 0-RTT data (RFC 8446 §4.2.10): until the next record that deprotects with the
   * current read key (or, with no read key — after a HelloRetryRequest — until the next
   * non-application-data record), records that fail to deprotect are dropped instead of raising
   * `bad_record_mac`, up to `maxBytes` of early data; more → `TooMuchEarlyData` (unexpected_message).
   * Call it with the handshake read key installed (or right after sending a HelloRetryRequest).
   * @throws RangeError when `maxBytes` is not a non-negative integer.
   */
  setRejectEarlyData(maxBytes: number): void {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError('maxBytes must be a non-negative integer');
    this.earlyDataBudget = maxBytes;
  }

  /** True while rejected early data is being skipped. */
  get skippingEarlyData(): boolean {
    return this.earlyDataBudget !== null;
  }

  /**
   * The `record_size_limit` we advertised (RFC 8449 §4): protected records with more plaintext
   * are `PlaintextOverflow` (record_overflow). `null` restores 2^14.
   * @throws RangeError for a value outside [64, 2^14 + 1].
   */
  setOwnRecordSizeLimit(limit: number | null): void {
    if (limit !== null && (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > MAX_PLAINTEXT + 1)) {
      throw new RangeError('limit: record_size_limit must be an integer in [64, 2^14 + 1]');
    }
    this.ownRecordSizeLimit = limit;
    this.applyOwnLimit();
  }

  private applyOwnLimit(): void {
    const d = this.decrypter;
    const limit = this.ownRecordSizeLimit;
    // TLS 1.3 counts the content type byte in the limit; the decrypter allows plaintextLimit + 1.
    if (d.version !== null) d.plaintextLimit = limit === null ? MAX_PLAINTEXT : Math.min(MAX_PLAINTEXT, d.version === 'tls13' ? limit - 1 : limit);
  }

  /**
   * The `record_size_limit` the peer advertised (RFC 8449 §4); outgoing protected records are
   * fragmented to fit it. `null` for none.
   * @throws RangeError for a value outside [64, 65535].
   */
  setPeerRecordSizeLimit(limit: number | null): void {
    this.writer.setPeerRecordSizeLimit(limit);
  }

  /** Sets (or with `null` removes) the TLS 1.3 padding policy for outgoing records. */
  setPaddingPolicy(policy: PaddingPolicy | null): void {
    this.writer.paddingPolicy = policy;
  }

  /** Usage of the current read key (RFC 8446 §5.5). */
  get readKeyUsage(): KeyUsage {
    return this.decrypter.usage;
  }
  /** Usage of the current write key (RFC 8446 §5.5). */
  get writeKeyUsage(): KeyUsage {
    return this.writer.current.usage;
  }
  /**
   * True once the write key has protected `AEAD_KEY_UPDATE_THRESHOLD` records: a TLS 1.3
   * connection should send a KeyUpdate now; sealing stops at `AEAD_CONFIDENTIALITY_LIMIT`.
   */
  get keyUpdateNeeded(): boolean {
    return this.writer.current.needsKeyUpdate;
  }

  // ---- writing ---------------------------------------------------------------------------------

  /**
   * Queues handshake messages (each with its 4-byte header, as built for the transcript). They
   * are copied and coalesced with neighbouring messages into as few records as possible; they go
   * out under the current write key, before any later key change.
   * @throws TypeError when a message is not a `Uint8Array` of at least 4 bytes.
   */
  writeHandshake(...messages: Uint8Array[]): void {
    for (const m of messages) {
      if (!(m instanceof Uint8Array) || m.length < 4) throw new TypeError('messages: handshake messages include their 4-byte header');
      this.writer.writeHandshake(m);
    }
  }

  /**
   * Fragments and seals application data (any length; empty writes nothing).
   * @throws TlsError `Internal` when no write key is installed (never sent in clear);
   *   `KeyUsageLimitReached` / `SequenceNumberExhausted` (internal_error) when the key is used up.
   */
  writeApplicationData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (this.writer.current.version === null) throw internalError('application data without write protection');
    this.writer.writeRecords(ContentType.application_data, data);
  }

  /**
   * Sends an alert under the current write protection. `level` defaults to warning for
   * close_notify and user_canceled, fatal otherwise (RFC 8446 §6: error alerts are fatal).
   * @throws RangeError for an unknown description.
   */
  writeAlert(description: AlertDescriptionName | number, level?: AlertLevel): void {
    const code = typeof description === 'number' ? description : AlertDescription[description];
    const lv = level ?? (code === AlertDescription.close_notify || code === AlertDescription.user_canceled ? AlertLevel.warning : AlertLevel.fatal);
    this.writer.writeRecords(ContentType.alert, encodeAlert(description, lv));
  }

  /**
   * Sends ChangeCipherSpec: in TLS 1.3 always unprotected (middlebox compatibility, RFC 8446
   * Appendix D.4); in TLS 1.2 under the current write protection, before the caller switches keys.
   */
  writeChangeCipherSpec(): void {
    if (this.version === 'tls13') this.writer.writePlaintextRecord(ContentType.change_cipher_spec, CHANGE_CIPHER_SPEC_BODY);
    else this.writer.writeRecords(ContentType.change_cipher_spec, CHANGE_CIPHER_SPEC_BODY);
  }

  /** Largest content per outgoing record under the current protection and limits. */
  get maxFragmentLength(): number {
    return this.writer.maxFragmentLength;
  }

  /** True when there is output to take. */
  get hasOutput(): boolean {
    return this.writer.hasOutput;
  }

  /**
   * Everything to send, as one buffer the caller owns (a copy only when several writes are queued;
   * see `takeOutputChunks` to avoid it). Empty when there is nothing.
   */
  takeOutput(): Uint8Array {
    const chunks = this.writer.takeChunks();
    if (chunks.length === 1) return chunks[0]!;
    let n = 0;
    for (const c of chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  /**
   * Everything to send, in order (for vectored writes): one buffer per write call, or three per
   * record (header, ciphertext, tag) for large writes under an AEAD that allocates its output
   * anyway (the node provider).
   */
  takeOutputChunks(): Uint8Array[] {
    return this.writer.takeChunks();
  }
}
