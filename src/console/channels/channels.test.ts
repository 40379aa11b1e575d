import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { Declaration, DEMO_DECLARATION } from '../../modules/policy/index.ts';
import { systemPrincipal } from '../../modules/staff/index.ts';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const ADMIN = 'admin@channels.example';
const AGENT = 'agent@channels.example';
const OTHER = 'other@channels.example';
const HOSTILE = '<img src=x onerror=alert(1)>Клиника';
const BOT_TOKEN = `555000111:${'Qw3_-'.repeat(7)}`;

describe('console: channels and verbal consent', () => {
  let c: ConsoleEnv;
  let db: pg.Client;
  let operatorId: string;
  let otherOperatorId: string;
  let admin: Browser;
  let agent: Browser;
  let url: string;
  let inquiryId: string;

  before(async () => {
    c = await createConsoleEnv();
    db = await c.env.admin();
    operatorId = await c.createOperator({ slug: 'channels-clinic', name: HOSTILE });
    otherOperatorId = await c.createOperator({ slug: 'channels-other' });
    await db.query(
      "INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES (gen_random_uuid(), $1, 'channels.example', 'Клиника', now())",
      [operatorId],
    );
    await c.createStaff({ email: ADMIN, roles: [{ operatorId, role: 'administrator' }] });
    await c.createStaff({ email: AGENT, roles: [{ operatorId, role: 'agent' }] });
    await c.createStaff({ email: OTHER, roles: [{ operatorId: otherOperatorId, role: 'agent' }] });
    admin = c.browser();
    assert.equal((await admin.login(ADMIN)).statusCode, 303);
    agent = c.browser({ ip: '127.0.0.2' });
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    url = `/console/operators/${operatorId}/channels`;

    // A published policy, and an inquiry from a missed call, to record a verbal consent on.
    const s = c.env.ctx.services;
    const system = systemPrincipal('test');
    await s.policy.saveDraft(system, operatorId, Declaration.parse(DEMO_DECLARATION));
    await s.policy.publish(system, operatorId);
    const tel = await s.channels.connect(system, operatorId, { provider: 'telephony' });
    await s.channelInbound.receive({ id: tel.connection.id, operatorId, provider: 'telephony' }, [
      {
        eventId: 'call-1',
        kind: 'call',
        phone: '+79161112233',
        call: { type: 'call.missed', direction: 'inbound', callId: null, duration: null, recordingRef: null },
        opens: true,
      },
    ]);
    inquiryId = (
      await db.query<{ id: string }>('SELECT id FROM inquiries WHERE operator_id = $1', [operatorId])
    ).rows[0]!.id;
  });
  after(() => c.close());

  it('lists the organisations whose channels the reader manages, names escaped', async () => {
    const page = await admin.get('/console/channels');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`href="${url}"`));
    assert.ok(page.body.includes('&lt;img src=x onerror=alert(1)&gt;Клиника'));
    assert.ok(!page.body.includes('<img src=x'));
    assert.match(page.body, /href="\/console\/channels"\s+aria-current="page"/);
    const forAgent = await agent.get('/console/channels');
    assert.equal(forAgent.statusCode, 200);
    assert.ok(!forAgent.body.includes(url));
    assert.equal((await c.browser({ ip: '127.0.0.9' }).get('/console/channels')).statusCode, 303);
  });

  it('is refused to staff without operator.manage; its forms need the CSRF token', async () => {
    assert.equal((await agent.get(url)).statusCode, 403);
    const agentCsrf = csrfOf((await agent.get('/console')).body);
    const byAgent = await agent.post(url, { _csrf: agentCsrf, provider: 'telephony' });
    assert.equal(byAgent.statusCode, 403);
    assert.equal((await admin.post(url, { _csrf: 'forged', provider: 'telephony' })).statusCode, 403);
    const unknownField = await admin.submit(url, url, { provider: 'telephony', extra: 'x' });
    assert.equal(unknownField.statusCode, 400);
    const rows = await db.query("SELECT 1 FROM channel_connections WHERE provider <> 'telephony'");
    assert.equal(rows.rowCount, 0);
  });

  it('refuses a bad token with a message beside the field, never echoing what was typed', async () => {
    const typed = 'not a token <script>x</script>';
    const res = await admin.submit(url, url, {
      provider: 'telegram',
      botToken: typed,
      apiBaseUrl: 'javascript:alert(1)',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Канал не подключён: проверьте поля/);
    assert.match(res.body, /id="telegram-botToken"[^>]*aria-invalid="true"/);
    assert.match(res.body, /id="telegram-apiBaseUrl"[^>]*aria-invalid="true"/);
    assert.ok(!res.body.includes('not a token'), 'the typed token is not shown again');
    assert.ok(
      res.body.includes('value="javascript:alert(1)"'),
      'a non-secret field keeps what was typed, escaped',
    );
    assert.ok(!res.body.includes('<script>x'));
  });

  it('connects Telegram, shows the webhook URL and secret once, lists it, refuses a second, disables it', async () => {
    const res = await admin.submit(url, url, { provider: 'telegram', botToken: BOT_TOKEN, apiBaseUrl: '' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const hook = /<code id="webhook-url">([^<]+)<\/code>/.exec(res.body)?.[1];
    assert.ok(hook);
    assert.match(hook, /^http:\/\/localhost:\d+\/hooks\/telegram\/[A-Za-z0-9_-]{32}$/);
    const secret = /<code data-secret="webhookSecret">([^<]+)<\/code>/.exec(res.body)?.[1];
    assert.ok(secret);
    assert.equal(
      (await c.env.ctx.services.channels.credentials(operatorId, 'telegram'))?.webhookSecret,
      secret,
    );
    assert.match(res.body, /setWebhook/);
    assert.ok(!res.body.includes(BOT_TOKEN));

    const page = await admin.get(url);
    assert.ok(page.body.includes(hook));
    assert.ok(!page.body.includes(secret), 'the secret is not shown again');
    assert.ok(!page.body.includes(BOT_TOKEN));
    assert.match(page.body, /<tr\s+data-provider="telegram"\s+data-state="active"\s*>/);
    assert.match(page.body, /aria-labelledby="connect-telegram">[\s\S]*?<button type="submit"\s+disabled>/);

    const twice = await admin.submit(url, url, { provider: 'telegram', botToken: BOT_TOKEN });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /Этот канал уже подключён/);

    const id = (
      await db.query<{ id: string }>("SELECT id FROM channel_connections WHERE provider = 'telegram'")
    ).rows[0]!.id;
    const off = await admin.submit(url, `${url}/${id}/disable`, {});
    assert.equal(off.statusCode, 303);
    assert.equal(off.headers.location, `${url}?m=disabled`);
    const after = await admin.get(`${url}?m=disabled`);
    assert.match(after.body, /Канал отключён/);
    assert.match(after.body, /<tr\s+data-provider="telegram"\s+data-state="disabled"\s*>/);
    assert.deepEqual(
      (await c.audit({ objectId: id })).map((e) => e.action),
      ['channel.connect', 'channel.disable'],
    );
    // Another operator's connection id under this operator: not found.
    const foreign = await c.env.ctx.services.channels.connect(systemPrincipal('test'), otherOperatorId, {
      provider: 'telephony',
    });
    const notMine = await admin.submit(url, `${url}/${foreign.connection.id}/disable`, {});
    assert.equal(notMine.statusCode, 404);
  });

  it('records a verbal consent from the inquiry page’s form (contract 2) and redirects back', async () => {
    const action = `/console/operators/${operatorId}/inquiries/${inquiryId}/verbal-consent`;
    const csrf = csrfOf((await agent.get('/console')).body);
    const form = (fields: [string, string][]) =>
      agent.api('POST', action, {
        csrf,
        payload: new URLSearchParams([['_csrf', csrf], ...fields]).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });

    const missing = await agent.post(action, { _csrf: csrf, kind: 'processing' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Согласие не записано/);
    assert.ok(missing.body.includes(`href="/console/operators/${operatorId}/inquiries/${inquiryId}"`));
    assert.equal(
      (await agent.post(action, { _csrf: 'forged', kind: 'processing', recordingRef: 'r' })).statusCode,
      403,
    );
    const outsider = c.browser({ ip: '127.0.0.3' });
    assert.equal((await outsider.login(OTHER)).statusCode, 303);
    const outsiderCsrf = csrfOf((await outsider.get('/console')).body);
    const refused = await outsider.post(action, {
      _csrf: outsiderCsrf,
      kind: 'processing',
      recordingRef: 'r',
    });
    assert.equal(refused.statusCode, 404);
    assert.equal((await db.query('SELECT 1 FROM consent_records')).rowCount, 0);

    const ok = await form([
      ['kind', 'processing'],
      ['kind', 'marketing'],
      ['recordingRef', 'rec-2026-03-02-5531'],
    ]);
    assert.equal(ok.statusCode, 303);
    assert.equal(
      ok.headers.location,
      `/console/operators/${operatorId}/inquiries/${inquiryId}?m=consent-recorded`,
    );
    const consents = await db.query<{ kind: string; channel: string; evidence_enc: Buffer | null }>(
      'SELECT kind, channel, evidence_enc FROM consent_records WHERE inquiry_id = $1 ORDER BY kind',
      [inquiryId],
    );
    assert.deepEqual(
      consents.rows.map((r) => [r.kind, r.channel, r.evidence_enc !== null]),
      [
        ['marketing', 'phone', true],
        ['processing', 'phone', true],
      ],
    );
  });
});
