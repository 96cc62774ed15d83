/**
 * A minimal driver for the server states, in the handshake package's own tests: a `HandshakeIo`
 * over a real `RecordLayer` that records every call the states make (so a test can assert the
 * contract: what is sent under which keys, when the version is set, which session hooks run),
 * and a `HandshakeConfig` with a fresh ECDSA P-256 certificate. The client is the workspace's
 * TLS 1.3 test client, which reads and writes records.
 */
import {
  createNobleProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  signatureSchemesFor,
  type CryptoProvider,
} from '@puretls/crypto';
import { RecordLayer, type RecordEvent, type TrafficKeys } from '@puretls/record-layer';
import {
  ExpectClientHello,
  type HandshakeConfig,
  type HandshakeEvent,
  type HandshakeIo,
  type IssuedTicket,
  type ServerState,
  type SessionRefusal,
  type StoredSession,
  type TicketToIssue,
} from '../../src/internal';

export const provider: CryptoProvider = createNobleProvider();

const key = generateEcdsaP256Key(provider);
const cert = createSelfSignedCertificate(provider, { key, commonName: 'localhost' });

/** A handshake configuration serving TLS 1.3 and 1.2 with one ECDSA P-256 certificate. */
export function config(extra: Partial<HandshakeConfig> = {}): HandshakeConfig {
  return {
    provider,
    certificates: [{ chain: [cert.der], key, dnsNames: ['localhost'], schemes13: signatureSchemesFor(key, 'tls1.3'), schemes12: signatureSchemesFor(key, 'tls1.2') }],
    cipherSuites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02c, 0xcca9],
    honorCipherOrder: true,
    groups: ['x25519', 'secp256r1', 'secp384r1'],
    groupSelection: 'avoid-hrr',
    alpnProtocols: [],
    minVersion: 0x0303,
    maxVersion: 0x0304,
    recordSizeLimit: 2 ** 14 + 1,
    ticketLifetime: 7200,
    maxEarlyData: 0,
    allowPskKe: true,
    sessionContext: Uint8Array.of(7, 7, 7),
    ...extra,
  };
}

/** The session hooks a test may answer; every other hook of the io is a recorded no-op. */
export interface SessionHooks {
  lookupPsk?(identity: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined>;
  consumePsk?(session: StoredSession): boolean | Promise<boolean>;
  issueTicket?(ticket: TicketToIssue): IssuedTicket | undefined;
}

/** What a state did through its io, one line per call (`send 2`, `writeKeys`, `accepted`, …). */
export class RecordingIo implements HandshakeIo {
  readonly calls: string[] = [];
  readonly events: HandshakeEvent[] = [];
  readonly rl = new RecordLayer({ provider });
  readonly issued: TicketToIssue[] = [];
  readonly refused: SessionRefusal[] = [];
  clock = 1_700_000_000_000;

  constructor(private readonly hooks: SessionHooks = {}) {}

  setVersion(v: 'tls12' | 'tls13'): void {
    this.calls.push(`version ${v}`);
    this.rl.setVersion(v);
  }
  setRecordSizeLimits(peer: number, own: number): void {
    this.calls.push(`recordSizeLimits ${peer} ${own}`);
  }
  sendHandshake(raw: Uint8Array): void {
    this.calls.push(`send ${raw[0]}`);
    this.rl.writeHandshake(raw);
  }
  sendChangeCipherSpec(): void {
    this.calls.push('ccs');
    this.rl.writeChangeCipherSpec();
  }
  setWriteKeys(keys: TrafficKeys): void {
    this.calls.push('writeKeys');
    this.rl.setWriteProtection(keys);
  }
  setReadKeys(keys: TrafficKeys): void {
    this.calls.push('readKeys');
    this.rl.setReadProtection(keys);
  }
  handshakeDone(): void {
    this.calls.push('done');
    this.rl.setHandshakeComplete();
  }
  emit(e: HandshakeEvent): void {
    this.events.push(e);
    if (e.type !== 'secret') this.calls.push(`event ${e.type}`);
  }
  now(): number {
    return this.clock;
  }
  lookupPsk(identity: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined> {
    this.calls.push('lookupPsk');
    return this.hooks.lookupPsk?.(identity);
  }
  consumePsk(session: StoredSession): boolean | Promise<boolean> {
    this.calls.push('consumePsk');
    return this.hooks.consumePsk?.(session) ?? true;
  }
  issueTicket(ticket: TicketToIssue): IssuedTicket | undefined {
    this.calls.push('issueTicket');
    this.issued.push({ ...ticket, state: ticket.state.slice() }); // the state wipes its own copy
    return this.hooks.issueTicket?.(ticket);
  }
  sessionAccepted(): void {
    this.calls.push('accepted');
  }
  sessionRefused(_s: StoredSession, why: SessionRefusal): void {
    this.calls.push(`refused ${why}`);
    this.refused.push(why);
  }
  lookupSession12(): undefined {
    this.calls.push('lookupSession12');
    return undefined;
  }
  openTicket12(): undefined {
    return undefined;
  }
  sessionIdForNewSession12(): Uint8Array {
    return new Uint8Array(0);
  }
  wantsTicket12(): boolean {
    return false;
  }
  newSession12(): void {}
  issueTicket12(): undefined {
    return undefined;
  }
  sendWarningAlert(description: number): void {
    this.calls.push(`warning ${description}`);
  }
  rejectEarlyData(maxBytes: number): void {
    this.calls.push(`rejectEarlyData ${maxBytes}`);
    this.rl.setRejectEarlyData(maxBytes);
  }
}

/** The server side of one handshake: the current state, fed records; its output for the client. */
export class StateDriver {
  state: ServerState;
  constructor(
    readonly io: RecordingIo,
    cfg: HandshakeConfig = config(),
  ) {
    this.state = new ExpectClientHello({ config: cfg, io });
  }

  /** Feeds the client's records; each handshake message goes to the current state (`handle`). */
  receive(records: Uint8Array): void {
    this.io.rl.receive(records);
    for (let ev: RecordEvent | null = this.io.rl.next(); ev !== null; ev = this.io.rl.next()) {
      if (ev.kind === 'handshake') this.state = this.state.handle(ev);
    }
  }

  /** What the server wrote since the last call. */
  output(): Uint8Array {
    return this.io.rl.takeOutput();
  }
}
