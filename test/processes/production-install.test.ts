// Runtime dependencies are dependencies: every Procfile role boots from the pruned production install of a
// clean clone (what a Heroku-style buildpack ships), so an import of a devDependency from src/ fails here.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin } from '../support/own-database.ts';
import { adminDatabaseUrl, TEST_ADMIN_TOKEN, TEST_JWT_SECRET, TEST_REDIS_URL } from '../support/constants.ts';
import { uniquePrefix } from '../support/platform.ts';
import { buildSlug, startRole, type Slug } from '../support/slug.ts';

let slug: Slug;
const database = `hearth_slug_${Date.now().toString(36)}`;
beforeAll(async () => {
  slug = buildSlug();
  await admin(`create database "${database}"`);
}, 120_000);
afterAll(async () => {
  slug?.remove();
  await admin(`drop database if exists "${database}" with (force)`);
});

/** What a production dyno has: no inherited test variables, only the platform's and the app's. */
const productionEnv = () => ({
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  PORT: '0',
  DATABASE_URL: adminDatabaseUrl.replace(/\/[^/]*$/, `/${database}`),
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: uniquePrefix(),
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
  SAFETY_LINK_SECRET: 'slug-test-safety-link-secret-0123456789',
  PUBLIC_BASE_URL: 'https://hearth.example.org',
});

it('runs on the one Node major that engines, .node-version and the tests name', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const major = process.versions.node.split('.')[0];
  expect(pkg.engines.node).toBe(`${major}.x`);
  expect(readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim()).toBe(major);
  expect(pkg.devDependencies.node.split('.')[0]).toBe(major);
});

it('boots release, web, worker and clock from the pruned install', { timeout: 120_000 }, async () => {
  const env = productionEnv();
  const release = startRole(slug, 'release', env);
  expect(await release.exited, release.stderr()).toBe(0);
  for (const role of ['web', 'worker', 'clock']) {
    const proc = startRole(slug, role, env);
    await proc.waitFor('hearth ready', 60_000);
    expect(await proc.stop(), `${role}: ${proc.stderr()}`).toMatchObject({ code: 0 });
  }
});
