/**
 * A bare Fastify server for side-by-side comparisons (started as a child by the bench scripts):
 * the same JSON as the app's /healthz and /readyz, and POST /login that verifies one argon2id hash
 * (BENCH_PASSWORD_HASH) and answers 303, as a sign-in does. No database, no hooks, no logging.
 *
 *   PORT=4000 BENCH_PASSWORD_HASH='$argon2id$...' npx tsx bench/bare-server.ts
 */
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { verifyPassword } from '../src/modules/staff/index.ts';

const hash = process.env.BENCH_PASSWORD_HASH ?? '';
const app = Fastify({ logger: false });
await app.register(formbody);
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/readyz', async () => ({ status: 'ready' }));
app.post('/login', async (req, reply) => {
  const body = req.body as { password?: string };
  const ok = hash !== '' && (await verifyPassword(hash, body.password ?? ''));
  return ok ? reply.redirect('/home', 303) : reply.code(401).send({ error: 'invalid' });
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
