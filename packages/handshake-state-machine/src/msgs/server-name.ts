/**
 * server_name (SNI, RFC 6066 §3).
 */
import { Reader, TlsError } from '@puretls/record-layer';
import { ExtensionType, NameType } from './enums';
import { makeExtension, type Extension } from './extensions';

/** RFC 1035 / RFC 6066: the longest DNS name (253 characters, without the trailing dot). */
export const MAX_HOST_NAME_LENGTH = 253;

// RFC 6066 §3  struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
//   enum { host_name(0), (255) } NameType;
//   opaque HostName<1..2^16-1>;
//   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
/**
 * Reads the ClientHello server_name extension and returns the host_name, or `undefined` when the
 * list holds only name types we do not know (RFC 6066 §3: "all future data structures associated
 * with new NameTypes MUST begin with a 16-bit length field", so they are skipped).
 *
 * RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."
 * "HostName" contains the fully qualified DNS hostname of the server, "represented as a byte
 * string using ASCII encoding without a trailing dot". Printable ASCII (0x21..0x7E) is accepted;
 * matching against configured names is case-insensitive and is the caller's job.
 *
 * @throws TlsError `DuplicateServerName` (illegal_parameter) for two host_name entries;
 *   `BadServerName` (illegal_parameter: it fits `HostName<1..2^16-1>`, so the syntax holds but
 *   the field is "incorrect", RFC 8446 §6.2) for a name with a control character, a byte outside
 *   ASCII, a trailing dot or more than 253 bytes; `EmptyVector` (decode_error) for an empty
 *   host_name or list; `Truncated`/`TrailingData` (decode_error) for bad lengths.
 */
export function readServerName(data: Uint8Array): string | undefined {
  const r = new Reader(data, 'server_name');
  return r.all('server_name', (r) => {
    const list = r.vec16({ min: 1 });
    let hostName: string | undefined;
    while (!list.done) {
      const nameType = list.u8();
      const name = list.vec16().rest();
      if (nameType !== NameType.host_name) continue;
      if (hostName !== undefined) throw new TlsError('DuplicateServerName', 'server_name: more than one host_name');
      hostName = decodeHostName(name);
    }
    return hostName;
  });
}

function decodeHostName(name: Uint8Array): string {
  // RFC 6066 §3 `opaque HostName<1..2^16-1>`: an empty one is outside the syntax.
  if (name.length === 0) throw new TlsError('EmptyVector', 'server_name: empty host_name');
  if (name.length > MAX_HOST_NAME_LENGTH) throw new TlsError('BadServerName', `server_name: host_name of ${name.length} bytes`);
  let s = '';
  for (const c of name) {
    if (c < 0x21 || c > 0x7e) throw new TlsError('BadServerName', `server_name: byte 0x${c.toString(16)} in host_name`);
    s += String.fromCharCode(c);
  }
  if (s.endsWith('.')) throw new TlsError('BadServerName', 'server_name: host_name ends with a dot');
  return s;
}

/**
 * Writes server_name: with a host name, the ClientHello form (for tests and clients); without, the
 * empty extension_data a server sends to acknowledge SNI (RFC 6066 §3).
 *
 * @throws RangeError when the name is empty, too long or not printable ASCII.
 */
export function writeServerName(hostName?: string): Extension {
  if (hostName === undefined) return { type: ExtensionType.server_name, data: new Uint8Array(0) };
  if (hostName.length === 0 || hostName.length > MAX_HOST_NAME_LENGTH || !/^[\x21-\x7e]+$/.test(hostName)) {
    throw new RangeError(`writeServerName: bad host name ${JSON.stringify(hostName)}`);
  }
  return makeExtension(ExtensionType.server_name, (w) =>
    w.vec16((w) => w.u8(NameType.host_name).vec16((w) => { for (let i = 0; i < hostName.length; i++) w.u8(hostName.charCodeAt(i)); })),
  );
}
