// The user's safety contacts: GET/POST /v1/safety-contacts, GET/PATCH/DELETE /v1/safety-contacts/:id.
// Rules: src/domain/safety-contact-rules.ts; priority placement: src/safety/contacts.ts (docs/safety.md).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CONTACT_METHODS, RELATIONSHIP_TYPES } from '../../domain/enums.ts';
import { contactProblem, normalisePhone, type ContactDraft } from '../../domain/safety-contact-rules.ts';
import { SafetyContact } from '../../entities/safety-contact.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { contactJson, draftOf, entityFields, makeRoom, nextPriority } from '../../safety/contacts.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { userAuth } from '../auth.ts';
import { AppError, fieldError } from '../errors.ts';
import { boundedJsonObject, ErrorBody } from '../schemas.ts';
import { CONTACT_METADATA_LIMITS } from '../../domain/json-limits.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm, 24-hour');
const text = (max: number) => z.string().trim().min(1).max(max).nullable().optional();
const Fields = z
  .object({
    contact_user_id: z.uuid().nullable().optional(),
    external_first_name: text(100),
    external_last_name: text(100),
    external_phone_number: text(32),
    external_email: text(254),
    priority_order: z.number().int().min(1).max(1000).optional(),
    allowed_communication_methods: z.array(z.enum(CONTACT_METHODS)).min(1).max(4).optional(),
    preferred_communication_method: z.enum(CONTACT_METHODS).nullable().optional(),
    relationship_type: z.enum(RELATIONSHIP_TYPES).nullable().optional(),
    notes: z.string().max(2000).nullable().optional(),
    preferred_contact_time: z.object({ start: hhmm, end: hhmm }).strict().nullable().optional(),
    timezone: text(64),
    is_active: z.boolean().optional(),
    is_emergency_contact: z.boolean().optional(),
    custom_metadata: boundedJsonObject(CONTACT_METADATA_LIMITS)
      .optional()
      .describe("the app's own notes about the contact: a JSON object of at most 4 KB, 32 keys, 3 levels"),
  })
  .strict();
const CreateBody = Fields.extend({
  allowed_communication_methods: z.array(z.enum(CONTACT_METHODS)).min(1).max(4),
}).openapi('SafetyContactCreate');
const PatchBody = Fields.openapi('SafetyContactPatch');
const Contact = z.object({ id: z.uuid(), priority_order: z.number() }).passthrough().openapi('SafetyContact');
const IdParam = z.object({ id: z.uuid() });

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });
const errors = {
  400: { description: 'invalid input, naming the field', ...json(ErrorBody) },
  401: { description: 'no valid user token', ...json(ErrorBody) },
  404: { description: 'no such contact of yours', ...json(ErrorBody) },
};
const base = { security: [{ userToken: [] }], tags: ['safety'] };
const list = createRoute({
  ...base,
  method: 'get',
  path: '/v1/safety-contacts',
  summary: 'Your safety contacts, by priority',
  responses: { 200: { description: 'contacts', ...json(z.object({ data: z.array(Contact) })) }, 401: errors[401] },
});
const create = createRoute({
  ...base,
  method: 'post',
  path: '/v1/safety-contacts',
  summary: 'Add a safety contact (a priority already taken pushes the others down)',
  request: { body: { required: true, ...json(CreateBody) } },
  responses: { 201: { description: 'created', ...json(Contact) }, ...errors },
});
const get = createRoute({
  ...base,
  method: 'get',
  path: '/v1/safety-contacts/{id}',
  summary: 'One safety contact',
  request: { params: IdParam },
  responses: { 200: { description: 'the contact', ...json(Contact) }, ...errors },
});
const patch = createRoute({
  ...base,
  method: 'patch',
  path: '/v1/safety-contacts/{id}',
  summary: 'Change a safety contact (a new priority moves it; the ones in between shift by one)',
  request: { params: IdParam, body: { required: true, ...json(PatchBody) } },
  responses: { 200: { description: 'the contact', ...json(Contact) }, ...errors },
});
const remove = createRoute({
  ...base,
  method: 'delete',
  path: '/v1/safety-contacts/{id}',
  summary: 'Remove a safety contact (its contact log stays)',
  request: { params: IdParam },
  responses: { 204: { description: 'removed' }, ...errors },
});

