// Builds a user's export: every row of every table that belongs to them, found through the ORM
// metadata, as JSON. Re-running rebuilds the same document (idempotent); an expired export is left alone.
import type { EntityManager } from '@mikro-orm/postgresql';
import { ownedLinks } from '../db/user-owned.ts';
import { UserExport } from '../entities/user-export.entity.ts';
import type { userExport } from '../queues/user-export.ts';
import type { Payload } from '../queues/define-job.ts';
import type { JobContext } from './context.ts';

export async function collectUserRows(em: EntityManager, userId: string) {
  const tables: Record<string, unknown[]> = {};
  tables.users = await em.execute(`select * from users where id = ?`, [userId]);
  for (const link of ownedLinks(em.getMetadata()).filter((l) => l.meta.tableName !== 'user_exports')) {
    const rows = await em.execute(`select * from "${link.meta.tableName}" where "${link.column}" = ? order by 1`, [
      userId,
    ]);
    tables[link.meta.tableName] = [...(tables[link.meta.tableName] ?? []), ...rows];
  }
  return tables;
}

export async function processUserExport(p: Payload<typeof userExport>, ctx: JobContext) {
  const exp = await ctx.em.findOne(UserExport, p.export_id);
  if (exp?.status !== 'pending') return { skipped: exp ? exp.status : 'gone' };
  const tables = await collectUserRows(ctx.em, exp.user.id);
  exp.data = { exported_at: new Date().toISOString(), user_id: exp.user.id, tables };
  exp.status = 'ready';
  exp.readyAt = new Date();
  await ctx.em.flush();
  return { tables: Object.keys(tables).length, rows: Object.values(tables).reduce((n, r) => n + r.length, 0) };
}
