// The caller's own account: GET /v1/me (profile, streak, XP, usage) and PATCH /v1/me (display name, bio,
// privacy flags). A display name set here is the app's (display_name_set_in_app): Auth sync never
// overwrites it; clearing it hands the name back to Auth (a self-sync fetches Auth's name at once).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { visibleStreak } from '../../domain/engagement.ts';
import { PrivacyFlags, privacyFlags } from '../../domain/service-preferences.ts';
import { ActivityEvent } from '../../entities/activity-event.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { UserServiceProfile } from '../../entities/user-service-profile.entity.ts';
import { userZone } from '../../db/user-zone.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { enqueueInTransaction } from '../../queues/producer.ts';
import { userSync } from '../../queues/user-sync.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

/** Longest bio, in characters. */
export const MAX_BIO_CHARS = 500;

const Me = z
  .object({
    id: z.uuid(),
    synced: z.boolean(),
    display_name: z.string().nullable(),
    display_name_source: z.enum(['app', 'auth']).describe('app: the user chose it here; auth: from Supabase Auth'),
    bio: z.string().nullable(),
    privacy_settings: z.object({ show_streak: z.boolean(), show_last_active: z.boolean() }),
    current_streak: z
      .number()
      .int()
      .describe('consecutive local days with activity; 0 once a whole day passed without'),
    xp: z.number().int(),
    last_active_at: z.iso.datetime().nullable(),
    usage: z.record(
      z.string(),
      z.object({ stats: z.record(z.string(), z.unknown()), last_used_at: z.iso.datetime().nullable() }),
    ),
  })
  .openapi('Me');

const MePatch = z
  .object({
    display_name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .nullable()
      .describe('null hands the name back to Supabase Auth (user_metadata.display_name)'),
    bio: z.string().trim().max(MAX_BIO_CHARS).nullable(),
    privacy_settings: PrivacyFlags.describe('merged into the stored flags; unknown keys are refused'),
  })
  .partial()
  .strict()
  .openapi('MePatch');

const unauthorized = {
  description: 'missing, expired or invalid token',
  content: { 'application/json': { schema: ErrorBody } },
};
const get = createRoute({
  method: 'get',
  path: '/v1/me',
  summary: 'The caller: profile, sync state, streak, XP and per-service usage',
  security: [{ userToken: [] }],
  responses: {
    200: { description: 'the caller', content: { 'application/json': { schema: Me } } },
    401: unauthorized,
  },
});
const patch = createRoute({
  method: 'patch',
  path: '/v1/me',
  summary: 'Change your display name, bio or privacy flags',
  security: [{ userToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: MePatch } } } },
  responses: {
    200: { description: 'the caller, changed', content: { 'application/json': { schema: Me } } },
    400: { description: 'invalid input (names the field)', content: { 'application/json': { schema: ErrorBody } } },
    401: unauthorized,
    404: { description: 'the account is not synced yet', content: { 'application/json': { schema: ErrorBody } } },
  },
});

async function meView(em: EntityManager, id: string, user: User | null) {
  const profiles = user ? await em.find(UserServiceProfile, { user }) : [];
  // The streak's date is the fold's, kept on the latest activity row.
  const latest = user
    ? await em.findOne(ActivityEvent, { user }, { orderBy: { occurredAt: 'desc', id: 'desc' } })
    : null;
  return {
    id,
    synced: Boolean(user),
    display_name: user?.displayName ?? null,
    display_name_source: user?.displayNameSetInApp ? ('app' as const) : ('auth' as const),
    bio: user?.bio ?? null,
    privacy_settings: privacyFlags(user?.privacySettings),
    current_streak:
      user && latest
        ? visibleStreak(
            { currentStreak: user.currentStreak, lastActiveDate: latest.streakDateAfter },
            new Date(),
            await userZone(em, id),
          )
        : 0,
    xp: user?.xp ?? 0,
    last_active_at: user?.lastActiveAt?.toISOString() ?? null,
    usage: Object.fromEntries(
      profiles.map((p) => [p.serviceType, { stats: p.usageStats, last_used_at: p.lastUsedAt?.toISOString() ?? null }]),
    ),
  };
}

export function meRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(get.path, userAuth(deps.config));

  app.openapi(get, async (c) => {
    const { id } = c.var.user;
    return c.json(await meView(c.var.em, id, await c.var.em.findOne(User, { id, deletedAt: null })), 200);
  });

  app.openapi(patch, async (c) => {
    const body = c.req.valid('json');
    const { id, sessionId } = c.var.user;
    const em = c.var.em;
    const { user, handBack } = await em.transactional(async (tx) => {
      const user = await tx.findOne(User, { id, deletedAt: null });
      if (!user) throw new AppError('NOT_FOUND', 'your account is not synced yet');
      if (body.bio !== undefined) user.bio = body.bio || null;
      if (body.privacy_settings) user.privacySettings = { ...user.privacySettings, ...body.privacy_settings };
      if (body.display_name === undefined) return { user, handBack: null };
      if (body.display_name !== null) {
        user.displayName = body.display_name;
        user.displayNameSetInApp = true;
        return { user, handBack: null };
      }
      // Cleared: Auth owns the name again (already so when the user never chose one). The sync job
      // (durable, committed with this change) fetches Auth's name.
      if (!user.displayNameSetInApp) return { user, handBack: null };
      user.displayName = null;
      user.displayNameSetInApp = false;
      const handBack = enqueueInTransaction(
        tx,
        userSync,
        { user_id: id, source: 'self_sync', request_id: c.var.requestId, session_id: sessionId },
        { jobKey: `display-name-cleared:${id}:${c.var.requestId}` },
      );
      return { user, handBack };
    });
    if (handBack) void relayNow(em, deps.producer, handBack);
    return c.json(await meView(em, id, user), 200);
  });
  return app;
}
