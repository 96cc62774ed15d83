/**
 * Stateless TLS 1.3 tickets and the internal store (issue #9, idle memory): like OpenSSL's
 * `ssl_update_cache`, a stateless ticket's session is stored only when a remove callback wants to
 * hear of its invalidation (spec §3, §5); otherwise the new-session callback still runs once per
 * ticket, nothing is kept, and resumption works from the ticket alone.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import type { Session } from '@puretls/session-cache';
import { ServerConnection, ServerContext, type ServerContextOptions } from '../../src/index';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { ecdsaCertificate } from '@puretls/test-support/harness13';

function connect(ctx: ServerContext, tickets: ClientTicket[] = []): { conn: ServerConnection; client: TestClient13 } {
  const conn = new ServerConnection(ctx);
  const client = new TestClient13(createNobleProvider());
  conn.receive(TestClient13.plaintextRecord(client.buildClientHello(tickets.length > 0 ? { resume: { tickets } } : {})));
  client.receive(conn.takeOutput());
  conn.receive(client.finish());
  client.receive(conn.takeOutput());
  return { conn, client };
}

function context(extra: Partial<ServerContextOptions>): ServerContext {
  return new ServerContext({ certificates: [ecdsaCertificate()], ...extra });
}

describe('stateless tickets and the internal store', () => {
  it('no remove callback: the new-session callback runs per ticket, nothing is stored, resumption works', () => {
    const created: Session[] = [];
    const ctx = context({ newSession: (_c, s) => void created.push(s) });
    const first = connect(ctx);
    expect(first.client.tickets).toHaveLength(2);
    expect(created).toHaveLength(2);
    expect(ctx.sessionCache.size).toBe(0);
    first.conn.destroy(); // an unclean end: nothing to invalidate, nothing breaks
    const again = connect(ctx, [first.client.tickets[0]!]);
    expect(again.conn.info?.resumed).toBe(true);
  });

  it('with a remove callback: stored, and an unclean end still invalidates them (spec §5)', () => {
    const removed: string[] = [];
    const ctx = context({ removeSession: (_c, _s, reason) => void removed.push(reason) });
    const { conn } = connect(ctx);
    expect(ctx.sessionCache.size).toBe(2);
    conn.destroy();
    expect(removed).toEqual(['uncleanShutdown', 'uncleanShutdown']);
    expect(ctx.sessionCache.size).toBe(0);
  });
});
