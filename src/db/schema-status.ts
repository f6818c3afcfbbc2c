// Whether the database schema is current: every migration file in migrations/ is recorded as executed.
// Read-only (the ORM's migrator would create its table, even the database, just to answer), so a web
// process started before the release can ask it on every /readyz without touching the schema.
import { readdirSync } from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MIGRATIONS_DIR } from './orm-config.ts';

const migrationNames = () =>
  readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length));

/** Names of the migrations not yet applied (all of them when the migrations table does not exist). */
export async function pendingMigrations(em: EntityManager): Promise<string[]> {
  const [table] = await em.execute<{ exists: boolean }[]>(
    "select to_regclass('mikro_orm_migrations') is not null as exists",
  );
  const executed = table?.exists
    ? new Set((await em.execute<{ name: string }[]>('select name from mikro_orm_migrations')).map((r) => r.name))
    : new Set<string>();
  return migrationNames().filter((name) => !executed.has(name));
}
