// The safety API: contacts CRUD with its validation and priority semantics, manual alerts, acknowledgement
// (user, internal contact, signed link), and Twilio's signed status callback.
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { TEST_SERVICE_KEY } from '../support/constants.ts';
import { makeSafetyContact, makeUser } from '../entities/fixtures.ts';
import { ContactLog } from '../../src/entities/contact-log.entity.ts';
import { SafetyContact } from '../../src/entities/safety-contact.entity.ts';
import { SafetyIncident } from '../../src/entities/safety-incident.entity.ts';
import { ackToken } from '../../src/safety/ack-link.ts';
import { twilioSignature } from '../../src/lib/notify/twilio.ts';
import { PUBLIC_BASE_URL, TWILIO_TOKEN, startSafetyWorld, type SafetyWorld } from './harness.ts';

let world: SafetyWorld;
const phone = () => `+4915${randomInt(10_000_000, 99_999_999)}`;
beforeAll(async () => {
  world = await startSafetyWorld();
});
afterAll(() => world?.close());

async function signedIn() {
  const user = await makeUser(world.platform.orm.em.fork(), { displayName: 'Robin' });
  const auth = { authorization: `Bearer ${await userToken({ sub: user.id })}`, 'content-type': 'application/json' };
  return { user, auth };
}
const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  world.platform.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const external = (o: Record<string, unknown> = {}) => ({
  external_first_name: 'Sam',
  external_phone_number: phone(),
  allowed_communication_methods: ['sms'],
  ...o,
});

