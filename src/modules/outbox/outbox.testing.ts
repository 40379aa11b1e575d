/**
 * Test support for the outbox (imported by tests only): a real SMTP server on 127.0.0.1 whose
 * replies a test can set per recipient, and an operator with data subjects made directly in the
 * database (the subjects module's own tests cover how subjects are made).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestEnv } from '../../../test/harness.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtp {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Replies with this SMTP code (4xx or 5xx) to RCPT TO for the address; undefined accepts. */
  reply: (address: string) => number | undefined;
  close(): Promise<void>;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  let port = 0;
  const smtp: TestSmtp = {
    get port() {
      return port;
    },
    received: [],
    reply: () => undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = smtp.reply(address.address);
      if (code === undefined) return callback();
      // The reply quotes the address, as real servers do: the outbox must not store or log it.
      callback(Object.assign(new Error(`Mailbox <${address.address}> unavailable`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        smtp.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
  return smtp;
}

/** An operator row, inserted as the superuser (the operators module is tested on its own). */
export async function insertOperator(env: TestEnv, slug: string): Promise<string> {
  const id = randomUUID();
  const admin = await env.admin();
  const now = env.clock.now();
  await admin.query(
    `INSERT INTO operators (id, slug, name, inn, ogrn, postal_address, responsible_person, requests_email,
       requests_postal_address, created_at, updated_at)
     VALUES ($1, $2, 'Test clinic', '7701234567', '1027700000000', 'Moscow', 'Officer', 'dpo@example.ru',
       'Moscow', $3, $3)`,
    [id, slug, now],
  );
  return id;
}

/** A subject row with its own data key in the keyring. */
export async function insertSubject(env: TestEnv, operatorId: string): Promise<string> {
  const id = randomUUID();
  const admin = await env.admin();
  const now = env.clock.now();
  await admin.query(
    'INSERT INTO subjects (id, operator_id, created_at, updated_at) VALUES ($1, $2, $3, $3)',
    [id, operatorId, now],
  );
  await env.ctx.services.keyring.createDataKey(id, operatorId);
  return id;
}
