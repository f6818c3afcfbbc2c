// Reconciliation against a fake Supabase Auth with 2,500+ users, on a database of its own (it treats
// every local user as its business).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, jobContext } from '../support/platform.ts';
import { createOwnDatabase } from '../support/own-database.ts';
import { createUserSyncPlatform, type UserSyncPlatform } from '../support/user-sync-platform.ts';
import { makeUser } from '../entities/fixtures.ts';
import { User } from '../../src/entities/user.entity.ts';
import { UserSyncLog } from '../../src/entities/user-sync-log.entity.ts';
import { UserServiceProfile } from '../../src/entities/user-service-profile.entity.ts';
import { userReconcile } from '../../src/queues/user-reconcile.ts';
import { processUserReconcile, ReconcileRefused } from '../../src/workers/user-reconcile.ts';
import { createAuthAdmin } from '../../src/lib/supabase-admin.ts';

let s: UserSyncPlatform;
let db: Awaited<ReturnType<typeof createOwnDatabase>>;
beforeAll(async () => {
  db = await createOwnDatabase('reconcile');
  s = await createUserSyncPlatform({ DATABASE_URL: db.url });
  s.platform.startWorkers();
});
afterAll(async () => {
  await s?.close();
  await db?.drop();
});

const em = () => s.platform.orm.em.fork();
const liveCount = () => em().count(User, { deletedAt: null });

/** Runs the processor in-process (for runs expected to throw). */
function runDirect() {
  return processUserReconcile({}, jobContext(s.platform, userReconcile.name), {
    admin: createAuthAdmin(s.platform.config),
    perPage: 1000,
    tombstoneKey: s.platform.config.ERASURE_TOMBSTONE_KEY,
  });
}

/** Runs a reconcile through the queue, as the clock's scheduler does, and returns its result. */
async function runQueued() {
  const queue = s.platform.producer.queue(userReconcile);
  const job = await queue.add(userReconcile.name, {}, { jobId: randomUUID() });
  await eventually(async () => (await job.getState()) === 'completed', 30_000);
  return (await queue.getJob(job.id!))!.returnvalue as Record<string, number>;
}

describe('user-reconcile', () => {
  it('creates 2,500 users across three pages, then updates, creates and soft-deletes only what changed', async () => {
    for (let i = 0; i < 2_500; i++) s.fake.add();
    s.fake.requests.length = 0;
    expect(await runQueued()).toEqual({ listed: 2_500, create: 2_500, update: 0, delete: 0, noop: 0 });
    // Pages of 1,000 until the short third page; never beyond it.
    expect(s.fake.requests.filter((r) => r.includes('/admin/users?'))).toEqual(
      [1, 2, 3].map((p) => `GET /auth/v1/admin/users?page=${p}&per_page=1000`),
    );
    expect(await liveCount()).toBe(2_500);
    expect(await em().count(UserServiceProfile, { serviceType: 'chat' })).toBe(2_500);
    expect(await em().count(UserSyncLog, { syncType: 'create', source: 'reconcile' })).toBe(2_500);

    const ids = [...s.fake.users.keys()];
    const changed = ids.slice(0, 100);
    for (const id of changed) s.fake.update(id, { email: `changed-${id}@example.test` });
    const removed = ids.slice(2_000, 2_030);
    for (const id of removed) s.fake.users.delete(id);
    const added = Array.from({ length: 50 }, () => s.fake.add().id);
    const localOnly = await makeUser(em()); // never existed in Auth
    const secondRunStart = new Date();

    expect(await runQueued()).toEqual({ listed: 2_520, create: 50, update: 100, delete: 31, noop: 0 });
    expect(
      await em().count(User, { id: { $in: [...removed, localOnly.id] }, deletedAt: { $ne: null }, isActive: false }),
    ).toBe(31);
    expect(await em().count(User, { id: { $in: changed }, email: { $like: 'changed-%' } })).toBe(100);
    expect(await em().count(User, { id: { $in: added } })).toBe(50);
    // Unchanged users were not written, and only the syncs that happened were logged.
    expect(await em().count(User, { updatedAt: { $gte: secondRunStart } })).toBe(100 + 31 + 50);
    expect(await em().count(UserSyncLog, { createdAt: { $gte: secondRunStart } })).toBe(181);
    const update = await em().findOneOrFail(UserSyncLog, { user: changed[0], syncType: 'update' });
    expect(Object.keys(update.afterData!).sort()).toEqual(['auth_updated_at', 'email']);

    // A third run finds nothing to do.
    expect(await runQueued()).toEqual({ listed: 2_520, create: 0, update: 0, delete: 0, noop: 0 });
  });

  it('an Auth outage mid-listing deletes nothing (the pages before it are synced)', async () => {
    const ids = [...s.fake.users.keys()];
    for (const id of ids.slice(0, 10)) s.fake.users.delete(id); // would be deleted by a complete run
    s.fake.update(ids[20]!, { email: 'before-outage@example.test' }); // on page 1
    s.fake.failPages.add(2);
    const live = await liveCount();
    try {
      await expect(runDirect()).rejects.toThrow(/list users failed \(status 503\)/);
      expect(await liveCount()).toBe(live);
      expect((await em().findOneOrFail(User, ids[20]!)).email).toBe('before-outage@example.test');
    } finally {
      s.fake.failPages.clear();
    }
    expect((await runDirect()).delete).toBe(10);
  });

  it('a user the listing skipped is confirmed with get-by-id and kept', async () => {
    const [skipped] = [...s.fake.users.keys()];
    s.fake.hiddenFromList.add(skipped!);
    try {
      const result = await runDirect();
      expect(result.delete).toBe(0);
      expect((await em().findOneOrFail(User, skipped!)).deletedAt).toBeNull();
    } finally {
      s.fake.hiddenFromList.clear();
    }
  });

  it('runs one reconciliation at a time', async () => {
    const results = await Promise.all([runDirect(), runDirect()]);
    expect(results.filter((r) => r.skipped)).toEqual([
      { skipped: true, listed: 0, create: 0, update: 0, delete: 0, noop: 0 },
    ]);
    expect(await runDirect()).toMatchObject({ listed: s.fake.users.size });
  });

  it('refuses to soft-delete most users at once (an empty or wrong Auth project)', async () => {
    const saved = new Map(s.fake.users);
    s.fake.users.clear();
    const live = await liveCount();
    try {
      await expect(runDirect()).rejects.toThrow(ReconcileRefused);
      expect(await liveCount()).toBe(live);
    } finally {
      for (const [id, u] of saved) s.fake.users.set(id, u);
    }
  });
});
