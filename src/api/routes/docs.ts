// /docs: the Scalar API reference of /openapi.json, its script served from node_modules (@scalar/api-reference's
// standalone bundle) instead of a CDN, its start-up in a file of ours (the CSP allows no inline script).
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { packageFile, selfOnly, serveDirectory } from '../browser-assets.ts';

const ASSETS_PATH = '/docs/assets';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Hearth API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="${ASSETS_PATH}/standalone.js"></script>
    <script src="/docs/start.js"></script>
  </body>
</html>
`;

// Nothing that reaches out: no hosted fonts, no telemetry, no request proxy, no hosted AI agent.
const CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  proxyUrl: '',
  agent: { disabled: true },
  hideClientButton: true,
};
const START = `Scalar.createApiReference('#app', ${JSON.stringify(CONFIGURATION)});\n`;

export function docsRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/docs', selfOnly());
  app.use('/docs/*', selfOnly());
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/start.js', (c) => c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get(
    `${ASSETS_PATH}/*`,
    serveDirectory(ASSETS_PATH, join(dirname(packageFile('@scalar/api-reference')), 'browser')),
  );
  return app;
}
