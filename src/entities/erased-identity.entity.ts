// Erasure tombstones: one row per erased account, holding only a keyed hash of its Supabase Auth id
// (src/domain/erasure.ts) and when it was erased. No FK and no PII: it must outlive the user, and it is what
// auth, self-sync, the Supabase webhook and reconciliation check before an identity may come back.
import { defineEntity, p } from '@mikro-orm/core';

export const ErasedIdentitySchema = defineEntity({
  name: 'ErasedIdentity',
  tableName: 'erased_identities',
  properties: {
    /** HMAC-SHA256 (ERASURE_TOMBSTONE_KEY) of the lower-case Auth id, hex. */
    identityHash: p.text().primary(),
    erasedAt: p.datetime().defaultRaw('now()'),
  },
});
export class ErasedIdentity extends ErasedIdentitySchema.class {}
ErasedIdentitySchema.setClass(ErasedIdentity);
