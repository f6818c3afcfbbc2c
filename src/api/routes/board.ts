// Bull Board at /admin/queues: every queue of the registry, behind the admin token. Its page asks Google Fonts for
// IBM Plex; we serve those fonts from @fontsource instead (src/api/browser-assets.ts), so it works offline.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';
import { auditRequest } from '../audit.ts';
import { fontFaces, selfOnly, serveDirectory } from '../browser-assets.ts';
import { ErrorBody } from '../schemas.ts';

export const BOARD_PATH = '/admin/queues';

const FONTS_PATH = `${BOARD_PATH}/fonts`;
const GOOGLE_FONTS_LINK = /<link href="https:\/\/fonts\.googleapis\.com\/[^"]*" rel="stylesheet">/;
const fonts = [
  fontFaces('@fontsource/ibm-plex-sans', [400, 500, 600], `${FONTS_PATH}/sans/`),
  fontFaces('@fontsource/ibm-plex-mono', [400, 500], `${FONTS_PATH}/mono/`),
];
const fontsCss = fonts.map((f) => f.css).join('\n');

/** Bull Board's page with its Google Fonts link pointing at ours (a page without that link is left alone). */
const withLocalFonts = (html: string) =>
  html.replace(GOOGLE_FONTS_LINK, `<link href="${FONTS_PATH}/fonts.css" rel="stylesheet">`);

export function boardRoutes(deps: AppDeps) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.producer.allQueues().map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Hearth queues' } },
  });
  const app = new OpenAPIHono<AppEnv>();
  // Documented only (registerPath): the page and the queue list; the rest is Bull Board's own API under the same auth.
  const security: Record<string, string[]>[] = [{ adminToken: [] }, { adminBasic: [] }];
  const unauthorized = { description: 'no admin token', content: { 'application/json': { schema: ErrorBody } } };
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/',
    summary: 'Bull Board: every queue (admin token, or HTTP basic auth with it as the password)',
    security,
    responses: { 200: { description: 'the board (HTML)' }, 401: unauthorized },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/queues',
    summary: "Bull Board's queue list (what the page polls)",
    security,
    responses: {
      200: {
        description: 'queues and job counts',
        content: { 'application/json': { schema: z.object({}).passthrough() } },
      },
      401: unauthorized,
    },
  });
  app.use('*', adminAuth(deps.config.ADMIN_TOKEN!));
  app.use('*', selfOnly());
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(withLocalFonts(await c.res.text()), { status: c.res.status, headers });
  });
  app.get('/fonts/fonts.css', (c) => c.body(fontsCss, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/fonts/sans/*', serveDirectory(`${FONTS_PATH}/sans/`, fonts[0]!.filesDir));
  app.get('/fonts/mono/*', serveDirectory(`${FONTS_PATH}/mono/`, fonts[1]!.filesDir));
  // Audit every job or queue action taken through the board (retry, remove, promote, clean, pause, add…):
  // who (the admin token: no user), from where, which action on which queue and job. Reads are not audited.
  app.use('/api/*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.res.status >= 400) return;
    const [queue, ...rest] = c.req.path.slice(`${BOARD_PATH}/api/queues/`.length).split('/').map(decodeURIComponent);
    auditRequest(c, {
      type: 'admin_board_action',
      category: 'admin',
      severity: 'warning',
      userId: null,
      data: { method: c.req.method, queue: queue?.slice(0, 100), action: rest.join('/').slice(0, 200) },
    });
    await c.var.em
      .flush()
      .catch((e: Error) => c.var.log.error({ error: { name: e.name } }, 'board action not audited'));
  });
  // Audit each opening of the board page (not its API polling or static assets).
  app.get('/', async (c, next) => {
    auditRequest(c, { type: 'admin_board_opened', category: 'admin', userId: null });
    await c.var.em.flush();
    await next();
  });
  app.route('/', adapter.registerPlugin() as unknown as Hono<AppEnv>);
  return app;
}
