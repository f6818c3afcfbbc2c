// Property builders every table shares. Ids are generated in the app (onCreate) so em.create() has the id
// before the flush; the column default covers rows inserted by plain SQL.
import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/** uuid primary key: `gen_random_uuid()` in SQL, `crypto.randomUUID()` through the ORM. */
export const generatedId = () =>
  p
    .uuid()
    .primary()
    .defaultRaw('gen_random_uuid()')
    .onCreate(() => randomUUID());

export const createdAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());

export const updatedAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date())
    .onUpdate(() => new Date());

// jsonb defaults: `.default('{}')` would make the ORM insert the *string* "{}" for an unset property, so the
// SQL default is raw and the ORM sets the same empty value itself on create.

/** jsonb object, NOT NULL, `{}` when nothing was set. */
export const jsonObject = <T extends object = Record<string, unknown>>() =>
  p
    .json<T>()
    .defaultRaw(`'{}'`)
    .onCreate(() => ({}) as T);

/** jsonb list, NOT NULL, `[]` when nothing was set; a CHECK keeps it a list (the column name is needed for it). */
export const jsonList = <T = string>(column: string) =>
  p
    .json<T[]>()
    .defaultRaw(`'[]'`)
    .onCreate(() => [] as T[])
    .check(`jsonb_typeof(${column}) = 'array'`);

/**
 * A `real` score in [min, 1]; nullable (null = not scored yet). The literals are cast to real so PostgreSQL
 * stores the CHECK without a `double precision` cast, which the schema diff would misread as drift.
 */
export const score = (column: string, min: 0 | -1 = 0) =>
  p.float().nullable().check(`${column} >= ${min}::real and ${column} <= 1::real`);

/** A count or duration that can never be negative. */
export const nonNegativeInt = (column: string) => p.integer().check(`${column} >= 0`);
