// Pages for people (/docs, Bull Board) load every script, style and font from this server, out of node_modules:
// they work offline, and a strict Content-Security-Policy can say so. No page of ours names another host.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** The file a package export names, e.g. `@fontsource/ibm-plex-sans/400.css`. */
export const packageFile = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));

/** Serves the files under `root` at `prefix/*` (GET/HEAD; no `..`, no listing; a miss falls through to 404). */
export function serveDirectory(prefix: string, root: string): MiddlewareHandler {
  return serveStatic({ root, rewriteRequestPath: (path) => path.slice(prefix.length) });
}

/**
 * This origin only: scripts from files (no inline script, no eval), connections back here, nothing framed.
 * Styles allow inline: both UIs set style attributes and inject <style> at run time.
 */
export const selfOnly = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      manifestSrc: ["'self'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    crossOriginEmbedderPolicy: false,
  });

/** The @font-face rules of a @fontsource package's weights, their font URLs under `urlPrefix`. */
export function fontFaces(pkg: string, weights: number[], urlPrefix: string): { css: string; filesDir: string } {
  const css = weights
    .map((w) => readFileSync(packageFile(`${pkg}/${w}.css`), 'utf8').replaceAll('url(./files/', `url(${urlPrefix}`))
    .join('\n');
  return { css, filesDir: join(dirname(packageFile(`${pkg}/400.css`)), 'files') };
}
