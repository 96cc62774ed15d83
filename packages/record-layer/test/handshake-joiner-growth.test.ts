/**
 * The joiner's buffer for a message spanning records grows with what arrived (issue #10): a peer
 * that announces a large message and sends little of it costs little.
 */
import { describe, expect, it } from 'vitest';
import { HandshakeJoiner, type HandshakeMessage } from '../src/index';
import { handshakeMessage, pattern } from './helpers';

function feed(j: HandshakeJoiner, content: Uint8Array): HandshakeMessage[] {
  j.push(content);
  const out: HandshakeMessage[] = [];
  for (let m = j.next(); m !== null; m = j.next()) out.push(m);
  return out;
}

describe('HandshakeJoiner buffer growth', () => {
  const announced = 65_536 - 4; // a 64 KiB message, header included
  const big = handshakeMessage(11, pattern(announced, 5));

  it('a message announcing 64 KiB of which 1 KiB arrived holds about 1 KiB, not 64', () => {
    const j = new HandshakeJoiner(100_000);
    expect(feed(j, big.subarray(0, 1024))).toEqual([]);
    expect(j.hasPartialMessage).toBe(true);
    expect(j.receivedBytes).toBe(1024);
    expect(j.bufferedBytes).toBe(1024);
  });

  it('grows by bounded doubling: never more than twice what arrived, never more than the message', () => {
    const j = new HandshakeJoiner(100_000);
    let sent = 0;
    const sizes = new Set<number>();
    for (const chunk of [10, 1, 100, 3000, 7, 16_384, 16_384, 16_384]) {
      expect(feed(j, big.subarray(sent, sent + chunk))).toEqual([]);
      sent += chunk;
      expect(j.receivedBytes).toBe(sent);
      expect(j.bufferedBytes).toBeGreaterThanOrEqual(sent);
      expect(j.bufferedBytes).toBeLessThanOrEqual(Math.min(2 * sent, big.length));
      sizes.add(j.bufferedBytes);
    }
    const [msg] = feed(j, big.subarray(sent));
    expect(msg!.raw).toEqual(big);
    expect(msg!.raw.length).toBe(big.length); // the whole message: a buffer of exactly its size
    expect(j.bufferedBytes).toBe(0);
    expect(j.isEmpty).toBe(true);
  });

  it('many small records: a handful of reallocations (doubling), not one per record', () => {
    const j = new HandshakeJoiner(100_000);
    const sizes = new Set<number>();
    let sent = 0;
    for (let i = 0; i < 600; i++) {
      expect(feed(j, big.subarray(sent, sent + 100))).toEqual([]);
      sent += 100;
      sizes.add(j.bufferedBytes);
    }
    // 100 B → 60 000 B by doubling: about log2(600) ≈ 10 sizes.
    expect(sizes.size).toBeLessThanOrEqual(11);
    expect(j.bufferedBytes).toBeLessThanOrEqual(2 * sent);
    const [msg] = feed(j, big.subarray(sent));
    expect(msg!.raw).toEqual(big);
  });

  it('a header split across records: a 4-byte buffer until the length is known', () => {
    const j = new HandshakeJoiner(100_000);
    expect(feed(j, big.subarray(0, 2))).toEqual([]);
    expect(j.receivedBytes).toBe(2);
    expect(j.bufferedBytes).toBe(4);
    expect(feed(j, big.subarray(2, 6))).toEqual([]);
    expect(j.receivedBytes).toBe(6);
    expect(j.bufferedBytes).toBeLessThanOrEqual(12);
    const [msg] = feed(j, big.subarray(6));
    expect(msg!.raw).toEqual(big);
  });

  it('the cap still applies from the header alone, before anything is buffered beyond it', () => {
    const j = new HandshakeJoiner(1000);
    expect(() => feed(j, big.subarray(0, 2000))).toThrow(/exceeds 1000/);
  });
});
