// Supabase Auth user -> our `users` columns, and what one sync must change. Pure: the worker loads, this
// decides, the worker writes. Times are ISO strings at millisecond precision (what a JS Date keeps), so a
// snapshot compares equal to the row it produced.

import type { ServiceType } from './enums.ts';

/**
 * Service profiles a first sync creates. Every user starts with the chat companion; voice and scheduling
 * profiles are created by those services on first use (as the engagement usage counters do), so a user
 * who never calls has no empty voice row.
 */
export const INITIAL_SERVICES: readonly ServiceType[] = ['chat'];

/** The fields of a Supabase Auth user (admin API JSON) that we read; everything else is ignored. */
export interface AuthUser {
  id: string;
  email?: string | null;
  phone?: string | null;
  email_confirmed_at?: string | null;
  phone_confirmed_at?: string | null;
  last_sign_in_at?: string | null;
  updated_at?: string | null;
  deleted_at?: string | null;
  user_metadata?: Record<string, unknown> | null;
}

/** The users columns Auth owns. bio, xp, current_streak, privacy_settings are the app's and never appear here. */
export interface SyncedFields {
  email: string | null;
  phone_number: string | null;
  full_name: string | null;
  display_name: string | null;
  avatar_url: string | null;
  email_confirmed_at: string | null;
  phone_confirmed_at: string | null;
  last_sign_in_at: string | null;
  auth_updated_at: string | null;
}

/** Our row as the planner needs it. */
export interface LocalUser extends SyncedFields {
  id: string;
  display_name_set_in_app: boolean;
  deleted_at: string | null;
}

export type ChangedFields = Partial<Record<keyof SyncedFields | 'deleted_at' | 'is_active', string | boolean | null>>;

/** `erased`: the identity has an erasure tombstone (src/domain/erasure.ts): it never comes back. */
export type NoopReason = 'unchanged' | 'stale' | 'already_deleted' | 'unknown_user' | 'erased';

export type SyncPlan =
  | { type: 'create'; fields: SyncedFields; before: null; after: ChangedFields }
  | { type: 'update'; fields: SyncedFields; before: ChangedFields; after: ChangedFields }
  | { type: 'delete'; deletedAt: string; before: ChangedFields; after: ChangedFields }
  | { type: 'noop'; reason: NoopReason };

const SYNCED_KEYS = [
  'email',
  'phone_number',
  'full_name',
  'display_name',
  'avatar_url',
  'email_confirmed_at',
  'phone_confirmed_at',
  'last_sign_in_at',
  'auth_updated_at',
] as const satisfies readonly (keyof SyncedFields)[];

/** Normalizes a timestamp to ISO at millisecond precision; null for absent or unparseable values. */
export function isoTime(value: unknown): string | null {
  if (value == null || value === '') return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const text = (value: unknown, max: number): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, max) : null;
};

/** Auth stores phones as digits without `+` ("15555550100"); we keep E.164. Empty string = no phone. */
export function normalizePhone(phone: unknown): string | null {
  const value = text(phone, 32)?.replace(/[\s()-]/g, '');
  if (!value) return null;
  return /^\+?\d{6,15}$/.test(value) ? (value.startsWith('+') ? value : `+${value}`) : null;
}

const avatar = (value: unknown): string | null => {
  const url = text(value, 2048);
  return url && /^https?:\/\//i.test(url) ? url : null;
};

/**
 * Profile fields from user_metadata, only when the metadata has them (undefined = leave ours alone).
 * OAuth providers use `name`/`picture`; email sign-ups whatever the app put there.
 */
function metadataFields(meta: Record<string, unknown> | null | undefined) {
  const m = meta ?? {};
  const pick = (...keys: string[]) => keys.find((k) => typeof m[k] === 'string');
  const nameKey = pick('full_name', 'name');
  const displayKey = pick('display_name', 'preferred_username', 'user_name');
  const avatarKey = pick('avatar_url', 'picture');
  return {
    full_name: nameKey ? text(m[nameKey], 200) : undefined,
    display_name: displayKey ? text(m[displayKey], 100) : undefined,
    avatar_url: avatarKey ? avatar(m[avatarKey]) : undefined,
  };
}

