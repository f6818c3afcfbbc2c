// The user's privacy: settings and consent, export of their data, erasure of their account.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { changedSettings, PII_HANDLING, privacyChange, RETENTION_DAYS } from '../../domain/privacy.ts';
import { UserExport } from '../../entities/user-export.entity.ts';
import { UserPrivacySettings } from '../../entities/user-privacy-settings.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { enqueueInTransaction } from '../../queues/producer.ts';
import { relayNow } from '../../queues/outbox-relay.ts';
import { userErasure } from '../../queues/user-erasure.ts';
import { userExport } from '../../queues/user-export.ts';
import { piiReprocess } from '../../queues/pii-reprocess.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { auditRequest } from '../audit.ts';
import { userAuth } from '../auth.ts';
import { AppError } from '../errors.ts';
import { Accepted, ErrorBody } from '../schemas.ts';
import { quotaResponse, useQuota } from '../quotas.ts';

const Settings = z
  .object({
    data_retention_days: z.number().int(),
    allow_long_term_storage: z.boolean(),
    auto_anonymize_pii: z.boolean(),
    pii_handling_preferences: z.record(z.string(), z.enum(PII_HANDLING)),
    consent_version: z.string().nullable(),
    consent_date: z.iso.datetime().nullable(),
  })
  .openapi('PrivacySettings');

const errors = {
  401: { description: 'no valid user token', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'not found (or not yours)', content: { 'application/json': { schema: ErrorBody } } },
};
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const getSettings = createRoute({
  method: 'get',
  path: '/v1/privacy',
  security: [{ userToken: [] }],
  summary: 'Privacy settings and consent',
  responses: { 200: json(Settings, 'settings'), ...errors },
});
const patchSettings = createRoute({
  method: 'patch',
  path: '/v1/privacy',
  security: [{ userToken: [] }],
  summary: `Change privacy settings (retention ${RETENTION_DAYS.min}–${RETENTION_DAYS.max} days); accepting a consent_version records consent_date`,
  request: {
    body: { required: true, content: { 'application/json': { schema: privacyChange.openapi('PrivacyChange') } } },
  },
  responses: { 200: json(Settings, 'the new settings'), 400: json(ErrorBody, 'invalid input'), ...errors },
});
const requestExport = createRoute({
  method: 'post',
  path: '/v1/me/export',
  security: [{ userToken: [] }],
  summary: 'Export every row you own (JSON, downloadable once within 24 h)',
  responses: { 202: json(z.object({ export_id: z.uuid() }), 'accepted'), ...errors, ...quotaResponse('exports') },
});
const downloadExport = createRoute({
  method: 'get',
  path: '/v1/me/export/{id}',
  security: [{ userToken: [] }],
  summary: 'Download an export, once',
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: json(z.record(z.string(), z.unknown()), 'the export'),
    202: json(z.object({ status: z.string() }), 'not ready yet'),
    410: json(ErrorBody, 'already downloaded or expired'),
    ...errors,
  },
});
const eraseMe = createRoute({
  method: 'delete',
  path: '/v1/me',
  security: [{ userToken: [] }],
  summary: 'Delete your account: access ends now, your data is erased by the user-erasure job',
  responses: { 202: json(Accepted, 'accepted'), ...errors },
});

const present = (s: UserPrivacySettings) => ({
  data_retention_days: s.dataRetentionDays,
  allow_long_term_storage: s.allowLongTermStorage,
  auto_anonymize_pii: s.autoAnonymizePii,
  pii_handling_preferences: s.piiHandlingPreferences as Record<string, (typeof PII_HANDLING)[number]>,
  consent_version: s.consentVersion ?? null,
  consent_date: s.consentDate?.toISOString() ?? null,
});

const EXPORT_TTL_MS = 24 * 3600_000;

