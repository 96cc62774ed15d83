/**
 * Node's error codes on the errors the Node adapter hands to the application (`tlsClientError`,
 * a socket's `'error'`). Node's TLS errors are OpenSSL's: `code` is `ERR_SSL_` + OpenSSL's reason
 * in upper snake case (`no shared cipher` → `ERR_SSL_NO_SHARED_CIPHER`; an alert the peer sent →
 * `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`, …). A `TlsError` whose case OpenSSL reports under a
 * reason of its own gets that code; the rest keep puretls's `ERR_TLS_*`. Either way the error is
 * still a `TlsError` (`reason`, `alert`, `isTlsError()`), with puretls's code in `puretlsCode`.
 */
import { TlsError, isTlsError, type Reason } from '@puretls/record-layer';

/** OpenSSL's reason text for an alert received, by alert number (`SSL_R_SSLV3_ALERT_*`, `SSL_R_TLSV1_ALERT_*`). */
const ALERT_REASONS: Readonly<Record<number, string>> = {
  10: 'sslv3 alert unexpected message',
  20: 'sslv3 alert bad record mac',
  21: 'tlsv1 alert decryption failed',
  22: 'tlsv1 alert record overflow',
  30: 'sslv3 alert decompression failure',
  40: 'sslv3 alert handshake failure',
  41: 'sslv3 alert no certificate',
  42: 'sslv3 alert bad certificate',
  43: 'sslv3 alert unsupported certificate',
  44: 'sslv3 alert certificate revoked',
  45: 'sslv3 alert certificate expired',
  46: 'sslv3 alert certificate unknown',
  47: 'sslv3 alert illegal parameter',
  48: 'tlsv1 alert unknown ca',
  49: 'tlsv1 alert access denied',
  50: 'tlsv1 alert decode error',
  51: 'tlsv1 alert decrypt error',
  60: 'tlsv1 alert export restriction',
  70: 'tlsv1 alert protocol version',
  71: 'tlsv1 alert insufficient security',
  80: 'tlsv1 alert internal error',
  86: 'tlsv1 alert inappropriate fallback',
  90: 'tlsv1 alert user cancelled',
  100: 'tlsv1 alert no renegotiation',
  109: 'tlsv13 alert missing extension',
  110: 'tlsv1 unsupported extension',
  111: 'tlsv1 certificate unobtainable',
  112: 'tlsv1 unrecognized name',
  113: 'tlsv1 bad certificate status response',
  114: 'tlsv1 bad certificate hash value',
  115: 'tlsv1 alert unknown psk identity',
  116: 'tlsv13 alert certificate required',
  120: 'tlsv1 alert no application protocol',
};

/**
 * The OpenSSL reason a Node server reports for the same case (each row compared with Node's own
 * server by `test/node-parity-errors.test.ts`).
 */
const REASON_OPENSSL: Partial<Readonly<Record<Reason, string>>> = {
  NoCommonCipherSuite: 'no shared cipher',
  NoCommonVersion: 'unsupported protocol',
  NoApplicationProtocol: 'no application protocol',
  NoCommonSignatureScheme: 'no suitable signature algorithm',
  UnknownContentType: 'wrong version number',
  BadRecordVersion: 'wrong version number',
  DecryptFailed: 'decryption failed or bad record mac',
  MessageTooLarge: 'excessive message size',
  // External PSKs (tls_process_cke_psk_preamble, tls_psk_do_binder).
  UnknownPskIdentity: 'psk identity not found',
  PskIdentityTooLong: 'data length too long',
  BadBinder: 'binder does not verify',
  UnexpectedHandshakeMessage: 'unexpected message',
};

/** The first bytes of a plaintext HTTP request / proxy request (OpenSSL's `ssl3_get_record` checks). */
const HTTP_STARTS = ['GET ', 'POST', 'HEAD', 'PUT '];
const PROXY_START = 'CONN';

/** An error as the application sees it: Node's `code` where Node has one, puretls's in `puretlsCode`. */
export type NodeFacingError = Error & { readonly code?: string; readonly puretlsCode?: string; readonly library?: string };

/**
 * `err` with Node's code: a `TlsError` is copied with `code` (and `library: 'SSL routines'`, as
 * Node's OpenSSL errors have) when OpenSSL has a reason for its case; other errors are returned as
 * they are. `firstBytes`: the connection's first received bytes, to tell a plaintext HTTP request
 * (Node: `ERR_SSL_HTTP_REQUEST`) from other garbage.
 */
export function toNodeError(err: Error, firstBytes?: Uint8Array): NodeFacingError {
  if (!isTlsError(err)) return err;
  let reason: string | undefined;
  if (err.reason === 'AlertReceived' && err.peerAlert !== undefined) reason = ALERT_REASONS[err.peerAlert];
  else if (err.reason === 'UnknownContentType' && firstBytes !== undefined && firstBytes.length >= 4) {
    const start = String.fromCharCode(...firstBytes.subarray(0, 4));
    reason = HTTP_STARTS.includes(start) ? 'http request' : start === PROXY_START ? 'https proxy request' : REASON_OPENSSL.UnknownContentType;
  } else reason = REASON_OPENSSL[err.reason];
  if (reason === undefined) return err;
  const copy = new TlsError(err.reason, `${reason}: ${err.message}`, { cause: err, ...(err.peerAlert !== undefined ? { peerAlert: err.peerAlert } : {}) });
  Object.defineProperties(copy, {
    code: { value: `ERR_SSL_${reason.toUpperCase().replace(/ /g, '_')}`, enumerable: true },
    puretlsCode: { value: err.code, enumerable: true },
    library: { value: 'SSL routines', enumerable: true },
  });
  return copy;
}
