/**
 * The e-mail channel over SMTP with nodemailer, configured from `config.smtp`. The payload of an
 * e-mail outbox message is `{ to, subject, text, html?, unsubscribeUrl? }`, or the facts of a
 * template rendered in
 * email-templates.ts (`inquiry_confirmation`: `{ to, clinicName, inquiryNumber }`); the sender address is the configured
 * `SMTP_FROM`. A 5xx reply refuses the message for good; anything else (a connection refused, a
 * 4xx "try later") is retried by the outbox.
 *
 * A marketing message carries `unsubscribeUrl`: it goes out with the one-click unsubscribe headers
 * of RFC 8058 (`List-Unsubscribe: <url>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`),
 * so a mail client's "unsubscribe" button POSTs to the link. Receivers trust those headers only
 * under a DKIM signature that covers them: the SMTP relay signs.
 *
 * @example
 *   const email = createEmailSender(config.smtp);
 *   await outbox.add(tx, { operatorId, subjectId, channel: 'email', template: 'inquiry.received',
 *     payload: { to, subject: 'Заявка получена', text } });
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Config } from '../../../config/config.ts';
import { renderEmail } from './email-templates.ts';
import { SendRefused, type Sender } from './sender.ts';

export const EMAIL_CHANNEL = 'email';

export const emailPayloadSchema = z.object({
  to: z.email(),
  subject: z.string().min(1).max(300),
  text: z.string().min(1).max(100_000),
  html: z.string().max(500_000).optional(),
  /** The one-click unsubscribe link of a marketing message (https in production). */
  unsubscribeUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
export type EmailPayload = z.infer<typeof emailPayloadSchema>;

export type SmtpConfig = NonNullable<Config['smtp']>;

export interface EmailSender extends Sender {
  close(): void;
}

export function createEmailSender(smtp: SmtpConfig, o: { timeoutMs?: number } = {}): EmailSender {
  const timeout = o.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    // Connections are kept and reused across messages (the dispatcher sends several at once).
    pool: true,
    maxConnections: 4,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // nodemailer logs nothing unless asked; its debug output would quote addresses.
    logger: false,
    debug: false,
  });
  return {
    channel: EMAIL_CHANNEL,
    send: async (message) => {
      // Templated messages (for example `inquiry_confirmation`) are rendered here from their facts.
      const rendered = renderEmail(message.template, message.payload);
      if (rendered === 'invalid') throw new SendRefused('invalid_payload');
      const parsed = emailPayloadSchema.safeParse(rendered ?? message.payload);
      if (!parsed.success) throw new SendRefused('invalid_payload');
      const p = parsed.data;
      try {
        await transport.sendMail({
          from: smtp.from,
          to: p.to,
          subject: p.subject,
          text: p.text,
          ...(p.html !== undefined ? { html: p.html } : {}),
          // Lets a bounce or a complaint be traced to the outbox row without the address.
          messageId: `<outbox-${message.id}@soglasie>`,
          headers: {
            'X-Soglasie-Outbox-Id': message.id,
            ...(p.unsubscribeUrl !== undefined
              ? {
                  'List-Unsubscribe': `<${p.unsubscribeUrl}>`,
                  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
                }
              : {}),
          },
        });
      } catch (e) {
        const code = (e as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) throw new SendRefused(`smtp-${code}`);
        throw e;
      }
    },
    close: () => transport.close(),
  };
}

/** The senders a configuration provides: e-mail when SMTP is configured, nothing else yet. */
export function sendersFromConfig(config: Config): EmailSender[] {
  return config.smtp ? [createEmailSender(config.smtp)] : [];
}
