/**
 * Runs the CLI as a real process without depending on `pnpm build`: `src/cli/main.ts` and the workspace
 * packages (their TypeScript sources, `development` condition) are bundled with esbuild into a
 * temp folder laid out like the package (`dist/cli/` under a copy of its package.json, where the
 * CLI reads its version), and `node` runs the bundle. Every wait is bounded; `stop()` kills by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { within } from './net';

// The server package's sources, through this package's own dependency link (node_modules/@puretls/server).
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@puretls', 'server', 'src');

/** Bundles the CLI; returns the script path and a cleanup function. */
export async function bundleCli(): Promise<{ script: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-cli-'));
  const script = join(dir, 'dist', 'cli', 'main.mjs');
  copyFileSync(join(SRC, '..', 'package.json'), join(dir, 'package.json'));
  await build({
    entryPoints: [join(SRC, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['development'],
    outfile: script,
    logLevel: 'warning',
    // Bundled CommonJS dependencies may call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __ptCreateRequire } from 'node:module'; const require = __ptCreateRequire(import.meta.url);" },
  });
  return { script, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  /** Sends `signal`; resolves with the exit code (kills with SIGKILL after `ms`). */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

/** Runs the CLI to completion (for `--help` and bad options). */
export function runCli(script: string, args: readonly string[], ms = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return within(
    ms,
    `puretls ${args.join(' ')}`,
    new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: ms });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.on('error', reject);
      proc.on('close', (code) => resolve({ code, stdout, stderr }));
    }),
  );
}

/** Starts `puretls serve --port 0 …args` and waits for its `listening on` line. */
export async function startCli(script: string, args: readonly string[], ms = 20_000): Promise<CliProcess> {
  const proc = spawn(process.execPath, [script, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  try {
    const port = await within(
      ms,
      'the CLI to print "listening on"',
      new Promise<number>((resolve, reject) => {
        proc.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /^listening on https:\/\/\S+:(\d+)$/m.exec(stdout);
          if (m) resolve(Number(m[1]));
        });
        proc.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before listening: ${stderr}`)));
      }),
    );
    return {
      proc,
      port,
      stdout: () => stdout,
      stderr: () => stderr,
      stop: async (signal: NodeJS.Signals = 'SIGTERM', killMs = 5000) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), killMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
    };
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
}

/** What {@link runTool} returns once the command has exited. */
export interface ToolResult {
  /** The exit code; `null` when a signal ended the command (as when its time ran out). */
  readonly code: number | null;
  /** The command's standard output. */
  readonly stdout: string;
  /** The command's standard error. */
  readonly stderr: string;
  /**
   * Standard output and standard error merged in the order their chunks arrived (what `endWhen`
   * is matched against).
   */
  readonly out: string;
}

/**
 * Runs a command with stdin fed by `input` (written, then kept open `holdMs`, or — with
 * `endWhen` — until its output matches, whatever the machine's load), bounded by `ms`: the command
 * is killed after `ms` and the promise rejects if it has not closed `ms` + 2 s after the start.
 * Output is decoded as latin1, one character a byte, in `stdout`, `stderr` and the merged `out`.
 */
export function runTool(
  cmd: string,
  args: readonly string[],
  options: { input?: string; holdMs?: number; endWhen?: RegExp; ms?: number } = {},
): Promise<ToolResult> {
  const ms = options.ms ?? 20_000;
  return within(
    ms + 2000,
    `${cmd} ${args.join(' ')}`,
    new Promise((resolve, reject) => {
      const proc = spawn(cmd, [...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: ms });
      let out = '';
      let stdout = '';
      let stderr = '';
      const endWhen = options.endWhen;
      const take = (d: Buffer): string => {
        const text = d.toString('latin1');
        out += text;
        if (endWhen !== undefined && endWhen.test(out) && !proc.stdin.writableEnded) proc.stdin.end();
        return text;
      };
      proc.stdout.on('data', (d: Buffer) => (stdout += take(d)));
      proc.stderr.on('data', (d: Buffer) => (stderr += take(d)));
      proc.stdin.on('error', () => {});
      proc.on('error', reject);
      let timer: NodeJS.Timeout | undefined;
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, out });
      });
      if (options.input !== undefined) proc.stdin.write(options.input);
      if (endWhen === undefined) timer = setTimeout(() => proc.stdin.end(), options.holdMs ?? 0);
    }),
  );
}

/**
 * The usual set-up of a test file that runs the CLI: bundles it once (beforeAll), and kills every
 * process it started and removes the bundle (afterAll). Call at the top level of the file.
 */
export function useCli(): { script(): string; start(args: readonly string[], ms?: number): Promise<CliProcess>; run(args: readonly string[], ms?: number): ReturnType<typeof runCli> } {
  let script: string | undefined;
  let cleanup: () => void = () => {};
  const procs: CliProcess[] = [];
  beforeAll(async () => {
    ({ script, cleanup } = await bundleCli());
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    cleanup();
  });
  const bundled = (): string => {
    if (script === undefined) throw new Error('useCli: the CLI is bundled in beforeAll');
    return script;
  };
  return {
    script: bundled,
    start: async (args, ms) => {
      const p = await startCli(bundled(), args, ms);
      procs.push(p);
      return p;
    },
    run: (args, ms) => runCli(bundled(), args, ms),
  };
}
