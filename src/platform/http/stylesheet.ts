/**
 * Stylesheets are files (the CSP forbids inline styles), served with a year's caching under a URL
 * that carries a hash of their text, so a changed file is a new URL. `BASE_CSS_TEXT` is the base
 * that the public site and the console share (`assets/base.css`); each surface serves it under its
 * own prefix and links it before its own stylesheet, which sets the palette and measures it uses.
 *
 * @example
 *   export const BASE_CSS = stylesheet('/assets/base.css', BASE_CSS_TEXT);
 *   serveStylesheet(app, BASE_CSS); // in the surface's routes
 *   html`<link rel="stylesheet" href="${BASE_CSS.href}" />`; // in its layout, first
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export const BASE_CSS_TEXT = readFileSync(new URL('./assets/base.css', import.meta.url), 'utf8');

export interface Stylesheet {
  /** The route. */
  path: string;
  text: string;
  /** The path with the text's hash: what pages link, cached for a year. */
  href: string;
}

export function stylesheet(path: string, text: string): Stylesheet {
  const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { path, text, href: `${path}?v=${version}` };
}

const YEAR_SECONDS = 365 * 24 * 3600;

export function serveStylesheet(app: FastifyInstance, css: Stylesheet): void {
  app.get(css.path, async (_req, reply) =>
    reply
      .header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .type('text/css; charset=utf-8')
      .send(css.text),
  );
}