type Body = z.infer<typeof Fields>;

/** Normalises the phone number, applies the pure rules, then the ones that need the database. */
async function validate(em: EntityManager, ownerId: string, draft: ContactDraft): Promise<ContactDraft> {
  const problem = contactProblem(draft);
  if (problem) throw fieldError(problem.field, problem.message);
  const phone = draft.external_phone_number ? normalisePhone(draft.external_phone_number) : null;
  if (draft.contact_user_id) {
    if (draft.contact_user_id === ownerId) throw fieldError('contact_user_id', 'you cannot be your own safety contact');
    const other = await em.findOne(User, { id: draft.contact_user_id, isActive: true, deletedAt: null });
    if (!other) throw fieldError('contact_user_id', 'no active Hearth user with this id');
  }
  return { ...draft, external_phone_number: phone };
}

const EMPTY: ContactDraft = {
  contact_user_id: null,
  external_first_name: null,
  external_last_name: null,
  external_phone_number: null,
  external_email: null,
  allowed_communication_methods: [],
  preferred_communication_method: null,
  preferred_contact_time: null,
  timezone: null,
};
const merge = (draft: ContactDraft, body: Body): ContactDraft =>
  ({
    ...draft,
    ...Object.fromEntries(Object.entries(body).filter(([k, v]) => k in draft && v !== undefined)),
  }) as ContactDraft;

export function safetyContactRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/safety-contacts', userAuth(deps.config));
  app.use('/v1/safety-contacts/*', userAuth(deps.config));
  const own = async (em: EntityManager, userId: string, id: string) => {
    const contact = await em.findOne(SafetyContact, { id, user: userId });
    if (!contact) throw new AppError('NOT_FOUND', 'no such safety contact');
    return contact;
  };

  app.openapi(list, async (c) => {
    const rows = await c.var.em.find(SafetyContact, { user: c.var.user.id }, { orderBy: { priorityOrder: 'asc' } });
    return c.json({ data: rows.map(contactJson) }, 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const userId = c.var.user.id;
    const em = c.var.em;
    if (!(await em.count(User, { id: userId, deletedAt: null })))
      throw new AppError('NOT_FOUND', 'your account is not synced yet');
    const draft = await validate(em, userId, merge(EMPTY, body));
    const contact = await em.transactional(async (tx) => {
      const at = body.priority_order ?? (await nextPriority(tx, userId));
      const row = tx.create(SafetyContact, {
        ...(entityFields({ ...body, ...draft }) as object),
        user: userId,
        priorityOrder: at,
      } as never);
      await makeRoom(tx, userId, row.id, null, at);
      return row;
    });
    return c.json(contactJson(contact), 201);
  });

  app.openapi(get, async (c) => c.json(contactJson(await own(c.var.em, c.var.user.id, c.req.valid('param').id)), 200));

  app.openapi(patch, async (c) => {
    const body = c.req.valid('json');
    const userId = c.var.user.id;
    const em = c.var.em;
    const contact = await own(em, userId, c.req.valid('param').id);
    const draft = await validate(em, userId, merge(draftOf(contact), body));
    await em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(SafetyContact, contact.id);
      if (body.priority_order !== undefined && body.priority_order !== row.priorityOrder) {
        await makeRoom(tx, userId, row.id, row.priorityOrder, body.priority_order);
        row.priorityOrder = body.priority_order;
      }
      tx.assign(row, entityFields({ ...body, ...pick(draft, body) }) as never);
    });
    return c.json(contactJson(await em.findOneOrFail(SafetyContact, contact.id, { refresh: true })), 200);
  });

  app.openapi(remove, async (c) => {
    const contact = await own(c.var.em, c.var.user.id, c.req.valid('param').id);
    await c.var.em.remove(contact).flush();
    return c.body(null, 204);
  });
  return app;
}

/** The validated (normalised) values of the fields the body touched. */
const pick = (draft: ContactDraft, body: Body) =>
  Object.fromEntries(
    Object.keys(body)
      .filter((k) => k in draft)
      .map((k) => [k, draft[k as keyof ContactDraft]]),
  );
