/**
 * The widget: `GET /embed.js` (a small static script) and the framing rule of the embedded form
 * pages under `/embed/forms/:formId?site=<host page's host>`. The script puts an iframe to such a
 * page into the host page; the page itself is the public site's form renderer. Framing is allowed
 * (CSP frame-ancestors) only by the declared sites of the operator that `site` belongs to, so a
 * page on an undeclared origin cannot show a clinic's form; every other page keeps
 * `frame-ancestors 'none'`.
 *
 * @example
 *   buildApp(ctx, { surfaces: [intakeApi, embedWidget] });
 *   // <script src="https://soglasie.example/embed.js" data-soglasie-form="callback" async></script>
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../app.ts';
import type { AppContext } from '../../composition/context.ts';
import type { HostMatch } from '../operators/index.ts';
import { EMBED_FRAME_SCRIPT, EMBED_SCRIPT } from './embed.script.ts';

export const EMBED_SCRIPT_PATH = '/embed.js';
/** The framed form page's script (reports its height to the host page). */
export const EMBED_FRAME_SCRIPT_PATH = '/embed/frame.js';
/** Prefix of the framed form pages (rendered by the public site, framed by the rule here). */
export const EMBED_FORMS_PREFIX = '/embed/forms/';

const SCRIPT = Buffer.from(EMBED_SCRIPT, 'utf8');
const ETAG = etagOf(SCRIPT);
const FRAME_SCRIPT = Buffer.from(EMBED_FRAME_SCRIPT, 'utf8');
const FRAME_ETAG = etagOf(FRAME_SCRIPT);

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * The operator and site an embedded form is for: the host page's host (`?site=`), which must be a
 * declared site. The public site renders that operator's form; undefined means "refuse".
 */
export async function resolveEmbedSite(ctx: AppContext, req: FastifyRequest): Promise<HostMatch | undefined> {
  const site = (req.query as Record<string, unknown> | undefined)?.site;
  if (typeof site !== 'string' || site.length > 300) return undefined;
  return ctx.services.operators.findByHost(site);
}

/** The origins allowed to frame the operator's forms: each declared site, https (and http locally). */
export function frameAncestorsOf(ctx: AppContext, match: HostMatch): string[] {
  return match.operator.sites.flatMap((s) =>
    ctx.config.secureCookies ? [`https://${s.domain}`] : [`https://${s.domain}`, `http://${s.domain}`],
  );
}

export async function embedWidget(app: App, ctx: AppContext): Promise<void> {
  const script = (path: string, body: Buffer, etag: string, crossOrigin: boolean) =>
    app.get(path, async (req, reply) => {
      void reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=86400, stale-while-revalidate=604800')
        .header('etag', etag);
      // embed.js is loaded by pages of other origins: helmet's same-origin default would block it.
      if (crossOrigin) void reply.header('cross-origin-resource-policy', 'cross-origin');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(body);
    });
  script(EMBED_SCRIPT_PATH, SCRIPT, ETAG, true);
  script(EMBED_FRAME_SCRIPT_PATH, FRAME_SCRIPT, FRAME_ETAG, false);

  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith(EMBED_FORMS_PREFIX)) return payload;
    const match = await resolveEmbedSite(ctx, req);
    const csp = reply.getHeader('content-security-policy');
    if (match && typeof csp === 'string') {
      const ancestors = frameAncestorsOf(ctx, match).join(' ');
      void reply.header(
        'content-security-policy',
        csp.replace(/frame-ancestors [^;]*/u, `frame-ancestors ${ancestors}`),
      );
      // X-Frame-Options cannot name origins; browsers that know frame-ancestors ignore it anyway.
      reply.removeHeader('x-frame-options');
    }
    return payload;
  });
}
