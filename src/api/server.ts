import { serve, type ServerType } from '@hono/node-server';
import { createApp, type AppDeps } from './app.ts';

const STOP_GRACE_MS = 1_000;

export interface WebServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * Listens on `host`:`port` (0 picks a free one; HOST: loopback under the development defaults, so their public
 * admin token is reachable from this machine only); stop() stops accepting and waits for requests in flight.
 */
export function startWeb(deps: AppDeps, port: number, host = '0.0.0.0'): Promise<WebServer> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      deps.log.info({ port: info.port, host: info.address }, 'api listening');
      resolve({
        port: info.port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive clients would hold the server open: drop idle sockets now, and any others once
            // the requests in flight have had a moment to finish.
            if ('closeIdleConnections' in server) {
              server.closeIdleConnections();
              setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
            }
          }),
      });
    });
  });
}
