/**
 * Test support for webhooks (imported by tests only): a real HTTP server on 127.0.0.1 that records
 * every request (headers and raw body) and answers what a test tells it to, and an intake whose
 * inquiries announce themselves to the test context's webhooks.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestEnv } from '../../../test/harness.ts';
import { IntakeService } from '../inquiries/index.ts';
import { testPolicy, type TestOperator } from '../inquiries/intake.test-support.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** The status to answer the next requests with, or 'hang' to never answer (default 200). */
  respond: (r: ReceivedRequest) => number | 'hang';
  /** Milliseconds to wait before answering (to make two dispatchers overlap). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      receiver.received.push(r);
      const answer = receiver.respond(r);
      if (answer === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      setTimeout(() => {
        res.writeHead(answer, { 'content-type': 'text/plain' });
        // A body the dispatcher must not keep.
        res.end('response body with secrets that must not be stored');
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/soglasie?token=abc`,
    received: [],
    respond: () => 200,
    delayMs: 0,
    close: async () => {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** An intake on the test context whose inquiries queue `inquiry.created` for the context's webhooks. */
export function intakeWithWebhooks(env: TestEnv, operators: TestOperator[]): IntakeService {
  const s = env.ctx.services;
  return new IntakeService({
    db: env.ctx.db,
    operators: s.operators,
    subjects: s.subjects,
    outbox: s.outbox,
    audit: s.audit,
    policy: {
      current: async (id) => (operators.some((o) => o.operatorId === id) ? testPolicy(env, id) : undefined),
    },
    keyring: s.keyring,
    clock: env.clock,
    ids: env.ctx.ids,
    log: env.ctx.log,
    limits: {
      rateLimit: 1000,
      contactRateLimit: 1000,
      apiKeyRateLimit: 1000,
      rateWindowSeconds: 600,
      minFillSeconds: 0,
    },
    events: s.webhooks,
  });
}
