// Chaos plumbing: real Hearth processes (node src/main.ts <role>) as children on a database and Redis
// prefix of their own, a bounded HTTP load, and invariant checks over the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchEnv, type BenchEnv } from '../bench/support.ts';
import { JobLedger } from './ledger.ts';

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
  /** Every job run of every process this env started (chaos/ledger.ts). */
  ledger: JobLedger;
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
  const ledger = new JobLedger();
  const chaos: ChaosEnv = {
    ...base,
    childEnv,
    ledger,
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
        if (entry) ledger.record(entry);
        if (entry?.msg === 'api listening') port = entry.port as number;
        if (entry?.msg === 'hearth ready') {
          ready = true;
          break;
        }
      }
      if (!ready) throw new Error(`${role} exited before it was ready (code ${await exited})`);
      void (async () => {
        for (let next = await lines.next(); !next.done; next = await lines.next()) {
          const entry = safeJson(next.value);
          if (!entry) continue;
          ledger.record(entry);
          onLog?.(entry);
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

export interface LoadOptions {
  concurrency?: number;
  tag?: string;
  maxMs?: number;
  /** Filled as answers arrive, for a scenario that reads the figures mid-load. */
  out?: LoadResult;
  /** Checked before each request: true ends the load early. */
  done?: () => boolean;
}

/**
 * Up to `total` audit events from `concurrency` loops, for at most `maxMs`; returns the job ids the API
 * accepted. A request that got no answer (refused while the API restarts, or timed out) is counted in
 * `statuses[0]` and sent again after 100 ms, as a client would, so an API that is away for a while neither
 * burns the load on a closed port nor leaves nothing for the processes that replace it.
 */
export async function auditLoad(port: () => number, total: number, opts: LoadOptions = {}): Promise<LoadResult> {
  const { concurrency = 20, tag = 'chaos', maxMs = 120_000, done = () => false } = opts;
  const deadline = Date.now() + maxMs;
  const out = opts.out ?? { accepted: [], statuses: {} };
  const { accepted, statuses } = out;
  let next = 0;
  const more = () => Date.now() < deadline && !done();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && more()) {
        const n = next++;
        for (let answered = false; !answered && more(); ) {
          try {
            const res = await fetch(`http://127.0.0.1:${port()}/v1/audit-events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
              body: JSON.stringify({ event_type: tag, event_category: 'system', severity: 'info', event_data: { n } }),
              signal: AbortSignal.timeout(5_000),
            });
            answered = true;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status === 202) accepted.push(((await res.json()) as { job_id: string }).job_id);
            else await res.body?.cancel();
          } catch {
            statuses[0] = (statuses[0] ?? 0) + 1; // connection refused or timed out: not accepted (yet)
            await sleep(100);
          }
        }
      }
    }),
  );
  return out;
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

/**
 * Every accepted audit event has exactly one system_events row (its id is derived from the job id), and
 * ran exactly once: its row is keyed by the job id and written "on conflict do nothing", so a second run
 * would leave the same count; the ledger counts runs instead. `extraJobs` are audit jobs under ids the API
 * never answered with: a request that timed out at the client may have been accepted, anything beyond that
 * is one request enqueued twice. The outbox must end empty.
 */
export async function auditInvariant(env: ChaosEnv, load: LoadResult, timeoutMs = 60_000) {
  const { deterministicUuid } = await import('../src/lib/ids.ts');
  const { auditEvent } = await import('../src/queues/audit-event.ts');
  const { accepted } = load;
  const ids = accepted.map((id) => deterministicUuid(`audit-event:${id}`));
  const count = async () => {
    const [row] = await query<{ n: number }>(
      env,
      `select count(*)::int as n from system_events where id = any(?::uuid[])`,
      [`{${ids.join(',')}}`],
    );
    return row?.n ?? 0;
  };
  const pending = async () =>
    (await query<{ n: number }>(env, `select count(*)::int as n from outbox_jobs where enqueued_at is null`))[0]?.n ??
    0;
  const acceptedSet = new Set(accepted);
  const ran = () => env.ledger.completedIds(auditEvent.name).filter((id) => acceptedSet.has(id)).length;
  await waitFor(
    async () => (await count()) === ids.length && ran() === ids.length && (await pending()) === 0,
    timeoutMs,
  );
  const written = await count();
  const extraJobs = env.ledger.completedIds(auditEvent.name).filter((id) => !acceptedSet.has(id)).length;
  const { doubles, rerunsAfterStall } = await env.ledger.doubles(env.config.REDIS_URL, env.config.REDIS_PREFIX);
  const outboxPending = await pending();
  const unanswered = load.statuses[0] ?? 0;
  return {
    held:
      written === accepted.length &&
      ran() === accepted.length &&
      doubles === 0 &&
      outboxPending === 0 &&
      extraJobs <= unanswered,
    accepted: accepted.length,
    written,
    lost: accepted.length - written,
    ran: ran(),
    doubles,
    rerunsAfterStall,
    extraJobs,
    retries: env.ledger.retries,
    outboxPending,
  };
}

/** What a scenario reports: `ok` (every invariant held) and its figures. */
export type Outcome = { ok: boolean } & Record<string, string | number | boolean>;
