/**
 * A puretls HTTPS server on Deno (`Deno.listen`) or Bun (`Bun.listen`), driven by
 * scripts/test/runtimes-tls.test.ts with `openssl s_client` and curl. It imports only the
 * runtime-neutral entries (`@puretls/server`, `@puretls/crypto`) and no `node:*` module: the
 * ciphertext streams come from the runtime's own sockets (Deno: `conn.readable`/`conn.writable`;
 * Bun: `webStreamsOfBunSocket`, below), the TLS connection from `accept()`.
 *
 * Environment: `PURETLS_CERT`, `PURETLS_KEY` (PEM), `PURETLS_PROVIDER` (`noble` | `node`: the
 * runtime's native `node:crypto`). Prints one JSON line `{ "port": …, "runtime": …, "provider": … }`
 * once listening; answers every HTTP request with a line naming the runtime, the TLS version, the
 * cipher, the provider and whether the session was resumed; `GET /quit` stops the server.
 */
import { ServerContext, accept, cipherName } from '@puretls/server';
import { createNobleProvider, createNodeProvider } from '@puretls/crypto';

interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}
interface DenoApi {
  version: { deno: string };
  env: { get(name: string): string | undefined };
  listen(o: { hostname: string; port: number }): AsyncIterable<DenoConn> & { addr: { port: number }; close(): void };
  exit(code: number): never;
}
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  data: { onData?: (b: Uint8Array) => void; onDrain?: () => void; onClose?: () => void };
}
interface BunApi {
  version: string;
  env: Record<string, string | undefined>;
  listen(o: {
    hostname: string;
    port: number;
    socket: {
      open(s: BunSocket): void;
      data(s: BunSocket, b: Uint8Array): void;
      drain(s: BunSocket): void;
      close(s: BunSocket): void;
      error(s: BunSocket, e: Error): void;
    };
  }): { port: number; stop(closeActive?: boolean): void };
}

const g = globalThis as { Deno?: DenoApi; Bun?: BunApi };
const env = (name: string): string | undefined => (g.Deno ? g.Deno.env.get(name) : g.Bun?.env[name]);
const required = (name: string): string => {
  const v = env(name);
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const providerName = required('PURETLS_PROVIDER');
if (providerName !== 'noble' && providerName !== 'node') throw new Error(`PURETLS_PROVIDER: noble or node, got ${providerName}`);
const provider = providerName === 'node' ? createNodeProvider() : createNobleProvider();
const ctx = new ServerContext({
  certificates: [{ cert: required('PURETLS_CERT'), key: required('PURETLS_KEY') }],
  crypto: provider,
  alpnProtocols: ['http/1.1'],
});
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : 'unknown';
let stop: () => void = () => {};

/** One connection: read a request head, answer, close with close_notify. */
async function serve(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>): Promise<void> {
  const tls = accept(readable, writable, ctx, { handshakeTimeoutMs: 10_000, idleTimeoutMs: 10_000 });
  try {
    const info = await tls.info;
    const reader = tls.readable.getReader();
    let head = '';
    const decoder = new TextDecoder();
    for (let i = 0; i < 64 && !head.includes('\r\n\r\n') && !head.includes('\n\n'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      head += decoder.decode(value, { stream: true });
    }
    reader.releaseLock();
    const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '';
    const body =
      JSON.stringify({
        runtime,
        provider: provider.name,
        version: info.version === 0x0304 ? 'TLSv1.3' : 'TLSv1.2',
        cipher: cipherName(info.cipherSuite).standardName,
        resumed: info.resumed,
        path,
      }) + '\n';
    const writer = tls.writable.getWriter();
    const bytes = new TextEncoder().encode(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    await writer.write(bytes);
    await writer.close();
    await tls.closed.catch(() => {});
    if (path === '/quit') stop();
  } catch {
    // A failed handshake (the tests also probe with clients that give up): nothing to answer.
  }
}

/**
 * Bun's sockets are callbacks: `data` chunks become a ReadableStream (the socket's own copy of
 * each chunk, enqueued as is), and the WritableStream writes until Bun takes every byte
 * (`write` returns how many it took; the rest waits for `drain`).
 */
function webStreamsOfBunSocket(s: BunSocket): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  s.data.onData = (b) => controller.enqueue(b.slice());
  s.data.onClose = () => {
    closed = true;
    try {
      controller.close();
    } catch {
      // already closed or errored
    }
    s.data.onDrain?.();
  };
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      let rest = chunk;
      for (let i = 0; i < 100_000 && rest.length > 0; i++) {
        if (closed) throw new Error('socket closed');
        rest = rest.subarray(Math.max(0, s.write(rest)));
        if (rest.length > 0) await new Promise<void>((resolve) => (s.data.onDrain = resolve));
      }
    },
    close: () => s.end(),
    abort: () => s.end(),
  });
  return { readable, writable };
}

if (g.Deno) {
  const listener = g.Deno.listen({ hostname: '127.0.0.1', port: 0 });
  stop = () => {
    listener.close();
  };
  console.log(JSON.stringify({ port: listener.addr.port, runtime, provider: provider.name }));
  try {
    for await (const conn of listener) void serve(conn.readable, conn.writable);
  } catch {
    // listener closed by /quit
  }
} else if (g.Bun) {
  const server = g.Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(s) {
        s.data = {};
        const { readable, writable } = webStreamsOfBunSocket(s);
        void serve(readable, writable);
      },
      data(s, b) {
        s.data.onData?.(b);
      },
      drain(s) {
        s.data.onDrain?.();
      },
      close(s) {
        s.data.onClose?.();
      },
      error(s) {
        s.data.onClose?.();
      },
    },
  });
  stop = () => server.stop(true);
  console.log(JSON.stringify({ port: server.port, runtime, provider: provider.name }));
} else {
  throw new Error('run this with Deno or Bun');
}
