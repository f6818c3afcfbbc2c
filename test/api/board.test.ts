import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { startWeb, type WebServer } from '../../src/api/server.ts';
import { allJobs } from '../../src/queues/index.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await createTestPlatform();
});
afterAll(() => platform.close());

describe('Bull Board', () => {
  it('is 401 without the admin token, with a basic-auth challenge', async () => {
    const res = await platform.app.request('/admin/queues');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    const api = await platform.app.request('/admin/queues/api/queues');
    expect(api.status).toBe(401);
  });

  it('is 401 with a wrong token', async () => {
    const res = await platform.app.request('/admin/queues', {
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect(res.status).toBe(401);
  });

  it('serves the board with the admin token as bearer or basic-auth password', async () => {
    const bearer = await platform.app.request('/admin/queues', {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toMatch(/<html/i);
    const basic = `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`;
    const api = await platform.app.request('/admin/queues/api/queues', { headers: { authorization: basic } });
    expect(api.status).toBe(200);
    const names = (await api.json()).queues.map((q: { name: string }) => q.name);
    expect(names.sort()).toEqual(allJobs.map((j) => j.name).sort());
  });
});

describe('Bull Board in a browser', () => {
  let web: WebServer;
  beforeAll(async () => {
    web = await startWeb(
      { config: platform.config, orm: platform.orm, producer: platform.producer, log: platform.log },
      0,
    );
  });
  afterAll(() => web.stop());

  it('lists every queue of the registry', { timeout: 120_000 }, async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TEST_ADMIN_TOKEN } });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${web.port}/admin/queues`);
      for (const job of allJobs) await page.getByText(job.name, { exact: true }).first().waitFor({ timeout: 20_000 });
      const text = await page.textContent('body');
      for (const job of allJobs) expect(text).toContain(job.name);
    } finally {
      await browser.close();
    }
  });
});
