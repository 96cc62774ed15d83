/** The one place a {@link NegotiatedInfo} is put together (both versions, full and resumed). */
import type { ClientAuthentication, NegotiatedInfo } from '../io';

const EMPTY = new Uint8Array(0);

/** What every handshake knows; the rest defaults to "not used" (no group, not resumed, …). */
export type NegotiatedInfoFields = Pick<NegotiatedInfo, 'version' | 'cipherSuite' | 'serverName' | 'alpnProtocol'> & Partial<NegotiatedInfo>;

/** A frozen {@link NegotiatedInfo}: `fields` over the defaults of a full handshake without extras. */
export function negotiatedInfo(fields: NegotiatedInfoFields): NegotiatedInfo {
  return Object.freeze({
    group: undefined,
    signatureScheme: undefined,
    helloRetry: false,
    resumed: false,
    certificateIndex: undefined,
    resumedSession: undefined,
    resumedSession12: undefined,
    resumedVia: undefined,
    sessionId: EMPTY,
    pskMode: undefined,
    pskIdentity: undefined,
    earlyData: 'none',
    clientAuth: undefined,
    ...fields,
  });
}

/** `info` with the outcome of client authentication (known only after the client's Certificate). */
export function withClientAuth(info: NegotiatedInfo, clientAuth: ClientAuthentication): NegotiatedInfo {
  return Object.freeze({ ...info, clientAuth });
}
