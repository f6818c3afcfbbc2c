// Destinations the caller wants reminders (or calls) sent to besides their Auth-verified phone and email:
// POST /v1/me/destinations sends a one-time code to the address (SMS or email); POST …/{id}/confirm proves it.
// Codes are stored hashed (bound to the row), expire after CODE_TTL_MINUTES and allow MAX_CODE_ATTEMPTS
// wrong guesses. A schedule or a call to an unproven address is refused (src/db/destinations.ts).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isProvenDestination } from '../../db/destinations.ts';
import {
  CODE_TTL_MINUTES,
  checkCode,
  codeHash,
  MAX_CODE_ATTEMPTS,
  newCode,
  normaliseAddress,
} from '../../domain/destinations.ts';
import { DESTINATION_CHANNELS } from '../../domain/enums.ts';
import { UserDestination } from '../../entities/user-destination.entity.ts';
import { User } from '../../entities/user.entity.ts';
import { deterministicUuid } from '../../lib/ids.ts';
import { sendersFor } from '../../lib/notify/index.ts';
import { describeError } from '../../lib/errors.ts';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { AppError, fieldError } from '../errors.ts';
import { userAuth } from '../auth.ts';
import { ErrorBody } from '../schemas.ts';
import { quotaResponse, useQuota } from '../quotas.ts';

const Destination = z
  .object({
    id: z.uuid().nullable().describe('null for an Auth-verified address (nothing to confirm)'),
    channel: z.enum(DESTINATION_CHANNELS),
    address: z.string(),
    verified: z.boolean(),
    code_expires_at: z.iso.datetime().nullable(),
  })
  .openapi('Destination');
const NewDestination = z
  .object({
    channel: z.enum(DESTINATION_CHANNELS),
    address: z.string().min(3).max(320).describe('E.164 phone number (sms) or email address'),
  })
  .strict()
  .openapi('DestinationCreate');
const Confirm = z
  .object({ code: z.string().regex(/^\d{6}$/, 'the 6-digit code') })
  .strict()
  .openapi('DestinationConfirm');
const IdParam = z.object({ id: z.uuid() });

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const base = { security: [{ userToken: [] }] };
const failures = {
  400: json(ErrorBody, 'invalid input or a wrong code (names the field)'),
  401: json(ErrorBody, 'no valid user token'),
  404: json(ErrorBody, 'no such destination of yours, or the account is not synced'),
};

const list = createRoute({
  ...base,
  method: 'get',
  path: '/v1/me/destinations',
  summary: 'Addresses you added, and whether each is confirmed',
  responses: { 200: json(z.object({ destinations: z.array(Destination) }), 'your destinations'), ...failures },
});
const create = createRoute({
  ...base,
  method: 'post',
  path: '/v1/me/destinations',
  summary: 'Add a phone number or email address: a one-time code is sent to it',
  request: { body: { required: true, content: { 'application/json': { schema: NewDestination } } } },
  responses: {
    200: json(Destination, 'already proven (Auth-verified or confirmed): nothing sent'),
    201: json(Destination, 'a code was sent; confirm it within the expiry'),
    ...failures,
    ...quotaResponse('confirmation codes'),
    503: json(ErrorBody, 'the SMS or email provider is not configured or failed'),
  },
});
const confirm = createRoute({
  ...base,
  method: 'post',
  path: '/v1/me/destinations/{id}/confirm',
  summary: 'Confirm a destination with the code sent to it',
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Confirm } } } },
  responses: {
    200: json(Destination, 'confirmed'),
    ...failures,
    410: json(ErrorBody, 'the code expired or too many wrong codes: add the destination again'),
  },
});
const remove = createRoute({
  ...base,
  method: 'delete',
  path: '/v1/me/destinations/{id}',
  summary: 'Forget a destination (schedules that use it stop reaching it)',
  request: { params: IdParam },
  responses: { 204: { description: 'removed' }, ...failures },
});

const view = (d: UserDestination) => ({
  id: d.id,
  channel: d.channel,
  address: d.address,
  verified: Boolean(d.verifiedAt),
  code_expires_at: d.verifiedAt ? null : (d.codeExpiresAt?.toISOString() ?? null),
});

