// The checked-in migrations, on a database of their own: up builds exactly the schema the entities
// describe (no drift), down removes every table, and up works again after that.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm } from '../../src/db/orm.ts';
import type { Orm } from '../../src/db/orm.ts';
import { entities } from '../../src/entities/index.ts';
import { adminDatabaseUrl } from '../support/constants.ts';
import { admin } from '../support/own-database.ts';

const dbName = `hearth_migrations_${randomBytes(4).toString('hex')}`;
let orm: Orm;

const tables = async () => {
  const rows = await orm.em
    .fork()
    .execute<{ tablename: string }[]>(`select tablename from pg_tables where schemaname = 'public' order by tablename`);
  return rows.map((r) => r.tablename);
};

beforeAll(async () => {
  await admin(`create database "${dbName}"`);
  orm = await initOrm({ DATABASE_URL: adminDatabaseUrl.replace(/\/[^/]*$/, `/${dbName}`), DATABASE_POOL_MAX: 2 });
});

afterAll(async () => {
  await orm?.close();
  await admin(`drop database if exists "${dbName}" with (force)`);
});

describe('migrations', () => {
  it('up creates every entity table and leaves no drift', async () => {
    const applied = await orm.migrator.up();
    expect(applied.length).toBeGreaterThan(0);
    const tableNames = entities.map((e) => e.meta.tableName).sort();
    expect(await tables()).toEqual([...tableNames, 'mikro_orm_migrations'].sort());
    expect(await orm.migrator.checkSchema()).toBe(false);
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('down to zero removes every table, trigger and function', async () => {
    await orm.migrator.down({ to: 0 });
    expect(await tables()).toEqual(['mikro_orm_migrations']);
    const functions = await orm.em
      .fork()
      .execute(
        `select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`,
      );
    expect(functions).toEqual([]);
  });

  it('up again rebuilds the same schema', async () => {
    await orm.migrator.up();
    expect(await orm.migrator.checkSchema()).toBe(false);
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });
});
