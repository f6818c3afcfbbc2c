// /docs and Bull Board in a real browser: everything they load comes from this server (no CDN, no Google Fonts),
// nothing is refused by their Content-Security-Policy, and the API reference renders the operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/constants.ts';
import { startWeb, type WebServer } from '../../src/api/server.ts';

let platform: TestPlatform;
let web: WebServer;
let browser: Browser;
beforeAll(async () => {
  platform = await createTestPlatform();
  web = await startWeb(
    { config: platform.config, orm: platform.orm, producer: platform.producer, log: platform.log },
    0,
  );
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await platform?.close();
});

/** Opens `path` and records every request the page makes and every CSP refusal it reports. */
async function open(path: string, credentials?: { username: string; password: string }) {
  const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
  const page = await context.newPage();
  const requests: string[] = [];
  const refused: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  const res = await page.goto(`http://127.0.0.1:${web.port}${path}`);
  return { page, requests, refused, csp: res?.headers()['content-security-policy'] ?? '' };
}

const offHost = (requests: string[]) =>
  requests.filter((u) => !u.startsWith(`http://127.0.0.1:${web.port}/`) && !/^(data|blob):/.test(u));

/**
 * Waits until the page has made no new request for a second (at most 30 s), so every request it makes is
 * recorded. Not 'networkidle': the reference keeps a connection busy now and then, which can hold it off for good.
 */
async function settle(page: Page, requests: string[]) {
  await page.waitForLoadState('load', { timeout: 30_000 });
  const deadline = Date.now() + 30_000;
  let seen = -1;
  while (requests.length !== seen && Date.now() < deadline) {
    seen = requests.length;
    await page.waitForTimeout(1_000);
  }
}

describe('/docs', () => {
  it('renders the operations, loading everything from this server under a strict CSP', {
    timeout: 120_000,
  }, async () => {
    const doc = (await (await platform.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const summaries = Object.values(doc.paths)
      .flatMap((ops) => Object.values(ops).map((op) => op.summary))
      .filter((s): s is string => Boolean(s));
    expect(summaries.length).toBeGreaterThan(10);

    const { page, requests, refused, csp } = await open('/docs');
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    for (const summary of summaries.slice(0, 3)) {
      await page.getByText(summary, { exact: true }).first().waitFor({ timeout: 60_000 });
    }
    await settle(page, requests);
    expect(requests).toContain(`http://127.0.0.1:${web.port}/openapi.json`);
    expect(offHost(requests)).toEqual([]);
    expect(refused).toEqual([]);
  });
});

describe('Bull Board', () => {
  it('uses its fonts from this server, not Google Fonts', { timeout: 120_000 }, async () => {
    const { page, requests, refused, csp } = await open('/admin/queues', {
      username: 'admin',
      password: TEST_ADMIN_TOKEN,
    });
    expect(csp).toContain("script-src 'self'");
    await page.getByText('memory-extraction', { exact: true }).first().waitFor({ timeout: 30_000 });
    await settle(page, requests);
    expect(requests.some((u) => u.includes('/admin/queues/fonts/sans/') && u.endsWith('.woff2'))).toBe(true);
    expect(offHost(requests)).toEqual([]);
    expect(refused).toEqual([]);
    expect(await page.evaluate(() => document.fonts.check('16px "IBM Plex Sans"'))).toBe(true);
  });
});
