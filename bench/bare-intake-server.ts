/**
 * The baseline for the intake bench: a bare Fastify route that validates the same callback body
 * with zod and does one INSERT into the same PostgreSQL database, with a pool of the same size.
 * Nothing else: no consent records, no encryption, no audit, no outbox.
 */
import pg from 'pg';
import { serveBaseline } from './baseline-server.ts';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 16 });
await pool.query(`CREATE TABLE IF NOT EXISTS bench_bare_inquiries (
  id bigserial PRIMARY KEY, name text NOT NULL, phone text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);

await serveBaseline(
  (body) =>
    pool.query('INSERT INTO bench_bare_inquiries (name, phone) VALUES ($1, $2)', [body.name, body.phone]),
  () => pool.end(),
);