export function privacyRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  for (const path of ['/v1/privacy', '/v1/me/export', '/v1/me/export/*']) app.use(path, userAuth(deps.config));
  app.on('DELETE', '/v1/me', userAuth(deps.config));

  const activeUser = async (em: AppEnv['Variables']['em'], id: string) => {
    const user = await em.findOne(User, { id, deletedAt: null });
    if (!user) throw new AppError('NOT_FOUND', 'user not found (not synced yet, or deleted)');
    return user;
  };
  /** The settings row, created with the conservative defaults on first use. */
  const settingsOf = async (em: AppEnv['Variables']['em'], user: User) =>
    (await em.findOne(UserPrivacySettings, { user })) ?? em.create(UserPrivacySettings, { user });

  return app
    .openapi(getSettings, async (c) => {
      const settings = await settingsOf(c.var.em, await activeUser(c.var.em, c.var.user.id));
      await c.var.em.flush();
      return c.json(present(settings), 200);
    })
    .openapi(patchSettings, async (c) => {
      const change = c.req.valid('json');
      const settings = await settingsOf(c.var.em, await activeUser(c.var.em, c.var.user.id));
      const changed = changedSettings(present(settings), change);
      if (change.data_retention_days !== undefined) settings.dataRetentionDays = change.data_retention_days;
      if (change.allow_long_term_storage !== undefined) settings.allowLongTermStorage = change.allow_long_term_storage;
      if (change.auto_anonymize_pii !== undefined) settings.autoAnonymizePii = change.auto_anonymize_pii;
      if (change.pii_handling_preferences !== undefined)
        settings.piiHandlingPreferences = change.pii_handling_preferences;
      if (change.consent_version !== undefined && changed.includes('consent_version')) {
        settings.consentVersion = change.consent_version;
        settings.consentDate = new Date();
        auditRequest(c, {
          type: 'consent_given',
          category: 'privacy',
          data: { consent_version: change.consent_version },
        });
      }
      if (changed.length)
        auditRequest(c, {
          type: 'privacy_settings_changed',
          category: 'privacy',
          data: { settings: changed.join(',') },
        });
      // Stored content follows a change of PII handling in the background.
      const reprocess =
        changed.includes('auto_anonymize_pii') || changed.includes('pii_handling_preferences')
          ? enqueueInTransaction(c.var.em, piiReprocess, { user_id: settings.user.id })
          : undefined;
      await c.var.em.flush();
      if (reprocess) void relayNow(c.var.em, deps.producer, reprocess);
      return c.json(present(settings), 200);
    })
    .openapi(requestExport, async (c) => {
      const em = c.var.em;
      const user = await activeUser(em, c.var.user.id);
      await useQuota(c, 'exports', user.id);
      const exp = em.create(UserExport, { user, expiresAt: new Date(Date.now() + EXPORT_TTL_MS) });
      const row = enqueueInTransaction(em, userExport, { export_id: exp.id }, { jobKey: exp.id });
      auditRequest(c, { type: 'export_requested', category: 'privacy', data: { export_id: exp.id } });
      await em.flush();
      void relayNow(em, deps.producer, row);
      return c.json({ export_id: exp.id }, 202);
    })
    .openapi(downloadExport, async (c) => {
      const em = c.var.em;
      const exp = await em.findOne(
        UserExport,
        { id: c.req.valid('param').id, user: c.var.user.id },
        { populate: ['data'] },
      );
      if (!exp) throw new AppError('NOT_FOUND', 'no such export');
      if (exp.status === 'pending') return c.json({ status: 'pending' }, 202);
      if (exp.status !== 'ready' || exp.expiresAt < new Date())
        throw new AppError('GONE', 'this export was already downloaded or has expired');
      const data = exp.data!;
      // Once: the document leaves the database with this response.
      Object.assign(exp, { status: 'downloaded', data: null, downloadedAt: new Date() });
      auditRequest(c, { type: 'export_downloaded', category: 'privacy', data: { export_id: exp.id } });
      await em.flush();
      return c.json(data, 200);
    })
    .openapi(eraseMe, async (c) => {
      const em = c.var.em;
      const user = await activeUser(em, c.var.user.id);
      Object.assign(user, { deletedAt: new Date(), isActive: false });
      const delay = deps.config.ERASURE_GRACE_DAYS * 24 * 3600_000;
      const row = enqueueInTransaction(
        em,
        userErasure,
        { user_id: user.id },
        { jobKey: user.id, ...(delay ? { delay } : {}) },
      );
      auditRequest(c, {
        type: 'erasure_requested',
        category: 'privacy',
        data: { grace_days: deps.config.ERASURE_GRACE_DAYS },
      });
      await em.flush();
      void relayNow(em, deps.producer, row);
      return c.json({ job_id: row.id }, 202);
    });
}