/** The synced fields an Auth snapshot asks for, merged onto our row (app-owned values win). */
export function mapAuthUser(auth: AuthUser, local: LocalUser | null): SyncedFields {
  const meta = metadataFields(auth.user_metadata);
  const keep = <K extends keyof SyncedFields>(key: K, next: SyncedFields[K] | undefined): SyncedFields[K] =>
    next === undefined ? (local?.[key] ?? null) : next;
  return {
    email: text(auth.email, 320)?.toLowerCase() ?? null,
    phone_number: normalizePhone(auth.phone),
    full_name: keep('full_name', meta.full_name),
    display_name: local?.display_name_set_in_app ? local.display_name : keep('display_name', meta.display_name),
    avatar_url: keep('avatar_url', meta.avatar_url),
    email_confirmed_at: isoTime(auth.email_confirmed_at),
    phone_confirmed_at: isoTime(auth.phone_confirmed_at),
    last_sign_in_at: isoTime(auth.last_sign_in_at),
    auth_updated_at: isoTime(auth.updated_at),
  };
}

/** The fields whose values differ, as before/after objects holding those fields only. */
export function diffFields(before: SyncedFields, after: SyncedFields): { before: ChangedFields; after: ChangedFields } {
  const diff = { before: {} as ChangedFields, after: {} as ChangedFields };
  for (const key of SYNCED_KEYS) {
    if (before[key] === after[key]) continue;
    diff.before[key] = before[key];
    diff.after[key] = after[key];
  }
  return diff;
}

/** Older than what we already hold? Snapshots without an updated_at are never treated as stale. */
const isStale = (local: LocalUser, auth: AuthUser) => {
  const ours = local.auth_updated_at;
  const theirs = isoTime(auth.updated_at);
  return ours !== null && theirs !== null && theirs < ours;
};

/**
 * What syncing this Auth snapshot must do to our row. A deleted local user stays deleted (Auth ids are
 * never reused, so a snapshot after a deletion is a late one); an Auth user marked deleted is a deletion.
 */
export function planSync(local: LocalUser | null, auth: AuthUser, now: Date): SyncPlan {
  if (auth.deleted_at) return planDeletion(local, now);
  if (local?.deleted_at) return { type: 'noop', reason: 'already_deleted' };
  const fields = mapAuthUser(auth, local);
  if (!local) {
    const after = Object.fromEntries(SYNCED_KEYS.filter((k) => fields[k] !== null).map((k) => [k, fields[k]]));
    return { type: 'create', fields, before: null, after };
  }
  if (isStale(local, auth)) return { type: 'noop', reason: 'stale' };
  const diff = diffFields(local, fields);
  if (Object.keys(diff.after).length === 0) return { type: 'noop', reason: 'unchanged' };
  return { type: 'update', fields, ...diff };
}

/** Auth no longer has the user: soft delete once; later deliveries are no-ops. */
export function planDeletion(local: LocalUser | null, now: Date): SyncPlan {
  if (!local) return { type: 'noop', reason: 'unknown_user' };
  if (local.deleted_at) return { type: 'noop', reason: 'already_deleted' };
  const deletedAt = now.toISOString();
  return {
    type: 'delete',
    deletedAt,
    before: { deleted_at: null, is_active: true },
    after: { deleted_at: deletedAt, is_active: false },
  };
}

/** Does our row need a sync for this listed Auth user? (Reconciliation skips everything else.) */
export const needsSync = (
  local: Pick<LocalUser, 'auth_updated_at' | 'deleted_at'> | undefined,
  auth: AuthUser,
): boolean =>
  !local ||
  isoTime(auth.updated_at) !== local.auth_updated_at ||
  Boolean(auth.deleted_at) !== Boolean(local.deleted_at);