function parseAddress(channel: 'sms' | 'email', raw: string): string {
  if (channel === 'email') {
    if (!z.email().safeParse(raw.trim()).success) throw fieldError('address', 'not a valid email address');
    return normaliseAddress('email', raw);
  }
  const phone = parsePhoneNumberFromString(raw.trim());
  if (!phone?.isValid() || !raw.trim().startsWith('+'))
    throw fieldError('address', 'not a valid E.164 phone number, e.g. +14155550123');
  return phone.number;
}

export function meDestinationRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('/v1/me/destinations', userAuth(deps.config));
  app.use('/v1/me/destinations/*', userAuth(deps.config));

  app.openapi(list, async (c) => {
    const rows = await c.var.em.find(UserDestination, { user: c.var.user.id }, { orderBy: { createdAt: 'asc' } });
    return c.json({ destinations: rows.map(view) }, 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const em = c.var.em;
    const user = await em.findOne(User, { id: c.var.user.id, deletedAt: null });
    if (!user) throw new AppError('NOT_FOUND', 'your account is not synced yet');
    const address = parseAddress(body.channel, body.address);
    const existing = await em.findOne(UserDestination, { user, channel: body.channel, address });
    if (await isProvenDestination(em, user, body.channel, address)) {
      return c.json(
        existing ? view(existing) : { id: null, channel: body.channel, address, verified: true, code_expires_at: null },
        200,
      );
    }
    const sender = sendersFor(deps.config)[body.channel];
    if (!sender) throw new AppError('UNAVAILABLE', `${body.channel} sending is not configured`);
    // Each code is a message to an address nobody has proven yet: counted per user.
    await useQuota(c, 'destination_codes', user.id);
    const destination = existing ?? em.create(UserDestination, { user, channel: body.channel, address });
    const code = newCode();
    const expiresAt = new Date(Date.now() + CODE_TTL_MINUTES * 60_000);
    // A new code replaces the old one and its wrong guesses.
    em.assign(destination, { codeHash: codeHash(destination.id, code), codeExpiresAt: expiresAt, failedAttempts: 0 });
    await em.flush();
    try {
      await sender.send({
        to: address,
        subject: 'Your Hearth confirmation code',
        text: `Your Hearth confirmation code is ${code}. It expires in ${CODE_TTL_MINUTES} minutes. If you did not ask for it, ignore this message.`,
        key: deterministicUuid(`destination-code:${destination.id}:${expiresAt.toISOString()}`),
      });
    } catch (err) {
      c.var.log.warn({ destinationId: destination.id, error: describeError(err) }, 'confirmation code not sent');
      throw new AppError('UNAVAILABLE', 'the confirmation code could not be sent; try again shortly');
    }
    return c.json(view(destination), 201);
  });

  app.openapi(confirm, async (c) => {
    const em = c.var.em;
    const id = c.req.valid('param').id;
    const destination = await em.findOne(UserDestination, { id, user: c.var.user.id });
    if (!destination) throw new AppError('NOT_FOUND', 'no such destination');
    if (destination.verifiedAt) return c.json(view(destination), 200);
    // Every guess takes an attempt first, in one statement: parallel guesses cannot share a count.
    const claimed = await em.execute<{ failed_attempts: number }[]>(
      `update user_destinations set failed_attempts = failed_attempts + 1
       where id = ? and code_hash is not null and failed_attempts < ? returning failed_attempts`,
      [id, MAX_CODE_ATTEMPTS],
    );
    const used = claimed[0]?.failed_attempts;
    const outcome = used === undefined ? 'exhausted' : checkCode(destination, c.req.valid('json').code, new Date());
    if (outcome === 'confirmed') {
      await em.nativeUpdate(
        UserDestination,
        { id },
        { verifiedAt: new Date(), codeHash: null, codeExpiresAt: null, failedAttempts: 0 },
      );
      return c.json(view(await em.findOneOrFail(UserDestination, id, { refresh: true })), 200);
    }
    const left = MAX_CODE_ATTEMPTS - (used ?? MAX_CODE_ATTEMPTS);
    if (outcome === 'wrong' && left > 0)
      throw fieldError('code', `wrong code; ${left} attempt${left === 1 ? '' : 's'} left`);
    throw new AppError('GONE', 'this code is no longer valid: add the destination again for a new code');
  });

  app.openapi(remove, async (c) => {
    const deleted = await c.var.em.nativeDelete(UserDestination, { id: c.req.valid('param').id, user: c.var.user.id });
    if (!deleted) throw new AppError('NOT_FOUND', 'no such destination');
    return c.body(null, 204);
  });
  return app;
}
