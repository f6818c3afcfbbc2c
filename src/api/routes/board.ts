// Bull Board at /admin/queues: every queue of the registry, behind the admin token.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../auth.ts';

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
  app.route('/', adapter.registerPlugin() as unknown as Hono<AppEnv>);
  return app;
}
