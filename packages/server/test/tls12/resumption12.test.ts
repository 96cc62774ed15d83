/**
 * TLS 1.2 resumption in memory against a Map-backed SessionGlue (RFC 5246 §7.3 abbreviated
 * handshake; RFC 5077 tickets; RFC 7627 §5.3 EMS rules; RFC 6066 §3 SNI): the contract between the
 * handshake and whatever keeps sessions.
 */
import { describe, expect, it } from 'vitest';
import { makeContext12, exchange12, expectFailure12, MapGlue12, type Exchange12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options, type ClientSession12 } from '@puretls/test-support/tls12-client';

function run(glue: MapGlue12, opts: ClientHello12Options = {}, ctxExtra = {}): Exchange12 {
  const x = exchange12(makeContext12({ sessions: glue, ...ctxExtra }));
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  return x;
}

function complete(x: Exchange12): Exchange12 {
  if (x.errors.length === 0) x.send(x.client.finish());
  expect(x.errors).toEqual([]);
  expect(x.conn.phase).toBe('open');
  expect(x.client.serverFinishedOk).toBe(true);
  x.send(x.client.sendApplicationData(Uint8Array.of(1, 2, 3)));
  expect(x.data.at(-1)).toEqual(Uint8Array.of(1, 2, 3));
  x.conn.write(Uint8Array.of(4, 5));
  x.pump();
  expect(x.client.appData.at(-1)).toEqual(Uint8Array.of(4, 5));
  return x;
}

/** A full handshake that leaves a resumable session in the glue. */
function firstSession(glue: MapGlue12, opts: ClientHello12Options = {}, ctxExtra = {}): ClientSession12 {
  const x = complete(run(glue, opts, ctxExtra));
  expect(x.conn.info?.resumed).toBe(false);
  return x.client.session;
}

describe('session-id resumption', () => {
  it('full handshake stores the session under the ServerHello id; the abbreviated handshake resumes it', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue);
    expect(s.sessionId).toHaveLength(32);
    expect(glue.events).toEqual(['new id']);
    const x = run(glue, { resume: s });
    // Server first: ServerHello, ChangeCipherSpec, Finished (RFC 5246 §7.3 Figure 2).
    expect(x.client.received.map((m) => m.type)).toEqual([2, 20]);
    expect(x.client.resumed).toBe(true);
    expect(x.client.serverSessionId).toEqual(s.sessionId);
    expect(x.conn.phase).toBe('handshaking');
    complete(x);
    expect(x.conn.info).toMatchObject({ version: 0x0303, resumed: true, cipherSuite: s.suite.code, group: undefined, signatureScheme: undefined, certificateIndex: undefined });
    expect(glue.events.slice(1)).toEqual(['lookup hit', `accepted h${Buffer.from(s.masterSecret).toString('hex').slice(0, 8)}`]);
    // No server_name and no ec_point_formats when resuming (RFC 6066 §3), EMS echoed.
    expect([...x.client.serverExtensions.keys()]).toEqual([0xff01, 23]);
  });

  it('an asynchronous lookup waits in AwaitSession, then resumes', async () => {
    const glue = new MapGlue12();
    const s = firstSession(glue);
    glue.asyncLookups = true;
    const x = run(glue, { resume: s });
    expect(x.conn.waitingForSession).toBe(true);
    expect(x.client.received).toEqual([]);
    await new Promise<void>((r) => x.conn.on('output', () => r()));
    x.pump();
    expect(x.client.resumed).toBe(true);
    complete(x);
    expect(x.conn.info?.resumed).toBe(true);
  });

  it('an asynchronous miss → full handshake with a new id', async () => {
    const glue = new MapGlue12();
    glue.asyncLookups = true;
    const x = run(glue, { sessionId: new Uint8Array(32).fill(7) });
    await new Promise<void>((r) => x.conn.on('output', () => r()));
    x.pump();
    complete(x);
    expect(x.conn.info?.resumed).toBe(false);
    expect(x.client.serverSessionId).not.toEqual(new Uint8Array(32).fill(7));
  });

  it('an unknown id → full handshake', () => {
    const glue = new MapGlue12();
    const x = complete(run(glue, { sessionId: new Uint8Array(32).fill(9) }));
    expect(x.conn.info?.resumed).toBe(false);
    expect(glue.events).toEqual(['lookup miss', 'new id']);
  });

  it('the session’s suite is used again, even if the server now prefers another', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { cipherSuites: [0xcca9] });
    const x = complete(run(glue, { resume: s, cipherSuites: [0xc02b, 0xcca9] }));
    expect(x.conn.info).toMatchObject({ resumed: true, cipherSuite: 0xcca9 });
  });

  it('the session’s suite missing from the new ClientHello → illegal_parameter', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { cipherSuites: [0xcca9] });
    expectFailure12(run(glue, { resume: s, cipherSuites: [0xc02b] }), 'illegal_parameter', 'ResumedSuiteNotOffered');
  });

  it('a suite no longer enabled → full handshake', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { cipherSuites: [0xcca9] });
    const x = complete(run(glue, { resume: s, cipherSuites: [0xcca9, 0xc02b] }, { cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'] }));
    expect(x.conn.info).toMatchObject({ resumed: false, cipherSuite: 0xc02b });
  });

  it('another server name → full handshake (RFC 6066 §3)', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { serverName: 'localhost' });
    const x = complete(run(glue, { resume: s, serverName: 'other.example' }));
    expect(x.conn.info?.resumed).toBe(false);
  });

  describe('extended master secret (RFC 7627 §5.3)', () => {
    it('original with EMS, new hello without → handshake_failure', () => {
      const glue = new MapGlue12();
      const s = firstSession(glue);
      expect(s.extendedMasterSecret).toBe(true);
      expectFailure12(run(glue, { resume: s, ems: false }), 'handshake_failure', 'ExtendedMasterSecretMismatch');
    });
    it('original without EMS, new hello with → full handshake', () => {
      const glue = new MapGlue12();
      const s = firstSession(glue, { ems: false });
      const x = complete(run(glue, { resume: s }));
      expect(x.conn.info?.resumed).toBe(false);
      expect(x.client.usesEms).toBe(true);
    });
    it('neither → legacy resumption, no EMS echoed', () => {
      const glue = new MapGlue12();
      const s = firstSession(glue, { ems: false });
      const x = complete(run(glue, { resume: s, ems: false }));
      expect(x.conn.info?.resumed).toBe(true);
      expect(x.client.usesEms).toBe(false);
    });
  });

  it('abbreviated handshake: a wrong client Finished → decrypt_error; Finished before CCS → unexpected_message', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue);
    const bad = run(glue, { resume: s });
    bad.send(bad.client.finish({ corruptFinished: true }));
    expectFailure12(bad, 'decrypt_error', 'BadFinished');
    const early = run(glue, { resume: s });
    early.send(TestClient12.plaintextRecord(Uint8Array.of(20, 0, 0, 12, ...new Uint8Array(12)), 22, 0x0303));
    expectFailure12(early, 'unexpected_message', 'UnexpectedHandshakeMessage');
  });
});

