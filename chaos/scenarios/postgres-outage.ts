import pg from 'pg';
import { auditInvariant, auditLoad, chaosEnv, sleep, stopAll, type Outcome } from '../support.ts';

// 3. PostgreSQL connections refused/terminated for CHAOS_PG_DOWN_S (20 s): jobs retry with backoff; invariants hold.
export async function postgresOutage(): Promise<Outcome> {
  const env = await chaosEnv('pg');
  const procs = [await env.start('web'), await env.start('clock'), await env.start('worker')];
  const port = procs[0]!.port!;
  const dbName = new URL(env.config.DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: env.config.DATABASE_URL.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const downMs = Number(process.env.CHAOS_PG_DOWN_S ?? 20) * 1000;
    const load = auditLoad(() => port, 5_000, { concurrency: 10, maxMs: downMs + 5_000 });
    await sleep(1_000);
    const until = Date.now() + downMs;
    let killed = 0;
    while (Date.now() < until) {
      const r = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [dbName],
      );
      killed += r.rowCount ?? 0;
      await sleep(100);
    }
    const result = await load;
    await env.orm.em
      .getConnection()
      .execute('select 1')
      .catch(() => undefined); // the harness's own pool reconnects
    const check = await auditInvariant(env, result, 120_000);
    const { statuses } = result;
    // Lower bounds: the outage really happened (backends were terminated) and the load really ran (some
    // requests were accepted), else the invariant holds over nothing.
    return {
      ok: check.held && !statuses[500] && killed > 0 && check.accepted > 0,
      backendsTerminated: killed,
      status503: statuses[503] ?? 0,
      status500: statuses[500] ?? 0,
      ...check,
    };
  } finally {
    await admin.end();
    await stopAll(procs);
    await env.dispose();
  }
}