describe('safety contacts API', () => {
  it("creates, lists in priority order, reads, updates and deletes only the caller's contacts", async () => {
    const { auth } = await signedIn();
    const a = await (
      await call(
        'POST',
        '/v1/safety-contacts',
        auth,
        external({
          preferred_communication_method: 'sms',
          preferred_contact_time: { start: '21:00', end: '07:00' },
          timezone: 'Europe/Berlin',
        }),
      )
    ).json();
    expect(a).toMatchObject({
      priority_order: 1,
      preferred_contact_time: { start: '21:00', end: '07:00' },
      timezone: 'Europe/Berlin',
    });
    const b = await (await call('POST', '/v1/safety-contacts', auth, external())).json();
    expect(b.priority_order).toBe(2);
    // Inserting at a taken position pushes the others down.
    const c = await (await call('POST', '/v1/safety-contacts', auth, external({ priority_order: 1 }))).json();
    const order = async () =>
      (
        (await (await call('GET', '/v1/safety-contacts', auth)).json()).data as { id: string; priority_order: number }[]
      ).map((x) => [x.id, x.priority_order]);
    expect(await order()).toEqual([
      [c.id, 1],
      [a.id, 2],
      [b.id, 3],
    ]);
    // Moving 3 → 1 shifts the ones in between down; moving 1 → 3 shifts them up.
    expect((await call('PATCH', `/v1/safety-contacts/${b.id}`, auth, { priority_order: 1 })).status).toBe(200);
    expect(await order()).toEqual([
      [b.id, 1],
      [c.id, 2],
      [a.id, 3],
    ]);
    await call('PATCH', `/v1/safety-contacts/${b.id}`, auth, { priority_order: 3 });
    expect(await order()).toEqual([
      [c.id, 1],
      [a.id, 2],
      [b.id, 3],
    ]);

    const other = await signedIn();
    expect((await call('GET', `/v1/safety-contacts/${a.id}`, other.auth)).status).toBe(404);
    expect((await call('PATCH', `/v1/safety-contacts/${a.id}`, other.auth, { notes: 'x' })).status).toBe(404);
    expect((await call('DELETE', `/v1/safety-contacts/${a.id}`, other.auth)).status).toBe(404);
    expect((await call('GET', '/v1/safety-contacts', other.auth)).status).toBe(200);

    const patched = await (
      await call('PATCH', `/v1/safety-contacts/${a.id}`, auth, {
        external_email: 'sam@example.test',
        allowed_communication_methods: ['email', 'sms'],
        preferred_communication_method: 'email',
      })
    ).json();
    expect(patched).toMatchObject({
      allowed_communication_methods: ['email', 'sms'],
      preferred_communication_method: 'email',
    });
    expect((await call('DELETE', `/v1/safety-contacts/${a.id}`, auth)).status).toBe(204);
    expect((await call('GET', `/v1/safety-contacts/${a.id}`, auth)).status).toBe(404);
    expect((await call('GET', '/v1/safety-contacts', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('rejects every invalid contact with a 400 naming the field', async () => {
    const { user, auth } = await signedIn();
    const friend = await makeUser(world.platform.orm.em.fork());
    const cases: [Record<string, unknown>, string][] = [
      [external({ external_phone_number: '0151 1234567' }), 'external_phone_number'],
      [external({ external_email: 'nope' }), 'external_email'],
      [external({ allowed_communication_methods: ['fax'] }), 'allowed_communication_methods.0'],
      [external({ allowed_communication_methods: ['email'] }), 'allowed_communication_methods'],
      [external({ preferred_communication_method: 'voice' }), 'preferred_communication_method'],
      [external({ timezone: 'Not/AZone' }), 'timezone'],
      [
        external({ preferred_contact_time: { start: '9am', end: '21:00' }, timezone: 'UTC' }),
        'preferred_contact_time.start',
      ],
      [external({ priority_order: 0 }), 'priority_order'],
      [external({ favourite_colour: 'blue' }), '(body)'],
      [{ allowed_communication_methods: ['in_app'], contact_user_id: user.id }, 'contact_user_id'],
      [{ allowed_communication_methods: ['in_app'], contact_user_id: randomUUID() }, 'contact_user_id'],
      [
        { allowed_communication_methods: ['in_app'], contact_user_id: friend.id, external_first_name: 'Sam' },
        'contact_user_id',
      ],
      [{ external_first_name: 'Sam', allowed_communication_methods: ['sms'] }, 'external_phone_number'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/v1/safety-contacts', auth, body);
      expect([res.status, body]).toEqual([400, body]);
      const details = (await res.json()).error.details as { field: string }[];
      expect(details.map((d) => d.field)).toContain(field);
    }
    const internal = await call('POST', '/v1/safety-contacts', auth, {
      contact_user_id: friend.id,
      allowed_communication_methods: ['in_app', 'sms'],
      is_emergency_contact: true,
    });
    expect(internal.status).toBe(201);
    const { id } = await internal.json();
    expect(
      (await call('PATCH', `/v1/safety-contacts/${id}`, auth, { preferred_communication_method: 'email' })).status,
    ).toBe(400);
  });
});

describe('contact metadata', () => {
  it("keeps the app's bounded custom_metadata, returns it, replaces it on PATCH and refuses oversize or odd keys", async () => {
    const { user, auth } = await signedIn();
    const metadata = { nickname: 'Sammy', tags: ['neighbour'], app: { color: 'teal' } };
    const created = await call('POST', '/v1/safety-contacts', auth, external({ custom_metadata: metadata }));
    expect(created.status).toBe(201);
    const contact = await created.json();
    expect(contact.custom_metadata).toEqual(metadata);
    expect((await (await call('GET', `/v1/safety-contacts/${contact.id}`, auth)).json()).custom_metadata).toEqual(
      metadata,
    );
    const patched = await call('PATCH', `/v1/safety-contacts/${contact.id}`, auth, { custom_metadata: { a: 1 } });
    expect((await patched.json()).custom_metadata).toEqual({ a: 1 });
    const row = await world.platform.orm.em.fork().findOneOrFail(SafetyContact, contact.id);
    expect(row.customMetadata).toEqual({ a: 1 });

    for (const bad of [
      { blob: 'x'.repeat(5000) },
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
      { 'bad key!': 1 },
      { a: { b: { c: { d: 1 } } } },
      ['not', 'an', 'object'],
    ]) {
      const res = await call('POST', '/v1/safety-contacts', auth, external({ custom_metadata: bad }));
      expect(res.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
      expect((await res.json()).error.details[0].field).toBe('custom_metadata');
    }
    // Removing the contact removes its metadata with it.
    expect((await call('DELETE', `/v1/safety-contacts/${contact.id}`, auth)).status).toBe(204);
    expect(await world.platform.orm.em.fork().count(SafetyContact, { user: user.id })).toBe(0);
  });
});

describe('alerts and acknowledgement', () => {
  it('a manual alert returns 202 with the incident at once and reaches the first contact; a service key joins it', async () => {
    const { user, auth } = await signedIn();
    const number = phone();
    await makeSafetyContact(world.platform.orm.em.fork(), user, {
      externalPhoneNumber: number,
      preferredContactTime: { start: '03:00', end: '03:01' },
      timezone: 'UTC',
    });
    const res = await call('POST', '/v1/safety/alerts', auth, { reason: 'panic' });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ incident_id: expect.any(String), status: 'open', outcome: 'opened' });
    // An emergency: the contact's quiet hours are ignored.
    await eventually(async () => world.twilio.requests.find((r) => r.form.To === number));

    const service = { authorization: `Bearer ${TEST_SERVICE_KEY}`, 'content-type': 'application/json' };
    expect((await call('POST', '/v1/safety/alerts', service, {})).status).toBe(400);
    const joined = await (await call('POST', '/v1/safety/alerts', service, { user_id: user.id })).json();
    expect(joined).toMatchObject({ incident_id: body.incident_id, outcome: 'joined' });
    expect((await call('POST', '/v1/safety/alerts', service, { user_id: randomUUID() })).status).toBe(404);
    expect((await call('POST', '/v1/safety/alerts', { 'content-type': 'application/json' }, {})).status).toBe(401);
    const other = await signedIn();
    expect((await call('POST', '/v1/safety/alerts', other.auth, { user_id: user.id })).status).toBe(400);
  });

  it('acknowledges by the user, an internal contact or a signed link; never by a stranger, a bad link or a GET', async () => {
    const ack = (id: string, headers: Record<string, string>, query = '') =>
      call('POST', `/v1/safety/incidents/${id}/acknowledge${query}`, headers);
    const secret = world.platform.config.SAFETY_LINK_SECRET;
    const open = async () => {
      const { user, auth } = await signedIn();
      const friend = await signedIn();
      const em = world.platform.orm.em.fork();
      const ext = await makeSafetyContact(em, user, { externalPhoneNumber: phone() });
      await makeSafetyContact(em, user, {
        priorityOrder: 2,
        externalFirstName: null,
        externalPhoneNumber: null,
        contactUser: friend.user,
        allowedCommunicationMethods: ['in_app'],
      });
      const { incident_id } = await (await call('POST', '/v1/safety/alerts', auth, {})).json();
      return { incident_id: incident_id as string, auth, friend, ext };
    };

    const a = await open();
    const stranger = await signedIn();
    expect((await ack(a.incident_id, stranger.auth)).status).toBe(404);
    expect((await ack(a.incident_id, {}, `?token=${a.ext.id}.${'x'.repeat(43)}`)).status).toBe(403);
    const page = await call(
      'GET',
      `/v1/safety/incidents/${a.incident_id}/acknowledge?token=${ackToken(secret, a.incident_id, a.ext.id)}`,
      {},
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await world.platform.orm.em.fork().findOneOrFail(SafetyIncident, a.incident_id)).status).toBe('open');
    const byLink = await ack(
      a.incident_id,
      { 'content-type': 'application/x-www-form-urlencoded' },
      `?token=${ackToken(secret, a.incident_id, a.ext.id)}`,
    );
    expect(byLink.status).toBe(200);
    expect(await byLink.text()).toContain('Thank you');
    expect(await world.platform.orm.em.fork().findOneOrFail(SafetyIncident, a.incident_id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: `contact:${a.ext.id}`,
    });
    expect((await ack(a.incident_id, a.auth)).status).toBe(200); // idempotent: the first acknowledgement stays

    const b = await open();
    const byFriend = await ack(b.incident_id, b.friend.auth);
    expect(await byFriend.json()).toMatchObject({ status: 'acknowledged' });
    const c = await open();
    expect(await (await ack(c.incident_id, c.auth)).json()).toMatchObject({ status: 'acknowledged' });
    expect((await world.platform.orm.em.fork().findOneOrFail(SafetyIncident, c.incident_id)).acknowledgedBy).toBe(
      'user',
    );
  });

  it('a removed internal contact cannot stop an outreach, unless this incident reached out to them', async () => {
    const ack = (id: string, auth: Record<string, string>) =>
      call('POST', `/v1/safety/incidents/${id}/acknowledge`, auth);
    const { user, auth } = await signedIn();
    const [removed, laterRemoved] = [await signedIn(), await signedIn()];
    const em = world.platform.orm.em.fork();
    await makeSafetyContact(em, user, { externalPhoneNumber: phone() });
    const internal = {
      externalFirstName: null,
      externalPhoneNumber: null,
      allowedCommunicationMethods: ['in_app' as const],
    };
    await makeSafetyContact(em, user, { ...internal, priorityOrder: 2, contactUser: removed.user, isActive: false });
    const later = await makeSafetyContact(em, user, { ...internal, priorityOrder: 3, contactUser: laterRemoved.user });
    const { incident_id } = await (await call('POST', '/v1/safety/alerts', auth, {})).json();
    await em.nativeUpdate(SafetyContact, later.id, { isActive: false });

    expect((await ack(incident_id, removed.auth)).status).toBe(404);
    expect((await world.platform.orm.em.fork().findOneOrFail(SafetyIncident, incident_id)).status).toBe('open');
    const byLater = await ack(incident_id, laterRemoved.auth);
    expect(byLater.status).toBe(200);
    expect(await byLater.json()).toMatchObject({ status: 'acknowledged' });
  });
});

describe('Twilio status callback', () => {
  it('refuses a bad signature; an undelivered SMS moves the outreach on at once', async () => {
    const { user, auth } = await signedIn();
    const [first, second] = [phone(), phone()];
    const em = world.platform.orm.em.fork();
    await makeSafetyContact(em, user, { externalPhoneNumber: first });
    await makeSafetyContact(em, user, { priorityOrder: 2, externalPhoneNumber: second });
    await call('POST', '/v1/safety/alerts', auth, {});
    const sms = await eventually(async () => world.twilio.requests.find((r) => r.form.To === first));
    const log = await eventually(async () =>
      world.platform.orm.em.fork().findOne(ContactLog, { user: user.id, success: true }),
    );
    const callback = sms.form.StatusCallback!;
    const params = {
      MessageSid: String(log.contactMetadata.provider_id),
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      AccountSid: 'AC0',
    };
    const post = (signature: string) =>
      world.platform.app.request(callback.replace(PUBLIC_BASE_URL, ''), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      });
    expect((await post('bogus')).status).toBe(403);
    expect((await post(twilioSignature('wrong-token', callback, params))).status).toBe(403);
    expect(world.twilio.requests.filter((r) => r.form.To === second)).toHaveLength(0);
    expect((await post(twilioSignature(TWILIO_TOKEN, callback, params))).status).toBe(204);
    // Well before the 3 s escalation delay, the second contact is texted.
    await eventually(async () => world.twilio.requests.find((r) => r.form.To === second), 2_500);
    const updated = await world.platform.orm.em.fork().findOneOrFail(ContactLog, log.id);
    expect(updated).toMatchObject({
      success: false,
      errorMessage: 'twilio undelivered code 30003',
      contactMetadata: expect.objectContaining({ delivery_status: 'undelivered' }),
    });
    expect((await post(twilioSignature(TWILIO_TOKEN, callback, params))).status).toBe(204); // a repeat is harmless
  });
});
