import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { buildApp, type App } from '../app.ts';
import type { AppContext } from '../composition/context.ts';
import { JobRunner } from '../platform/jobs/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { createEmailSender, OUTBOX_DISPATCH, outboxDispatchJob } from '../modules/outbox/index.ts';
import { startTestSmtp, type TestSmtp } from '../modules/outbox/outbox.testing.ts';
import { registerWidget } from '../composition/surfaces.ts';
import { EMBED_FORMS_PREFIX } from '../modules/inquiries/index.ts';
import { assertNoPersonalDataInLogs } from '../../test/log-check.ts';
import { intakeApi } from './intake.routes.ts';
import {
  insertOperatorWithSite,
  policySource,
  testIntake,
  testPolicy,
  type TestOperator,
} from '../modules/inquiries/intake.testing.ts';

describe('POST /api/v1/inquiries, the confirmation e-mail and the widget', () => {
  let env: TestEnv;
  let app: App;
  let op: TestOperator;
  let other: TestOperator;
  let key: string;
  let keyId: string;
  let otherKey: string;
  let smtp: TestSmtp;
  const CLI = systemPrincipal('cli');

  before(async () => {
    env = await createTestEnv();
    smtp = await startTestSmtp();
    op = await insertOperatorWithSite(env, 'api-a');
    other = await insertOperatorWithSite(env, 'api-b');
    // A second declared site of the first operator, on another port (another origin).
    const admin = await env.admin();
    await admin.query(
      "INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES (gen_random_uuid(), $1, 'partner.example:8443', 'p', now())",
      [op.operatorId],
    );
    const intake = testIntake(
      env,
      policySource({
        [op.operatorId]: await testPolicy(env, op.operatorId),
        [other.operatorId]: await testPolicy(env, other.operatorId),
      }),
    );
    const ctx: AppContext = { ...env.ctx, services: { ...env.ctx.services, intake } };
    app = await buildApp(ctx, {
      surfaces: [
        (a, c) => intakeApi(a, c.services),
        registerWidget,
        // Stands in for the public site's embedded form page.
        async (a) => {
          a.get(`${EMBED_FORMS_PREFIX}:formId`, async (_req, reply) =>
            reply.type('text/html').send('<p>form</p>'),
          );
        },
      ],
    });
    await app.ready();
    ({ key, id: keyId } = await env.ctx.services.apiKeys.create(CLI, op.operatorId, { name: 'CRM' }));
    ({ key: otherKey } = await env.ctx.services.apiKeys.create(CLI, other.operatorId, { name: 'CRM' }));
  });
  after(async () => {
    await app.close();
    await smtp.close();
    await env.close();
  });

  const body = (over: Record<string, unknown> = {}) => ({
    formId: 'feedback',
    siteDomain: op.domain,
    fields: { name: 'Анна', email: 'anna@example.ru', message: 'Болит голова <script>' },
    consents: { processing: true, marketing: false },
    idempotencyKey: `crm-${Math.random().toString(36).slice(2)}`,
    page: '/contacts',
    ...over,
  });
  const post = (payload: unknown, auth: string | null = `Bearer ${key}`) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/inquiries',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      payload: JSON.stringify(payload),
    });

  it('201 with the inquiry id, 200 for the same idempotency key, recorded as the API key', async () => {
    const b = body();
    const first = await post(b);
    assert.equal(first.statusCode, 201, first.body);
    const { inquiryId } = first.json<{ inquiryId: string }>();
    const again = await post(b);
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), { inquiryId, duplicate: true });
    const reused = await post({ ...b, fields: { ...b.fields, message: 'Другое обращение' } });
    assert.equal(reused.statusCode, 409, 'the same key with another body is not the first inquiry');
    const error = reused.json<{ error: { code: string; message: string } }>().error;
    assert.equal(error.code, 'idempotency_key_reused');
    assert.equal(reused.body.includes('Анна') || reused.body.includes(inquiryId), false);
    const admin = await env.admin();
    const { rows } = await admin.query<{ channel: string; actor_type: string; actor_id: string }>(
      `SELECT i.channel, a.actor_type, a.actor_id FROM inquiries i
       JOIN audit_log a ON a.object_id = i.id::text AND a.action = 'inquiry.create' WHERE i.id = $1`,
      [inquiryId],
    );
    assert.deepEqual(rows, [{ channel: 'api', actor_type: 'api_key', actor_id: keyId }]);
  });

  it('cites the English consent documents when the body says lang: en, the Russian ones otherwise', async () => {
    const admin = await env.admin();
    const cited = async (lang?: 'en' | 'ru') => {
      const r = await post(body(lang ? { lang } : {}));
      assert.equal(r.statusCode, 201, r.body);
      const { rows } = await admin.query<{ document_sha256: string; document_version: number }>(
        'SELECT document_sha256, document_version FROM consent_records WHERE inquiry_id = $1',
        [r.json<{ inquiryId: string }>().inquiryId],
      );
      return rows;
    };
    const p = await testPolicy(env, op.operatorId);
    const en = p.documentsEn!.consent_processing;
    const ru = p.documents.consent_processing;
    assert.notEqual(en.sha256, ru.sha256);
    assert.deepEqual(await cited('en'), [{ document_sha256: en.sha256, document_version: en.version }]);
    assert.deepEqual(await cited(), [{ document_sha256: ru.sha256, document_version: ru.version }]);
    assert.equal((await post(body({ lang: 'de' }))).statusCode, 400);
  });

  it('the site may be given by id; an unknown field in the body is 400', async () => {
    const r = await post(body({ siteDomain: undefined, siteId: op.siteId }));
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((await post({ ...body(), extra: 1 })).statusCode, 400);
    assert.equal((await post(body({ siteId: op.siteId }))).statusCode, 400, 'not both');
  });

  it('400 with Russian messages per field, never echoing the input', async () => {
    const r = await post(
      body({
        fields: { name: 'x'.repeat(300), message: 'secret-text' },
        consents: { processing: false, marketing: false },
      }),
    );
    assert.equal(r.statusCode, 400);
    const err = r.json<{ error: { code: string; fields: { path: string; message: string }[] } }>().error;
    assert.equal(err.code, 'validation_failed');
    const paths = err.fields.map((f) => f.path).sort();
    assert.deepEqual(paths, ['consents.processing', 'email', 'name', 'phone']);
    assert.ok(!r.body.includes('xxxx') && !r.body.includes('secret-text'));
  });

  it('401 without a key, with a wrong one, with a revoked one; 403 for another operator’s site', async () => {
    assert.equal((await post(body(), null)).statusCode, 401);
    assert.equal((await post(body(), 'Bearer sgl_aaaaaaaaaaaa_' + 'b'.repeat(43))).statusCode, 401);
    assert.equal((await post(body(), `Bearer ${key}x`)).statusCode, 401);
    assert.equal((await post(body(), `Basic ${key}`)).statusCode, 401);
    // The key is checked before the body, so without one a malformed body is 401 as well.
    assert.equal((await post({ ...body(), extra: 1 }, null)).statusCode, 401);
    assert.equal((await post({ ...body(), extra: 1 })).statusCode, 400, 'with the key it is 400');
    assert.equal((await post(body({ siteDomain: other.domain }))).statusCode, 403);
    assert.equal((await post(body({ siteDomain: undefined, siteId: other.siteId }))).statusCode, 403);
    assert.equal((await post(body(), `Bearer ${otherKey}`)).statusCode, 403, 'the other key, this site');
    const { key: temp, id } = await env.ctx.services.apiKeys.create(CLI, op.operatorId, { name: 'temp' });
    assert.equal((await post(body(), `Bearer ${temp}`)).statusCode, 201);
    await env.ctx.services.apiKeys.revoke(CLI, id);
    assert.equal((await post(body(), `Bearer ${temp}`)).statusCode, 401);
  });

  it('429 with Retry-After and too_many_requests past the per-key limit, which other keys do not share', async () => {
    const limited = testIntake(env, policySource({ [op.operatorId]: await testPolicy(env, op.operatorId) }), {
      limits: { apiKeyRateLimit: 3, rateWindowSeconds: 600 },
    });
    const limitedApp = await buildApp(
      { ...env.ctx, services: { ...env.ctx.services, intake: limited } },
      { surfaces: [(a, c) => intakeApi(a, c.services)] },
    );
    try {
      const { key: busy } = await env.ctx.services.apiKeys.create(CLI, op.operatorId, { name: 'busy' });
      const { key: calm } = await env.ctx.services.apiKeys.create(CLI, op.operatorId, { name: 'calm' });
      const send = (k: string, b = body()) =>
        limitedApp.inject({
          method: 'POST',
          url: '/api/v1/inquiries',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
          payload: JSON.stringify(b),
        });
      env.clock.set(new Date('2026-03-02T09:05:00Z'));
      for (let n = 0; n < 3; n++) assert.equal((await send(busy)).statusCode, 201);
      const before = await (await env.admin()).query('SELECT count(*)::int AS n FROM inquiries');
      const refused = await send(busy);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'too_many_requests');
      // 3 in this bucket: 300 s to its end and a third of the next.
      assert.equal(refused.headers['retry-after'], '500');
      const afterRefusal = await (await env.admin()).query('SELECT count(*)::int AS n FROM inquiries');
      assert.deepEqual(afterRefusal.rows, before.rows, 'nothing written');
      assert.equal((await send(calm)).statusCode, 201, 'another key is not limited by this one');
      env.clock.set(new Date('2026-03-02T09:13:20Z'));
      assert.equal((await send(busy)).statusCode, 201, 'the window has slid past enough');
    } finally {
      await limitedApp.close();
      env.clock.set(new Date('2026-03-02T09:00:00Z'));
    }
  });

  it('the confirmation e-mail reaches a real SMTP server, in Russian, without the patient’s message', async () => {
    const r = await post(
      body({ fields: { name: 'Ирина', email: 'irina@example.ru', message: 'Тайна болезни' } }),
    );
    assert.equal(r.statusCode, 201);
    const email = createEmailSender(
      {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: undefined,
        password: undefined,
        from: 'clinic@example.ru',
      },
      { timeoutMs: 5000 },
    );
    try {
      const runner = new JobRunner({
        db: env.ctx.db,
        clock: env.clock,
        log: env.ctx.log,
        handlers: [
          outboxDispatchJob({
            keyring: env.ctx.services.keyring,
            audit: env.ctx.services.audit,
            jobs: env.ctx.services.jobs,
            clock: env.clock,
            senders: [email],
            random: () => 0.5,
            batchSize: 100,
          }),
        ],
      });
      await env.ctx.db.transaction((tx) => env.ctx.services.jobs.enqueue(tx, { kind: OUTBOX_DISPATCH }));
      await runner.runOnce();
    } finally {
      email.close();
    }
    const mail = smtp.received.find((m) => m.to.includes('irina@example.ru'));
    assert.ok(mail, 'delivered');
    const admin = await env.admin();
    const { rows } = await admin.query<{ number: string }>('SELECT number FROM inquiries WHERE id = $1', [
      r.json<{ inquiryId: string }>().inquiryId,
    ]);
    const decoded = decodeMime(mail.raw);
    assert.ok(decoded.includes(`Ваша заявка № ${rows[0]!.number} принята`), decoded);
    assert.ok(decoded.includes('МРТ Люкс'));
    assert.ok(!decoded.includes('Тайна болезни'));
  });

  it('nothing of the patient’s data reaches the logs', () => {
    assertNoPersonalDataInLogs(env.logs, ['Анна', 'Ирина', 'anna@', 'irina@', 'Болит', 'Тайна']);
  });

  it('serves /embed.js for other origins, with a long cache', async () => {
    const r = await app.inject({ method: 'GET', url: '/embed.js' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.match(String(r.headers['cache-control']), /public, max-age=86400/);
    assert.match(r.body, /data-soglasie-form/);
    const cached = await app.inject({
      method: 'GET',
      url: '/embed.js',
      headers: { 'if-none-match': String(r.headers.etag) },
    });
    assert.equal(cached.statusCode, 304);
  });

  it('an embedded form may be framed by the operator’s declared sites only', async () => {
    const frameAncestors = async (site: string) => {
      const r = await app.inject({
        method: 'GET',
        url: `${EMBED_FORMS_PREFIX}callback?site=${encodeURIComponent(site)}`,
      });
      const csp = String(r.headers['content-security-policy']);
      return { fa: /frame-ancestors ([^;]*)/.exec(csp)![1], xfo: r.headers['x-frame-options'] };
    };
    const declared = await frameAncestors('partner.example:8443');
    assert.deepEqual(declared.fa!.split(' ').sort(), [
      'http://api-a.example',
      'http://partner.example:8443',
      'https://api-a.example',
      'https://partner.example:8443',
    ]);
    assert.equal(declared.xfo, undefined);
    assert.ok(!declared.fa!.includes('api-b.example'), 'not another operator’s sites');
    const undeclared = await frameAncestors('evil.example');
    assert.equal(undeclared.fa, "'none'");
    assert.equal(undeclared.xfo, 'DENY');
    // Every other page keeps refusing to be framed.
    const plain = await app.inject({ method: 'GET', url: '/embed.js?site=partner.example:8443' });
    assert.match(String(plain.headers['content-security-policy']), /frame-ancestors 'none'/);
  });
});

/** Subject and text of a single-part message as nodemailer writes it (encoded words, base64 or QP). */
function decodeMime(raw: string): string {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const bodyText = raw.slice(at + 4);
  const words = head
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const cte = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(bodyText.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? qp(bodyText.replace(/=\r?\n/g, ''))
        : bodyText;
  return `${words}\n\n${text}`;
}

function qp(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
