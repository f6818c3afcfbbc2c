// `node src/main.ts <roles>` of this worktree as a child process, read line by line (pino JSON).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface MainProcess {
  proc: ChildProcess;
  /** Every JSON log line so far. */
  entries(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first entry whose msg is `msg`; rejects when the process exits first. */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** SIGTERM; the exit code and how long the stop took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

/** Starts `command args` (by default this worktree's src/main.ts) and follows its log. */
export function startMain(
  roles: string[],
  env: NodeJS.ProcessEnv,
  { cwd, args = ['src/main.ts', ...roles] }: { cwd?: string; args?: string[] } = {},
): MainProcess {
  const proc = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const entries: Record<string, unknown>[] = [];
  let stderr = '';
  proc.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const listeners = new Set<(entry: Record<string, unknown>) => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (process.env.TEST_ECHO_CHILD) process.stderr.write(`${roles.join('+')}: ${line}\n`);
    const entry = parse(line);
    if (!entry) return;
    entries.push(entry);
    for (const listener of listeners) listener(entry);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const name = roles.join('+') || args.join(' ');
  return {
    proc,
    entries: () => entries,
    stderr: () => stderr,
    exited,
    waitFor(msg, timeoutMs = 30_000) {
      const seen = entries.find((e) => e.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${msg}" within ${timeoutMs} ms`)), timeoutMs);
        const listener = (entry: Record<string, unknown>) => {
          if (entry.msg !== msg) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(entry);
        };
        listeners.add(listener);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited ${code} before "${msg}": ${stderr.trim()}`));
        });
      });
    },
    async stop() {
      const started = performance.now();
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const code = await exited;
      return { code, ms: performance.now() - started };
    },
  };
}
