// Chaos plumbing: real Hearth processes (node src/main.ts <role>) as children on a database and Redis
// prefix of their own, a bounded HTTP load, and invariant checks over the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchEnv, type BenchEnv } from '../bench/support.ts';

export { sleep };

export const SERVICE_KEY = 'chaos-service-key-0123456789abcdef';
export const ADMIN_TOKEN = 'chaos-admin-token-0123456789';

export interface HearthProcess {
  role: string;
  proc: ChildProcess;
  port?: number;
  exited: Promise<number | null>;
}

export type LogEntry = Record<string, unknown>;

export interface ChaosEnv extends BenchEnv {
  /** Environment every child process gets. */
  childEnv: Record<string, string>;
  /** `onLog` sees every JSON log line of the child after it is ready. */
  start(
    role: 'web' | 'worker' | 'clock',
    extra?: Record<string, string>,
    onLog?: (entry: LogEntry) => void,
  ): Promise<HearthProcess>;
}

// Whatever a scenario leaves running or undisposed (it failed, timed out, or the runner was interrupted)
// is taken down by cleanupLeftovers(): child processes, databases, Redis keys.
const liveChildren = new Set<ChildProcess>();
const liveEnvs = new Set<BenchEnv>();

/** Registers a child process for cleanupLeftovers (Hearth children are registered by start()). */
export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

export async function cleanupLeftovers(): Promise<{ killed: number; disposed: number }> {
  const children = [...liveChildren];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
    ),
  );
  const envs = [...liveEnvs];
  for (const env of envs)
    await env.dispose().catch((err: Error) => console.error(`chaos: cleanup failed: ${err.message}`));
  return { killed: children.length, disposed: envs.length };
}

export const stopAll = async (procs: HearthProcess[], signal: NodeJS.Signals = 'SIGTERM') => {
  for (const p of procs) p.proc.kill(signal);
  return Promise.all(procs.map((p) => p.exited));
};

export async function chaosEnv(name: string, env: Record<string, string> = {}): Promise<ChaosEnv> {
  const base = await benchEnv(`chaos_${name}`, { SERVICE_API_KEYS: SERVICE_KEY, ADMIN_TOKEN, ...env });
  const childEnv = {
    DATABASE_URL: base.config.DATABASE_URL,
    REDIS_URL: base.config.REDIS_URL,
    REDIS_PREFIX: base.config.REDIS_PREFIX,
    SERVICE_API_KEYS: SERVICE_KEY,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    WORKER_LOCK_MS: '3000',
    WORKER_STALLED_CHECK_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    OUTBOX_POLL_MS: '200',
    ...env,
  };
  const chaos: ChaosEnv = {
    ...base,
    childEnv,
    async dispose() {
      liveEnvs.delete(chaos);
      await base.dispose();
    },
    async start(role, extra = {}, onLog) {
      const proc = track(
        spawn(process.execPath, ['src/main.ts', role], {
          env: { ...process.env, ...childEnv, PORT: '0', LOG_LEVEL: 'info', ...extra },
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      let port: number | undefined;
      let ready = false;
      // One iterator for the child's whole life: it keeps draining (and, with onLog, reading) its logs.
      const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        const entry = safeJson(next.value);
        if (entry?.msg === 'api listening') port = entry.port as number;
        if (entry?.msg === 'hearth ready') {
          ready = true;
          break;
        }
      }
      if (!ready) throw new Error(`${role} exited before it was ready (code ${await exited})`);
      void (async () => {
        for (let next = await lines.next(); !next.done; next = await lines.next()) {
          const entry = onLog && safeJson(next.value);
          if (entry) onLog(entry);
        }
      })();
      return { role, proc, port, exited };
    },
  };
  liveEnvs.add(chaos);
  return chaos;
}

const safeJson = (line: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
};

export interface LoadResult {
  accepted: string[];
  statuses: Record<number, number>;
}

/** Up to `total` audit events from `concurrency` loops, for at most `maxMs`; returns the job ids the API accepted. */
export async function auditLoad(
  port: () => number,
  total: number,
  concurrency = 20,
  tag = 'chaos',
  maxMs = 120_000,
): Promise<LoadResult> {
  const deadline = Date.now() + maxMs;
  const accepted: string[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && Date.now() < deadline) {
        const n = next++;
        try {
          const res = await fetch(`http://127.0.0.1:${port()}/v1/audit-events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
            body: JSON.stringify({ event_type: tag, event_category: 'system', severity: 'info', event_data: { n } }),
            signal: AbortSignal.timeout(5_000),
          });
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 202) accepted.push(((await res.json()) as { job_id: string }).job_id);
          else await res.body?.cancel();
        } catch {
          statuses[0] = (statuses[0] ?? 0) + 1; // connection refused or timed out: not accepted
        }
      }
    }),
  );
  return { accepted, statuses };
}

/** Rows of one SQL statement on the harness's own connection (`?` placeholders). */
export const query = <T>(env: BenchEnv, sql: string, params: unknown[] = []) =>
  env.orm.em.fork().getConnection().execute<T[]>(sql, params);

/** Polls until `check` is true or the deadline passes; returns whether it became true. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

/** Every accepted audit event has exactly one system_events row (its id is derived from the job id). */
export async function auditInvariant(env: ChaosEnv, accepted: string[], timeoutMs = 60_000) {
  const { deterministicUuid } = await import('../src/lib/ids.ts');
  const ids = accepted.map((id) => deterministicUuid(`audit-event:${id}`));
  const count = async () => {
    const [row] = await env.orm.em
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from system_events where id = any(?::uuid[])`, [
        `{${ids.join(',')}}`,
      ]);
    return row?.n ?? 0;
  };
  await waitFor(async () => (await count()) === ids.length, timeoutMs);
  const written = await count();
  const [pending] = await env.orm.em
    .getConnection()
    .execute<{ n: number }[]>(`select count(*)::int as n from outbox_jobs where enqueued_at is null`);
  return { accepted: accepted.length, written, lost: accepted.length - written, outboxPending: pending?.n ?? 0 };
}

/** What a scenario reports: `ok` (every invariant held) and its figures. */
export type Outcome = { ok: boolean } & Record<string, string | number | boolean>;
