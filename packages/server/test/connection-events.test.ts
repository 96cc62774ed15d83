/**
 * `ServerConnection.on` / `off`: listeners run in the order they were added, with `this` set to
 * the connection (as Node's EventEmitter does); `off` removes every registration of a listener;
 * a listener added or removed while an event is delivered does not change who hears that event.
 */
import { describe, expect, it } from 'vitest';
import { handshake } from '@puretls/test-support/harness13';
import type { ServerConnection } from '../src/index';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('ServerConnection events', () => {
  it('calls listeners in order with `this` set to the connection, one listener or several', () => {
    const x = handshake();
    const heard: string[] = [];
    const thisSeen: unknown[] = [];
    function first(this: unknown, d: Uint8Array): void {
      thisSeen.push(this);
      heard.push(`first:${new TextDecoder().decode(d)}`);
    }
    x.conn.on('data', first);
    x.send(x.client.sendApplicationData(bytes('a')));
    expect(heard).toEqual(['first:a']);
    x.conn.on('data', function second(this: unknown, d: Uint8Array) {
      thisSeen.push(this);
      heard.push(`second:${new TextDecoder().decode(d)}`);
    });
    x.send(x.client.sendApplicationData(bytes('b')));
    expect(heard).toEqual(['first:a', 'first:b', 'second:b']);
    expect(thisSeen).toEqual([x.conn, x.conn, x.conn]);
  });

  it('off removes every registration of the listener and leaves the others', () => {
    const x = handshake();
    const heard: string[] = [];
    const a = () => heard.push('a');
    const b = () => heard.push('b');
    x.conn.on('data', a).on('data', b).on('data', a);
    x.send(x.client.sendApplicationData(bytes('1')));
    expect(heard).toEqual(['a', 'b', 'a']);
    x.conn.off('data', a);
    x.send(x.client.sendApplicationData(bytes('2')));
    expect(heard).toEqual(['a', 'b', 'a', 'b']);
    x.conn.off('data', b).off('data', b); // removing what is not there is a no-op
    x.send(x.client.sendApplicationData(bytes('3')));
    expect(heard).toEqual(['a', 'b', 'a', 'b']);
    x.conn.on('data', b);
    x.send(x.client.sendApplicationData(bytes('4')));
    expect(heard).toEqual(['a', 'b', 'a', 'b', 'b']);
  });

  it('a listener added or removed during an event does not change who hears that event', () => {
    const x = handshake();
    const heard: string[] = [];
    const late = () => heard.push('late');
    const removed = () => heard.push('removed');
    function adder(this: ServerConnection): void {
      heard.push('adder');
      this.off('data', adder).on('data', late).off('data', removed);
    }
    x.conn.on('data', adder).on('data', removed);
    x.send(x.client.sendApplicationData(bytes('1')));
    expect(heard).toEqual(['adder', 'removed']);
    x.send(x.client.sendApplicationData(bytes('2')));
    expect(heard).toEqual(['adder', 'removed', 'late']);
  });

  it('a single listener removed during its own event is not called again', () => {
    const x = handshake();
    let calls = 0;
    function once(this: ServerConnection): void {
      calls++;
      this.off('data', once);
    }
    x.conn.on('data', once);
    x.send(x.client.sendApplicationData(bytes('1')));
    x.send(x.client.sendApplicationData(bytes('2')));
    expect(calls).toBe(1);
  });
});