describe('RFC 5077 tickets', () => {
  it('full handshake: empty session_ticket in ServerHello, NewSessionTicket after the client’s Finished, before our CCS', () => {
    const glue = new MapGlue12();
    const x = complete(run(glue, { sessionTicket: true }));
    expect(x.client.serverExtensions.get(35)).toEqual(new Uint8Array(0));
    expect(x.client.received.map((m) => m.type)).toEqual([2, 11, 12, 14, 4, 20]);
    expect(x.client.ticket?.ticket).toHaveLength(48);
    expect(x.client.ticket?.lifetimeHint).toBe(7200);
    // The glue's rule: no session id when the client uses tickets.
    expect(x.client.serverSessionId).toEqual(new Uint8Array(0));
    expect(glue.events).toEqual(['issue', 'new noid']);
  });

  it('resumes from a ticket, echoing the client’s session id (RFC 5077 §3.4); no new ticket', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { sessionTicket: true });
    const x = run(glue, { resume: s });
    expect(x.client.received.map((m) => m.type)).toEqual([2, 20]);
    expect(x.client.serverSessionId).toHaveLength(32);
    expect(x.client.serverExtensions.has(35)).toBe(false);
    complete(x);
    expect(x.conn.info?.resumed).toBe(true);
    expect(glue.events.slice(-2)).toEqual(['open hit', expect.stringMatching(/^accepted /)]);
  });

  it('reissue: a fresh NewSessionTicket before our CCS in the abbreviated handshake', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { sessionTicket: true });
    glue.reissue = true;
    const x = run(glue, { resume: s });
    expect(x.client.received.map((m) => m.type)).toEqual([2, 4, 20]);
    expect(x.client.serverExtensions.get(35)).toEqual(new Uint8Array(0));
    complete(x);
    expect(x.client.ticket?.ticket).not.toEqual(s.ticket);
    // The fresh ticket resumes too.
    glue.reissue = false;
    complete(run(glue, { resume: x.client.session }));
  });

  it('a ticket that does not open → full handshake (and a new ticket)', () => {
    const glue = new MapGlue12();
    const s = firstSession(glue, { sessionTicket: true });
    const x = complete(run(glue, { resume: { ...s, ticket: new Uint8Array(48).fill(1) } }));
    expect(x.conn.info?.resumed).toBe(false);
    expect(glue.events).toContain('open miss');
    expect(x.client.ticket?.ticket).toHaveLength(48);
  });

  it('the glue declines to seal: an empty NewSessionTicket (RFC 5077 §3.3)', () => {
    const glue = new MapGlue12();
    glue.declineTickets = true;
    const x = complete(run(glue, { sessionTicket: true }));
    expect(x.client.ticket).toEqual({ lifetimeHint: 0, ticket: new Uint8Array(0) });
  });

  it('tickets off: no session_ticket echoed, a session id instead', () => {
    const glue = new MapGlue12();
    glue.tickets = false;
    const x = complete(run(glue, { sessionTicket: true }));
    expect(x.client.serverExtensions.has(35)).toBe(false);
    expect(x.client.received.map((m) => m.type)).toEqual([2, 11, 12, 14, 20]);
    expect(x.client.serverSessionId).toHaveLength(32);
  });
});
