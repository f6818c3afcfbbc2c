// Bull Board at /admin/queues: every queue of the registry, behind the admin token.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';
import { auditRequest } from '../audit.ts';

export const BOARD_PATH = '/admin/queues';

export function boardRoutes(deps: AppDeps) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.producer.allQueues().map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Hearth queues' } },
  });
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(deps.config.ADMIN_TOKEN!));
  // Audit each opening of the board page (not its API polling or static assets).
  app.get('/', async (c, next) => {
    auditRequest(c, { type: 'admin_board_opened', category: 'admin', userId: null });
    await c.var.em.flush();
    await next();
  });
  app.route('/', adapter.registerPlugin() as unknown as Hono<AppEnv>);
  return app;
}
