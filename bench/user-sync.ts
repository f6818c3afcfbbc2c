// Reconciliation benchmark: 100,000 Auth users from a fake Supabase Auth (a child process, so its memory
// is not ours) into an empty database, then again with 1% changed. Prints wall time, users/s, peak RSS
// and what the second pass wrote. Usage: node_modules/.bin/node bench/user-sync.ts [users]
// (add --max-old-space-size=96 before the script to show the reconciler's memory stays bounded).
import { DEV_SECRETS } from '../src/config.ts';
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { FakeSupabaseAuth } from '../test/support/fake-supabase-auth.ts';
import { headline } from './support.ts';
import { initOrm } from '../src/db/orm.ts';
import { createLogger } from '../src/lib/logger.ts';
import { producerConnection } from '../src/queues/connection.ts';
import { Producer } from '../src/queues/producer.ts';
import { createAuthAdmin } from '../src/lib/supabase-admin.ts';
import { processUserReconcile } from '../src/workers/user-reconcile.ts';
import { createOwnDatabase } from '../test/support/own-database.ts';

const USERS = Number(process.argv[2] ?? 100_000);

if (process.argv[2] === 'fake') {
  // Child: the fake Auth server. Tells the parent its address, changes 1% on request.
  const fake = await new FakeSupabaseAuth().start();
  for (let i = 0; i < Number(process.argv[3]); i++) fake.add();
  process.on('message', (msg: { mutate: number }) => {
    const ids = [...fake.users.keys()];
    for (let i = 0; i < msg.mutate; i++) {
      const id = ids[Math.floor((i * ids.length) / msg.mutate)]!;
      fake.update(id, { email: `changed-${id}@example.test` });
    }
    process.send!({ mutated: msg.mutate });
  });
  process.send!({ url: fake.url, key: fake.serviceKey });
} else {
  await main();
}

async function main() {
  const child = fork(new URL(import.meta.url).pathname, ['fake', String(USERS)], { execArgv: [] });
  const next = () => new Promise<Record<string, unknown>>((r) => child.once('message', r as (m: unknown) => void));
  const { url, key } = (await next()) as { url: string; key: string };

  const db = await createOwnDatabase('bench_user_sync');
  const orm = await initOrm({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 4 });
  const producer = new Producer(
    producerConnection('redis://127.0.0.1:6379'),
    `hearth-bench-${randomBytes(4).toString('hex')}`,
  );
  if (producer.connection.status !== 'ready') await once(producer.connection, 'ready');
  const admin = createAuthAdmin({ SUPABASE_URL: url, SUPABASE_SERVICE_ROLE_KEY: key });
  const log = createLogger('silent');

  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const startRss = Math.round(process.memoryUsage().rss / 2 ** 20);
  const pass = async (name: string) => {
    peakRss = process.memoryUsage().rss;
    peakHeap = process.memoryUsage().heapUsed;
    const started = new Date();
    const t0 = performance.now();
    const ctx = { em: orm.em.fork(), log, queue: 'user-reconcile', jobId: randomUUID(), attempt: 1, producer };
    const result = await processUserReconcile({}, ctx, {
      admin,
      perPage: 1000,
      tombstoneKey: DEV_SECRETS.ERASURE_TOMBSTONE_KEY,
    });
    const seconds = (performance.now() - t0) / 1000;
    const em = orm.em.fork();
    const count = async (sql: string) => Number((await em.execute<{ n: string }[]>(sql, [started]))[0]?.n);
    const usersWritten = await count('select count(*) as n from users where updated_at >= ?');
    const logs = await count('select count(*) as n from user_sync_logs where created_at >= ?');
    return {
      pass: name,
      users: result.listed,
      created: result.create,
      updated: result.update,
      deleted: result.delete,
      'users written': usersWritten,
      'sync logs': logs,
      'wall s': seconds.toFixed(2),
      'users/s': Math.round(result.listed / seconds),
      'peak RSS MB': Math.round(peakRss / 2 ** 20),
      'peak heap MB': Math.round(peakHeap / 2 ** 20),
    };
  };

  try {
    const rows = [await pass('1: empty database')];
    child.send({ mutate: Math.round(USERS / 100) });
    await next();
    rows.push(await pass('2: 1% changed'));
    console.table(rows);
    for (const r of rows)
      headline(
        `user sync of ${USERS} users, pass ${r.pass}`,
        `${r['users/s']} users/s, ${r['users written']} users written`,
      );
    console.log(`RSS before the first pass: ${startRss} MB (node + ORM + clients)`);
  } finally {
    clearInterval(sampler);
    child.kill();
    await producer.close();
    producer.connection.disconnect();
    await orm.close();
    await db.drop();
  }
}
