/**
 * The baseline for the intake bench: a bare Fastify route that validates the same callback body
 * with zod and does one INSERT into the same PostgreSQL database, with a pool of the same size.
 * Nothing else: no consent records, no encryption, no audit, no outbox.
 */
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import pg from 'pg';
import { z } from 'zod';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 16 });
await pool.query(`CREATE TABLE IF NOT EXISTS bench_bare_inquiries (
  id bigserial PRIMARY KEY, name text NOT NULL, phone text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);

const Body = z.object({
  name: z.string().min(1).max(200),
  phone: z.string().regex(/^\+?[0-9 ()-]{10,20}$/),
  consent_processing: z.literal('yes'),
});

const app = Fastify();
await app.register(formbody);
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/intake', async (req, reply) => {
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) return reply.code(400).send({ error: 'invalid' });
  await pool.query('INSERT INTO bench_bare_inquiries (name, phone) VALUES ($1, $2)', [
    parsed.data.name,
    parsed.data.phone,
  ]);
  return reply.code(303).header('location', '/thanks').send();
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
});
