// Issue 16, items 3 and 5: what a forged link, a forged header, an anonymous or foreign token, a wrong media
// type, a failing dependency and an admin's board actions can and cannot do.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createMetrics, serveMetrics } from '../../src/lib/metrics.ts';
import { ackToken } from '../../src/safety/ack-link.ts';
import { openOrJoinIncident } from '../../src/safety/incidents.ts';
import { SafetyIncident } from '../../src/entities/safety-incident.entity.ts';
import { SystemEvent } from '../../src/entities/system-event.entity.ts';
import { UserSession } from '../../src/entities/user-session.entity.ts';
import { engagementUpdate } from '../../src/queues/engagement-update.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { startMain } from '../support/main-process.ts';
import { createTestPlatform, uniquePrefix, type TestPlatform } from '../support/platform.ts';
import { userToken } from '../support/tokens.ts';
import { makeSafetyContact, makeUser } from '../entities/fixtures.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

const em = () => platform.orm.em.fork();
const from = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

describe('acknowledge links', () => {
  it('acknowledge only for a contact of the user that this incident reached, whoever signed the token', async () => {
    const user = await makeUser(em());
    const reached = await makeSafetyContact(em(), user, { externalPhoneNumber: '+14155550161' });
    const stranger = await makeSafetyContact(em(), await makeUser(em()), { externalPhoneNumber: '+14155550162' });
    const result = await em().transactional((tx) =>
      openOrJoinIncident(
        tx,
        {
          userId: user.id,
          trigger: 'manual_alert',
          sourceId: randomUUID(),
          crisisLevel: 'critical',
          detectedAt: new Date(),
          reason: null,
        },
        { dedupeMinutes: 30 },
      ),
    );
    const incident = result!.incident.id;
    const secret = platform.config.SAFETY_LINK_SECRET;
    const ack = (contactId: string) =>
      platform.app.request(
        `/v1/safety/incidents/${incident}/acknowledge?token=${ackToken(secret, incident, contactId)}`,
        { method: 'POST' },
      );
    // Validly signed (anyone who knows the key, e.g. the old public development key), but for a contact that is
    // not this user's, or not one the incident reached: nothing happens.
    expect((await ack(randomUUID())).status).toBe(404);
    expect((await ack(stranger.id)).status).toBe(404);
    expect((await em().findOneOrFail(SafetyIncident, incident)).status).toBe('open');
    expect((await ack(reached.id)).status).toBe(200);
    expect((await em().findOneOrFail(SafetyIncident, incident)).acknowledgedBy).toBe(`contact:${reached.id}`);
  });
});

describe('who is calling', () => {
  it('X-Forwarded-For is ignored without TRUST_PROXY_HOPS: the socket peer is the client', async () => {
    const user = await makeUser(em());
    const sessionId = randomUUID();
    const res = await platform.app.request(
      '/v1/privacy',
      {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${await userToken({ sub: user.id, session_id: sessionId })}`,
          'content-type': 'application/json',
          'x-forwarded-for': '203.0.113.250',
        },
        body: JSON.stringify({ consent_version: 'v-xff' }),
      },
      from('192.0.2.201'),
    );
    expect(res.status).toBe(200);
    const session = await em().findOneOrFail(UserSession, { user: user.id });
    expect(session.ipAddress).toBe('192.0.2.201');
    const audit = await em().findOneOrFail(SystemEvent, { user: user.id, eventType: 'consent_given' });
    expect(audit.ipAddress).toBe('192.0.2.201');
  });

  it('refuses anonymous Supabase sign-ins (403) and tokens of another issuer (401), with an HS256 secret alone', async () => {
    const user = await makeUser(em());
    const me = async (claims: Record<string, unknown>) =>
      platform.app.request('/v1/me', {
        headers: { authorization: `Bearer ${await userToken({ sub: user.id, ...claims })}` },
      });
    expect((await me({})).status).toBe(200);
    const anonymous = await me({ is_anonymous: true });
    expect(anonymous.status).toBe(403);
    expect((await anonymous.json()).error.message).toMatch(/anonymous/);
    expect((await me({ iss: 'https://another-project.supabase.co/auth/v1' })).status).toBe(401);
  });
});

describe('request bodies', () => {
  it('a body in another media type than the route takes is 415, and changes nothing', async () => {
    const user = await makeUser(em());
    const auth = { authorization: `Bearer ${await userToken({ sub: user.id })}` };
    for (const [path, type] of [
      ['/v1/me/export', 'text/plain'],
      ['/v1/conversations', 'application/x-www-form-urlencoded'],
      ['/v1/safety/alerts', 'text/plain;charset=UTF-8'],
    ] as const) {
      const res = await platform.app.request(path, {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body: '{}',
      });
      expect(res.status, path).toBe(415);
      expect((await res.json()).error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(await em().count(SystemEvent, { user: user.id })).toBe(0);
  });
});

describe('readiness', () => {
  it('/readyz says which dependency failed, never the driver’s error', async () => {
    const broken = await createTestPlatform({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await broken.app.request('/readyz');
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.checks).toMatchObject({ postgres: 'ok', redis: 'failed' });
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|timed out/i);
    } finally {
      await broken.close();
    }
  });
});

describe('metrics outside the web process', () => {
  it('listen on 127.0.0.1 by default and ask for the admin token', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.METRICS_HOST).toBe('127.0.0.1');
    const server = await serveMetrics(createMetrics(), 0, { host: config.METRICS_HOST, token: TEST_ADMIN_TOKEN });
    try {
      const { address, port } = server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('hearth_process_cpu_seconds_total');
    } finally {
      server.close();
    }
  });
});

describe('Bull Board job actions', () => {
  it('are audited: which action on which queue and job, from where', async () => {
    const queue = platform.producer.queue(engagementUpdate);
    const job = await queue.add(engagementUpdate.name, { user_id: randomUUID() } as never, { delay: 3_600_000 });
    const res = await platform.app.request(
      `/admin/queues/api/queues/${engagementUpdate.name}/${job.id}/promote`,
      { method: 'PUT', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
      from('192.0.2.202'),
    );
    expect(res.status).toBe(204);
    const rows = await em().find(SystemEvent, { eventType: 'admin_board_action', ipAddress: '192.0.2.202' });
    expect(rows.map((r) => r.eventData)).toEqual([
      expect.objectContaining({ method: 'PUT', queue: engagementUpdate.name, action: `${job.id}/promote` }),
    ]);
    await queue.remove(job.id!).catch(() => undefined);
  });
});

describe('the local run', () => {
  it('under the development defaults the API listens on loopback only', { timeout: 60_000 }, async () => {
    const { ADMIN_TOKEN: _, ...env } = process.env;
    const proc = startMain(['web'], {
      ...env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: '0',
      REDIS_PREFIX: uniquePrefix(),
    });
    try {
      const listening = await proc.waitFor('api listening', 40_000);
      expect(listening.host).toBe('127.0.0.1');
      expect(proc.entries().find((e) => String(e.msg).includes('development token'))).toBeDefined();
    } finally {
      await proc.stop();
    }
  });
});
