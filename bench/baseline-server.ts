/**
 * What the intake bench's two baselines share: a bare Fastify server on PORT whose POST /intake
 * validates the callback form's body with zod, hands it to the baseline's own work, and answers
 * 303 as the form does; GET /healthz for the bench to wait on; SIGTERM closes it.
 *
 * @example
 *   await serveBaseline(async (body) => pool.query('INSERT ...', [body.name]), () => pool.end());
 */
import formbody from '@fastify/formbody';
import Fastify, { type FastifyRequest } from 'fastify';
import { z } from 'zod';

export const CallbackBody = z.object({
  name: z.string().min(1).max(200),
  phone: z.string().regex(/^\+?[0-9 ()-]{10,20}$/),
  consent_processing: z.literal('yes'),
});
export type CallbackBody = z.infer<typeof CallbackBody>;

export async function serveBaseline(
  work: (body: CallbackBody, req: FastifyRequest) => Promise<unknown>,
  close: () => Promise<unknown>,
): Promise<void> {
  const app = Fastify();
  await app.register(formbody);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post('/intake', async (req, reply) => {
    const parsed = CallbackBody.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid' });
    await work(parsed.data, req);
    return reply.code(303).header('location', '/thanks').send();
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => {
    void app.close().then(() => close().then(() => process.exit(0)));
  });
}
