/**
 * `node --tls-keylog=FILE` (also in `NODE_OPTIONS`), honoured like Node's own TLS sockets do it
 * (`lib/_tls_wrap.js`): every key log line of every connection is appended to FILE (created with
 * mode 0600), a warning is emitted once when the first connection starts logging, and a failed
 * write warns once.
 */
import { appendFile } from 'node:fs';

let warnedInsecure = false;
let warnedFailure = false;

/** The FILE of `--tls-keylog=FILE` / `--tls-keylog FILE` in `process.execArgv` or `NODE_OPTIONS`, if any. */
export function tlsKeylogFile(): string | undefined {
  return fromArgs(process.execArgv) ?? fromArgs(splitNodeOptions(process.env.NODE_OPTIONS ?? ''));
}

/** Appends one key log line (NSS format, newline included) to `file`, as Node does. */
export function appendTlsKeylog(file: string, line: Buffer): void {
  if (!warnedInsecure) {
    warnedInsecure = true;
    process.emitWarning(`Using --tls-keylog makes TLS connections insecure by writing secret key material to file ${file}`);
  }
  appendFile(file, line, { mode: 0o600 }, (err) => {
    if (err && !warnedFailure) {
      warnedFailure = true;
      process.emitWarning(`Failed to write TLS keylog (this warning will not be repeated): ${String(err)}`);
    }
  });
}

function fromArgs(args: readonly string[]): string | undefined {
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--tls-keylog=')) file = a.slice('--tls-keylog='.length);
    else if (a === '--tls-keylog' && i + 1 < args.length) file = args[++i];
  }
  return file === '' ? undefined : file;
}

/** `NODE_OPTIONS` split as Node splits it: on spaces, with double quotes grouping. */
function splitNodeOptions(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted && i + 1 < s.length) {
      cur += s[++i];
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      any = true;
      continue;
    }
    if (c === ' ' && !quoted) {
      if (any || cur) out.push(cur);
      cur = '';
      any = false;
      continue;
    }
    cur += c;
  }
  if (any || cur) out.push(cur);
  return out;
}
