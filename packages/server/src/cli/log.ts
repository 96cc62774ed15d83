/**
 * The CLI's logger: one line per event, `text` (`2026-01-01T00:00:00.000Z info handshake k=v …`)
 * or `json` (`{"time":…,"level":"info","msg":"handshake",…}`), filtered by level.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'text' | 'json';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go (default: `process.stderr`). */
  readonly write?: (line: string) => void;
  /** The clock (default `() => new Date()`), for tests. */
  readonly now?: () => Date;
}

/** @throws RangeError for an unknown level or format. */
export function createLogger(options: LoggerOptions): Logger {
  const rank = LOG_LEVELS.indexOf(options.level);
  if (rank < 0) throw new RangeError(`log level: one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(options.level)}`);
  if (options.format !== 'text' && options.format !== 'json') throw new RangeError(`log format: text or json, got ${JSON.stringify(options.format)}`);
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const enabled = (level: LogLevel): boolean => LOG_LEVELS.indexOf(level) <= rank;
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (!enabled(level)) return;
    write(options.format === 'json' ? formatJson(now(), level, msg, fields) : formatText(now(), level, msg, fields));
  };
  return { level: options.level, enabled, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}

function formatJson(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const o: Record<string, unknown> = { time: time.toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) o[k] = v;
  return JSON.stringify(o);
}

function formatText(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  let line = `${time.toISOString()} ${level.padEnd(5)} ${msg}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    // Peer-chosen text (a path, a host name) cannot break the line or smuggle escape sequences:
    // anything but printable ASCII without quotes is written as a JSON string.
    line += ` ${k}=${s === '' || /[^\x21-\x7e]|["=\\]/.test(s) ? JSON.stringify(s) : s}`;
  }
  return line;
}
