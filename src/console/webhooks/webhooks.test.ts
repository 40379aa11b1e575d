import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const ADMIN = 'admin@hooks.example';
const AGENT = 'agent@hooks.example';
const OTHER = 'other-admin@hooks.example';
const HOSTILE = '<img src=x onerror=alert(1)>CRM';

describe('console: webhooks', () => {
  let c: ConsoleEnv;
  let db: pg.Client;
  let operatorId: string;
  let otherOperatorId: string;
  let adminId: string;
  let admin: Browser;
  let agent: Browser;
  let other: Browser;
  let url: string;
  let endpointId: string;
  let deliveryId: string;

  before(async () => {
    c = await createConsoleEnv();
    db = await c.env.admin();
    operatorId = await c.createOperator({ slug: 'hooks-clinic', name: 'Клиника «Вебхук»' });
    otherOperatorId = await c.createOperator({ slug: 'hooks-other' });
    adminId = await c.createStaff({ email: ADMIN, roles: [{ operatorId, role: 'administrator' }] });
    await c.createStaff({ email: AGENT, roles: [{ operatorId, role: 'agent' }] });
    await c.createStaff({ email: OTHER, roles: [{ operatorId: otherOperatorId, role: 'administrator' }] });
    admin = c.browser();
    assert.equal((await admin.login(ADMIN)).statusCode, 303);
    agent = c.browser({ ip: '127.0.0.2' });
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    other = c.browser({ ip: '127.0.0.3' });
    assert.equal((await other.login(OTHER)).statusCode, 303);
    url = `/console/operators/${operatorId}/webhooks`;
  });
  after(() => c.close());

  it('lists the organisations whose webhooks the reader manages', async () => {
    const page = await admin.get('/console/webhooks');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`href="${url}"`));
    assert.match(page.body, /href="\/console\/webhooks"\s+aria-current="page"/);
    const forAgent = await agent.get('/console/webhooks');
    assert.equal(forAgent.statusCode, 200);
    assert.ok(!forAgent.body.includes(url));
  });

  it('is refused to staff without operator.manage at the operator; forms need the CSRF token', async () => {
    assert.equal((await agent.get(url)).statusCode, 403);
    assert.equal((await other.get(url)).statusCode, 403);
    const agentCsrf = csrfOf((await agent.get('/console/webhooks')).body);
    const byAgent = await agent.post(url, {
      _csrf: agentCsrf,
      url: 'https://crm.example/x',
      events: 'inquiry.created',
    });
    assert.equal(byAgent.statusCode, 403);
    const noToken = await admin.post(url, { url: 'https://crm.example/x', events: 'inquiry.created' });
    assert.equal(noToken.statusCode, 403);
    const { rows } = await db.query('SELECT id FROM webhook_endpoints');
    assert.equal(rows.length, 0);
  });

  it('refuses a bad form on the page, with the typed values escaped and a message per field', async () => {
    const res = await admin.submit(url, url, { url: 'http://crm.example/"><b>x', description: HOSTILE });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Адрес не добавлен: проверьте поля/);
    assert.match(res.body, /id="webhook-url-error"/);
    assert.match(res.body, /id="webhook-events-error"/);
    assert.ok(res.body.includes('value="http://crm.example/&quot;&gt;&lt;b&gt;x"'));
    assert.ok(!res.body.includes('<b>x'));
    assert.ok(res.body.includes('&lt;img src=x onerror=alert(1)&gt;CRM'));
    const unknown = await admin.submit(url, url, {
      url: 'https://crm.example/a',
      events: 'inquiry.created',
      x: '1',
    });
    assert.equal(unknown.statusCode, 400);
    const { rows } = await db.query('SELECT id FROM webhook_endpoints');
    assert.equal(rows.length, 0, 'nothing stored');
  });

  it('adds an endpoint, shows its secret once, and audits it', async () => {
    const res = await admin.submit(url, url, {
      url: 'https://crm.example/hooks',
      description: HOSTILE,
      events: 'inquiry.status_changed',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const secret = /id="webhook-secret">(whsec_[A-Za-z0-9_-]{43})</.exec(res.body)?.[1];
    assert.ok(secret, 'the secret is on the page');
    const { rows } = await db.query<{ id: string; events: string[]; description: string }>(
      'SELECT id, events, description FROM webhook_endpoints WHERE operator_id = $1',
      [operatorId],
    );
    assert.equal(rows.length, 1);
    endpointId = rows[0]!.id;
    assert.deepEqual(rows[0]!.events, ['inquiry.status_changed']);
    const list = await admin.get(url);
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(secret), 'never shown again');
    assert.ok(list.body.includes('https://crm.example/hooks'));
    assert.ok(list.body.includes('&lt;img src=x onerror=alert(1)&gt;CRM'));
    assert.ok(!list.body.includes('<img src=x'));
    const audit = await c.audit({ action: 'webhook_endpoint.create', objectId: endpointId });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, adminId);
  });

  it('shows the delivery log and one delivery’s attempts; retries a failed one', async () => {
    deliveryId = randomUUID();
    await db.query(
      `INSERT INTO webhook_deliveries (id, operator_id, endpoint_id, event_id, event_type, inquiry_id, body, state,
         attempts, max_attempts, next_attempt_at, last_status, last_error, created_at, finished_at)
       VALUES ($1, $2, $3, gen_random_uuid(), 'inquiry.status_changed', gen_random_uuid(), '{}', 'failed', 2, 2,
         now(), NULL, 'timeout', now(), now())`,
      [deliveryId, operatorId, endpointId],
    );
    await db.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, operator_id, at, status_code, error, duration_ms)
       VALUES ($1, 1, $2, now(), 500, 'http_500', 120), ($1, 2, $2, now(), NULL, 'timeout', 5000)`,
      [deliveryId, operatorId],
    );
    const list = await admin.get(url);
    assert.match(list.body, new RegExp(`data-delivery="${deliveryId}"\\s+data-state="failed"`));
    assert.match(list.body, /нет ответа за 5 с/);
    const byEndpoint = await admin.get(`${url}?endpoint=${endpointId}`);
    assert.equal(byEndpoint.statusCode, 200);
    assert.ok(byEndpoint.body.includes(deliveryId));

    const page = `${url}/deliveries/${deliveryId}`;
    const detail = await admin.get(page);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /HTTP 500/);
    assert.match(detail.body, /5000 мс/);
    assert.match(detail.body, /Не доставлено/);

    // Another operator's administrator, through their own operator's URL: not found.
    const otherCsrf = csrfOf((await other.get(`/console/operators/${otherOperatorId}/webhooks`)).body);
    const foreign = await other.post(
      `/console/operators/${otherOperatorId}/webhooks/deliveries/${deliveryId}/retry`,
      {
        _csrf: otherCsrf,
      },
    );
    assert.equal(foreign.statusCode, 404);
    assert.equal(
      (await other.get(`/console/operators/${otherOperatorId}/webhooks/deliveries/${deliveryId}`)).statusCode,
      404,
    );

    const retried = await admin.submit(page, `${page}/retry`, {});
    assert.equal(retried.statusCode, 303);
    assert.equal(retried.headers.location, `${page}?m=retried`);
    const after = await admin.get(`${page}?m=retried`);
    assert.match(after.body, /Доставка поставлена в очередь/);
    assert.match(after.body, /В очереди/);
    const { rows } = await db.query<{ state: string; max_attempts: number }>(
      'SELECT state, max_attempts FROM webhook_deliveries WHERE id = $1',
      [deliveryId],
    );
    assert.deepEqual(rows[0], { state: 'pending', max_attempts: 3 });
    assert.equal((await c.audit({ action: 'webhook_delivery.retry', objectId: deliveryId })).length, 1);
  });

  it('disables an endpoint: its queued delivery is cancelled and can no longer be retried', async () => {
    const res = await admin.submit(url, `${url}/${endpointId}/disable`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${url}?m=disabled`);
    const page = await admin.get(`${url}?m=disabled`);
    assert.match(page.body, /Адрес отключён/);
    assert.match(page.body, new RegExp(`data-endpoint="${endpointId}"\\s+data-state="disabled"`));
    assert.equal((await c.audit({ action: 'webhook_endpoint.disable', objectId: endpointId })).length, 1);
    const detail = `${url}/deliveries/${deliveryId}`;
    const csrf = csrfOf((await admin.get(url)).body);
    const again = await admin.post(`${detail}/retry`, { _csrf: csrf });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /нельзя повторить/);
  });

  it('answers in English for an English reader', async () => {
    const en = c.browser({ ip: '127.0.0.4' });
    en.cookies.set('sg_lang', 'en');
    assert.equal((await en.login(ADMIN)).statusCode, 303);
    const csrf = csrfOf((await en.get(url)).body);
    await en.post('/console/lang', { _csrf: csrf, lang: 'en', back: url });
    const page = await en.get(url);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /Webhooks: /);
    assert.match(page.body, /Latest deliveries/);
  });
});
