// Erasure tombstones in erased_identities (src/domain/erasure.ts): written by the erasure, read by everything
// that could bring an identity back (auth, user sync, the Supabase webhook, reconciliation).
import type { EntityManager } from '@mikro-orm/postgresql';
import { identityHash } from '../domain/erasure.ts';

/** Writes the tombstone of an Auth id (idempotent), in the caller's transaction. */
export async function writeTombstone(em: EntityManager, tombstoneKey: string, userId: string): Promise<void> {
  await em.execute('insert into erased_identities (identity_hash) values (?) on conflict do nothing', [
    identityHash(tombstoneKey, userId),
  ]);
}

/** The ids among these that were erased (a tombstone under `key`): they are never synced again. */
export async function erasedIds(em: EntityManager, ids: readonly string[], key: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const byHash = new Map(ids.map((id) => [identityHash(key, id), id]));
  const rows = await em.execute<{ identity_hash: string }[]>(
    'select identity_hash from erased_identities where identity_hash = any(?::text[])',
    [`{${[...byHash.keys()].join(',')}}`],
  );
  return new Set(rows.map((r) => byHash.get(r.identity_hash)!));
}
