/**
 * Test helpers: a unique key prefix per test (and cleanup of its keys) on the machine's Redis at
 * 127.0.0.1:6379, a private `redis-server` on an ephemeral port for fault tests (kill, restart,
 * pause), and sessions. Every wait is bounded; every spawned process is killed by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createSession, type Session, type SessionCacheOptions, type SessionInit } from '@puretls/session-cache';
import { redisAnswers } from '../src/redis-client';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** `puretls-test:<random>:`: no two tests (or runs) share keys. */
export function uniquePrefix(tag: string): string {
  return `puretls-test:${tag}:${randomBytes(6).toString('hex')}:`;
}

/** A plain client for assertions (default offline queue: the test waits for it to connect). */
export function adminClient(port = 6379): Redis {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}

/** Deletes every key under `prefix` (SCAN, bounded to 10,000 rounds). */
export async function deletePrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let round = 0; round < 10_000; round++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await client.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

/** Every key under `prefix`, sorted (SCAN, bounded to 10,000 rounds). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  for (let round = 0; round < 10_000; round++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return out.sort();
}

/** Resolves when `cond()` holds; polls every 20 ms, rejects after `ms`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (let i = 0; i < 100_000; i++) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A `redis-server` of the test's own: no persistence, loopback only. */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.launch();
    return r;
  }

  /** Starts (again) on the same port and waits until it answers PING (10 s at most). */
  async launch(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    this.proc = proc;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      return redisAnswers('127.0.0.1', this.port, 500);
    });
  }

  /** SIGKILL and wait for the exit (5 s at most). */
  async kill(): Promise<void> {
    const p = this.proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGCONT');
    p.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }

  /** SIGSTOP: the socket stays open, nothing answers (a Redis that is "slow"). */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }
}

let idCounter = 0;
/** A distinct session id (32 bytes, random plus a counter). */
export function newId(): Uint8Array {
  const id = new Uint8Array(randomBytes(32));
  id[0] = ++idCounter & 0xff;
  return id;
}

/** Opaque session state (what the handshake would encode): `n` bytes of `fill`. */
export function state(n = 80, fill = 0x5a): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

/** A reusable session (a TLS 1.2 session id) created now, lifetime 300 s, unless overridden. */
export function storedSession(over: Partial<SessionInit> = {}): Session {
  return createSession({ id: newId(), createdAt: Date.now(), timeout: 300, state: state(), ...over });
}

/** A single-use session (a TLS 1.3 stateful ticket) created now, lifetime 300 s, unless overridden. */
export function ticketSession(over: Partial<SessionInit> = {}): Session {
  return storedSession({ singleUse: true, ...over });
}

/** What the cache tells the new-session callback for a session looked up by id / carried in a stateless ticket. */
export const STATEFUL = Object.freeze({ stateless: false });
export const STATELESS = Object.freeze({ stateless: true });

/** The options a `SessionCache` needs, on the real clock and timers (Redis answers in real time). */
export function cacheOptions(): Pick<SessionCacheOptions, 'now' | 'setTimer' | 'logger'> {
  return {
    now: Date.now,
    setTimer: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    logger: { warn: () => {} },
  };
}
