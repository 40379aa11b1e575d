import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Answers under this prefix may carry decrypted personal data: never stored by a cache. */
const NO_STORE_PREFIX = '/api/v1';

/**
 * Security headers on every response: a CSP with no inline scripts or styles, no framing, HSTS only
 * when the public URL is https (a browser pinning HSTS to plain http on localhost would lock it out),
 * and `Cache-Control: no-store` on every /api/v1 answer (errors included), as the pages have it.
 */
export async function registerSecurityHeaders(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
        'object-src': ["'none'"],
      },
    },
    hsts: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
  });
  app.addHook('onSend', async (req, reply) => {
    if (isNoStorePath(req.url)) void reply.header('cache-control', 'no-store');
  });
}

function isNoStorePath(url: string): boolean {
  if (!url.startsWith(NO_STORE_PREFIX)) return false;
  const next = url.charAt(NO_STORE_PREFIX.length);
  return next === '' || next === '/' || next === '?';
}
