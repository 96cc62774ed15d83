/**
 * `puretls serve --session-store memory|redis://… --ticket-keys local|redis --lookup-timeout MS`
 * (issue #8): parsing, warnings and errors in process; as a real process, a bad URL exits 2 and a
 * Redis that is not there still lets the server start and complete handshakes (full ones). The
 * fleet behaviour itself (resumption across servers) is tested in
 * packages/session-store-redis/test/fleet-cli.test.ts.
 */
import { createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseCli, serveWarnings, UsageError, USAGE, type ServeOptions } from '../src/cli/cli-options';
import { runTool, useCli } from '@puretls/test-support/cli-process';

const cli = useCli();

function options(argv: string[]): ServeOptions {
  const c = parseCli(['serve', ...argv]);
  if (c.kind !== 'serve') throw new Error('not serve');
  return c.options;
}

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

describe('--session-store / --ticket-keys / --lookup-timeout parsing (in process)', () => {
  it('defaults: memory, local keys, the context default lookup timeout', () => {
    expect(options([])).toMatchObject({ sessionStore: { kind: 'memory' }, ticketKeys: 'local', lookupTimeout: undefined });
    expect(options(['--session-store', 'memory'])).toMatchObject({ sessionStore: { kind: 'memory' } });
  });
  it('a redis URL (with prefix), the shared ring and a lookup deadline', () => {
    const url = 'redis://127.0.0.1:6379/0?prefix=edge:';
    expect(options(['--session-store', url, '--ticket-keys', 'redis', '--lookup-timeout', '250'])).toMatchObject({
      sessionStore: { kind: 'redis', url },
      ticketKeys: 'redis',
      lookupTimeout: 250,
    });
    expect(options(['--session-store', 'rediss://user:pw@redis.internal:6380/2'])).toMatchObject({ sessionStore: { kind: 'redis' }, ticketKeys: 'local' });
  });
  it.each([
    [['--session-store', 'memcached://127.0.0.1'], /--session-store: memory or a redis/],
    [['--session-store', 'disk'], /--session-store: memory or redis/],
    [['--session-store', 'redis://127.0.0.1/0?db=1'], /unknown query parameter "db"/],
    [['--session-store', 'redis://127.0.0.1/0?prefix='], /"prefix" must not be empty/],
    [['--ticket-keys', 'redis'], /--ticket-keys redis needs --session-store redis/],
    [['--session-store', 'redis://127.0.0.1', '--ticket-keys', 'shared'], /--ticket-keys: local or redis/],
    [['--lookup-timeout', '0'], /--lookup-timeout: an integer from 1 to 60000/],
    [['--lookup-timeout', '60001'], /--lookup-timeout/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(['serve', ...argv])).toThrow(UsageError);
    expect(() => parseCli(['serve', ...argv])).toThrow(message);
  });
  it('warnings: a Redis store without the shared ring; a lookup timeout without a store', () => {
    expect(serveWarnings(options(['--session-store', 'redis://127.0.0.1']))).toEqual([expect.stringMatching(/without --ticket-keys redis: sessions are stored in Redis unsealed/)]);
    expect(serveWarnings(options(['--session-store', 'redis://127.0.0.1', '--ticket-keys', 'redis']))).toEqual([]);
    expect(serveWarnings(options(['--lookup-timeout', '100']))).toEqual([expect.stringMatching(/--lookup-timeout has no effect/)]);
  });
  it('stateful tickets without an internal store are fine with a Redis store (it stores them), not with memory', () => {
    const base = ['--tickets', 'stateful', '--cache-mode', 'noInternal'];
    expect(serveWarnings(options([...base, '--session-store', 'redis://127.0.0.1', '--ticket-keys', 'redis']))).toEqual([]);
    expect(serveWarnings(options(base))).toEqual([expect.stringMatching(/stores nothing/)]);
    expect(serveWarnings(options(['--tickets', 'stateful', '--cache-mode', 'off', '--session-store', 'redis://127.0.0.1', '--ticket-keys', 'redis']))).toEqual([expect.stringMatching(/stores nothing/)]);
  });
  it('the help documents the options', () => {
    for (const o of ['--session-store STORE', '--ticket-keys KEYS', '--lookup-timeout MS', 'redis://[user:pass@]host[:port][/db][?prefix=P]']) expect(USAGE).toContain(o);
  });
});

describe('as a process', () => {
  it('a malformed Redis URL: exit 2 naming the problem', async () => {
    const r = await cli.run(['serve', '--port', '0', '--session-store', 'redis://127.0.0.1:6379/not-a-db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--session-store: redis url: the path must be a database number/);
  }, 30_000);

  it('Redis not there: the server starts anyway (after the bounded join wait) and completes full handshakes', async () => {
    const port = await closedPort();
    const p = await cli.start(['--www', '--log-level', 'info', '--session-store', `redis://127.0.0.1:${port}/0?prefix=nowhere:`, '--ticket-keys', 'redis', '--tickets', 'stateful'], 30_000);
    expect(p.stderr()).toMatch(/did not answer within \d+ ms: sealing with a local key/);
    expect(p.stderr()).toMatch(/ticketKeys="shared \(not joined yet\)"/);
    for (let i = 0; i < 2; i++) {
      const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${p.port}`, '-servername', 'localhost', '-tls1_3', '-ign_eof'], { input: 'GET /stats.json HTTP/1.0\r\n\r\n', ms: 20_000 });
      expect(out).toMatch(/^New, TLSv1\.3/m);
      expect(out).toMatch(/"resumed": false/);
    }
    expect(p.proc.exitCode).toBeNull();
  }, 60_000);
});
