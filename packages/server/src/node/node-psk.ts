/**
 * Node's `pskCallback` / `pskIdentityHint` (tls.createServer) mapped onto the context's
 * `externalPsk` / `pskIdentityHint`, for every context the server makes (Node sets them per
 * socket from the server's options, whatever secure context SNI picks).
 *
 * Node's semantics (`lib/_tls_wrap.js` `onPskServerCallback`): `pskCallback(socket, identity)` gets
 * the identity as a string (OpenSSL hands it over as a C string: UTF-8 up to the first NUL) and
 * answers a Buffer/TypedArray/DataView key, `{ psk }`, or `null`/`undefined` to refuse; a key longer
 * than 512 bytes (OpenSSL's PSK_MAX_PSK_LEN) is `ERR_INVALID_ARG_VALUE`, any other answer
 * `ERR_INVALID_ARG_TYPE` — both, and a throw, fail the handshake.
 */
import type { ServerContextOptions } from '../core/context';
import { socketOfConnection } from './tls-socket';

/** Node's `pskCallback(socket, identity)`. */
export type PskCallback = (socket: unknown, identity: string) => ArrayBufferView | { psk: ArrayBufferView } | null | undefined;

/** OpenSSL's PSK_MAX_PSK_LEN (Node's `maxPskLen`). */
const MAX_PSK_LENGTH = 512;
/** OpenSSL's PSK_MAX_IDENTITY_LEN: the longest hint `SSL_use_psk_identity_hint` takes. */
const MAX_HINT_LENGTH = 256;

/**
 * The context options for Node's `pskCallback` and `pskIdentityHint` (`{}` without a callback:
 * Node ignores the hint then).
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for a callback that is no function or a hint that is
 *   no string; Error `ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED` (Node's code, at createServer() rather
 *   than per connection) for a hint longer than 256 bytes.
 */
export function nodePskOptions(options: { readonly pskCallback?: unknown; readonly pskIdentityHint?: unknown }, where = 'options'): Pick<ServerContextOptions, 'externalPsk' | 'pskIdentityHint'> {
  const { pskCallback, pskIdentityHint } = options;
  const direct = (options as { externalPsk?: unknown }).externalPsk;
  if (pskCallback === undefined || pskCallback === null) {
    // puretls's own `externalPsk` (a context option, passed through): the hint goes with it.
    return direct !== undefined && pskIdentityHint ? { pskIdentityHint: checkHint(pskIdentityHint, where) } : {};
  }
  if (direct !== undefined) throw argType(`${where}: pskCallback and externalPsk are the same thing; give one`);
  if (typeof pskCallback !== 'function') throw argType(`The "${where}.pskCallback" property must be of type function. Received ${typeof pskCallback}`);
  const out: { externalPsk: NonNullable<ServerContextOptions['externalPsk']>; pskIdentityHint?: string } = {
    externalPsk: (identity, info) => {
      const nul = identity.indexOf(0);
      const name = new TextDecoder().decode(nul < 0 ? identity : identity.subarray(0, nul));
      // `pskCallback(socket, identity)` is called with the connection's socket.
      const socket = info.connection === undefined ? undefined : socketOfConnection(info.connection);
      return keyOf((pskCallback as PskCallback)(socket, name));
    },
  };
  // Node: `if (options.pskIdentityHint) { validateString(…); ssl.setPskIdentityHint(…) }`.
  if (pskIdentityHint) out.pskIdentityHint = checkHint(pskIdentityHint, where);
  return out;
}

function checkHint(hint: unknown, where: string): string {
  if (typeof hint !== 'string') throw argType(`The "${where}.pskIdentityHint" property must be of type string. Received ${typeof hint}`);
  if (new TextEncoder().encode(hint).length > MAX_HINT_LENGTH) {
    throw Object.assign(new Error(`Failed to set PSK identity hint: ${where}.pskIdentityHint is longer than ${MAX_HINT_LENGTH} bytes`), { code: 'ERR_TLS_PSK_SET_IDENTIY_HINT_FAILED' });
  }
  return hint;
}

/** Node's checks on the callback's answer; the key as bytes (a view). */
function keyOf(ret: unknown): Uint8Array | undefined {
  if (ret === null || ret === undefined) return undefined;
  let psk: unknown = ret;
  if (!ArrayBuffer.isView(ret)) {
    if (typeof ret !== 'object') throw argType(`The "ret" argument must be an instance of Buffer, TypedArray, DataView, or Object. Received type ${typeof ret}`);
    psk = (ret as { psk?: unknown }).psk;
    if (!ArrayBuffer.isView(psk)) throw argType('The "psk" argument must be an instance of Buffer, TypedArray, or DataView.');
  }
  const view = psk as ArrayBufferView;
  if (view.byteLength > MAX_PSK_LENGTH) throw Object.assign(new TypeError(`The argument 'psk' is invalid. Pre-shared key exceeds ${MAX_PSK_LENGTH} bytes`), { code: 'ERR_INVALID_ARG_VALUE' });
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function argType(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}
