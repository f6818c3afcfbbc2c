// Row locks that serialise work without blocking unrelated work.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../entities/user.entity.ts';

/**
 * Serialises work on one user (engagement folds, crisis triggers, call requests). FOR NO KEY UPDATE, not
 * FOR UPDATE: inserting a message or any other row that references the user takes a KEY SHARE lock on
 * it, which FOR UPDATE would block for the whole transaction (a deadlock, once, in the log test's flow).
 * Returns the user, or null when there is no such row.
 */
export async function lockUser(
  em: EntityManager,
  userId: string,
  where: { deletedAt?: null } = {},
): Promise<User | null> {
  const [row] = await em.execute<{ id: string }[]>(
    `select id from users where id = ?${'deletedAt' in where ? ' and deleted_at is null' : ''} for no key update`,
    [userId],
  );
  return row ? em.findOne(User, userId) : null;
}

/**
 * FOR UPDATE of the queried entity's own row only. With relations populated by a join, a plain FOR UPDATE
 * also locks every joined row (a voice, a user), so all calls of one assistant waited for each other
 * (bench/processing.ts). `v0` is MikroORM's alias of the root entity.
 */
export const lockRootRow = { lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: ['v0'] };
