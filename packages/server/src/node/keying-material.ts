/**
 * Node's `tlsSocket.exportKeyingMaterial(length, label[, context])` over a connection's exporter
 * (RFC 8446 §7.5, RFC 5705 §4; the rules are the handshake's, `exportKeyingMaterial13/12`): Node's
 * argument checks, in Node's order and with Node's codes, then the connection's.
 */
import { isReservedExporterLabel12 } from '@puretls/handshake-state-machine';
import type { ServerConnection } from '../core/connection';

const UINT32_MAX = 2 ** 32 - 1;

function nodeError<E extends Error>(e: E, code: string): E & { code: string } {
  return Object.assign(e, { code });
}

function received(v: unknown): string {
  if (v === null) return 'Received null';
  if (v === undefined) return 'Received undefined';
  if (typeof v === 'object' || typeof v === 'function') return `Received an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  return `Received type ${typeof v} (${typeof v === 'string' ? `'${v}'` : String(v)})`;
}

/**
 * Node 20's `exportKeyingMaterial`: `length` a uint32 ≥ 1 (TypeError `ERR_INVALID_ARG_TYPE`,
 * RangeError `ERR_OUT_OF_RANGE`), `label` a string, `context` a Buffer/TypedArray/DataView
 * (TypeError `ERR_INVALID_ARG_TYPE`), then `ERR_TLS_INVALID_STATE` before the handshake and
 * OpenSSL's `ERR_SSL_TLS_ILLEGAL_EXPORTER_LABEL` for a TLS 1.2 reserved label. Where puretls refuses
 * what OpenSSL does not (a non-ASCII label, TLS 1.2 without extended master secret, a TLS 1.3
 * length above 255 × the hash length) the connection's TypeError/RangeError comes through.
 */
export function exportKeyingMaterial(conn: ServerConnection | undefined, length: unknown, label: unknown, context: unknown): Buffer {
  if (typeof length !== 'number') throw nodeError(new TypeError(`The "length" argument must be of type number. ${received(length)}`), 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(length)) throw nodeError(new RangeError(`The value of "length" is out of range. It must be an integer. Received ${length}`), 'ERR_OUT_OF_RANGE');
  if (length < 1 || length > UINT32_MAX) throw nodeError(new RangeError(`The value of "length" is out of range. It must be >= 1 && <= ${UINT32_MAX}. Received ${length}`), 'ERR_OUT_OF_RANGE');
  if (typeof label !== 'string') throw nodeError(new TypeError(`The "label" argument must be of type string. ${received(label)}`), 'ERR_INVALID_ARG_TYPE');
  if (context !== undefined && !ArrayBuffer.isView(context)) {
    throw nodeError(new TypeError(`The "context" argument must be an instance of Buffer, TypedArray, or DataView. ${received(context)}`), 'ERR_INVALID_ARG_TYPE');
  }
  if (conn === undefined || conn.phase !== 'open') throw nodeError(new Error('TLS socket connection must be securely established'), 'ERR_TLS_INVALID_STATE');
  if (conn.info?.version === 0x0303 && isReservedExporterLabel12(label)) {
    throw nodeError(new Error(`exportKeyingMaterial(): tls illegal exporter label ${JSON.stringify(label)} (reserved by RFC 5705 §4)`), 'ERR_SSL_TLS_ILLEGAL_EXPORTER_LABEL');
  }
  const ctx = context === undefined ? undefined : new Uint8Array(context.buffer, context.byteOffset, context.byteLength);
  let out: Uint8Array;
  try {
    out = conn.exportKeyingMaterial(length, label, ctx);
  } catch (e) {
    if (e instanceof RangeError) throw nodeError(e, 'ERR_OUT_OF_RANGE');
    if (e instanceof TypeError) throw nodeError(e, 'ERR_INVALID_ARG_VALUE');
    throw e;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
