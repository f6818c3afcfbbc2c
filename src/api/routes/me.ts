import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { visibleStreak } from '../../domain/engagement.ts';
import { ActivityEvent } from '../../entities/activity-event.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { UserServiceProfile } from '../../entities/user-service-profile.entity.ts';
import { userZone } from '../../db/user-zone.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';

const Me = z
  .object({
    id: z.uuid(),
    synced: z.boolean(),
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

const route = createRoute({
  method: 'get',
  path: '/v1/me',
  summary: 'The caller: sync state, streak, XP and per-service usage',
  security: [{ userToken: [] }],
  responses: {
    200: { description: 'the caller', content: { 'application/json': { schema: Me } } },
    401: { description: 'missing, expired or invalid token', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function meRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, userAuth(deps.config));
  return app.openapi(route, async (c) => {
    const { id } = c.var.user;
    const em = c.var.em;
    const user = await em.findOne(User, { id, deletedAt: null });
    const profiles = user ? await em.find(UserServiceProfile, { user }) : [];
    // The streak's date is the fold's, kept on the latest activity row.
    const latest = user
      ? await em.findOne(ActivityEvent, { user }, { orderBy: { occurredAt: 'desc', id: 'desc' } })
      : null;
    return c.json(
      {
        id,
        synced: Boolean(user),
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
          profiles.map((p) => [
            p.serviceType,
            { stats: p.usageStats, last_used_at: p.lastUsedAt?.toISOString() ?? null },
          ]),
        ),
      },
      200,
    );
  });
}
