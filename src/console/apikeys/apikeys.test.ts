import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const ADMIN = 'admin@keys.example';
const AGENT = 'agent@keys.example';
const OTHER = 'other-admin@keys.example';
const HOSTILE = '<img src=x onerror=alert(1)>CRM';

describe('console: API keys', () => {
  let c: ConsoleEnv;
  let db: pg.Client;
  let operatorId: string;
  let otherOperatorId: string;
  let admin: Browser;
  let agent: Browser;
  let other: Browser;
  let url: string;
  let key: string;
  let keyId: string;

  const keyRows = async () => (await db.query<{ id: string }>('SELECT id FROM api_keys')).rows;

  before(async () => {
    c = await createConsoleEnv();
    db = await c.env.admin();
    operatorId = await c.createOperator({ slug: 'keys-clinic', name: 'Клиника «Ключ»' });
    otherOperatorId = await c.createOperator({ slug: 'keys-other' });
    await c.createStaff({ email: ADMIN, roles: [{ operatorId, role: 'administrator' }] });
    await c.createStaff({ email: AGENT, roles: [{ operatorId, role: 'agent' }] });
    await c.createStaff({ email: OTHER, roles: [{ operatorId: otherOperatorId, role: 'administrator' }] });
    admin = c.browser();
    assert.equal((await admin.login(ADMIN)).statusCode, 303);
    agent = c.browser({ ip: '127.0.0.2' });
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    other = c.browser({ ip: '127.0.0.3' });
    assert.equal((await other.login(OTHER)).statusCode, 303);
    url = `/console/operators/${operatorId}/api-keys`;
  });
  after(() => c.close());

  it('lists the organisations whose keys the reader manages, in the navigation', async () => {
    const page = await admin.get('/console/api-keys');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`href="${url}"`));
    assert.match(page.body, /href="\/console\/api-keys"\s+aria-current="page"/);
    const forAgent = await agent.get('/console/api-keys');
    assert.equal(forAgent.statusCode, 200);
    assert.ok(!forAgent.body.includes(url));
  });

  it('is refused to staff without operator.manage at the operator; forms need the CSRF token', async () => {
    assert.equal((await agent.get(url)).statusCode, 403);
    assert.equal((await other.get(url)).statusCode, 403);
    const agentCsrf = csrfOf((await agent.get('/console/api-keys')).body);
    const byAgent = await agent.post(url, { _csrf: agentCsrf, name: 'CRM', scopes: 'inquiries:write' });
    assert.equal(byAgent.statusCode, 403);
    const noToken = await admin.post(url, { name: 'CRM', scopes: 'inquiries:write' });
    assert.equal(noToken.statusCode, 403);
    assert.deepEqual(await keyRows(), []);
  });

  it('offers the default right ticked, and refuses a bad form on the page with the typed name escaped', async () => {
    const page = await admin.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Ключей пока нет/);
    assert.match(page.body, /id="apikey-scope-inquiries-write"[^>]*checked/);
    assert.doesNotMatch(page.body, /id="apikey-scope-subjects-read"[^>]*checked/);

    const empty = await admin.submit(url, url, { name: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Ключ не выдан: проверьте поля/);
    assert.match(empty.body, /id="apikey-name-error"/);
    assert.match(empty.body, /id="apikey-scopes-error"/);
    const unknown = await admin.submit(url, url, { name: HOSTILE, scopes: 'admin' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /id="apikey-scopes-error"/);
    assert.ok(unknown.body.includes('value="&lt;img src=x onerror=alert(1)&gt;CRM"'));
    assert.ok(!unknown.body.includes(HOSTILE));
    assert.deepEqual(await keyRows(), []);
  });

  it('creates a key shown once, audited; it works for the API', async () => {
    const res = await admin.submit(url, url, { name: HOSTILE, scopes: 'inquiries:read' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const m = /id="api-key">(sgl_[a-z0-9]{12}_[A-Za-z0-9_-]{43})</.exec(res.body);
    assert.ok(m, 'the key is on the page');
    key = m[1]!;
    assert.match(res.body, /показывается один раз/);
    assert.ok(res.body.includes('&lt;img src=x onerror=alert(1)&gt;CRM'));
    const rows = await keyRows();
    assert.equal(rows.length, 1);
    keyId = rows[0]!.id;
    const principal = await c.env.ctx.services.apiKeys.authenticate(key, '203.0.113.9');
    assert.ok(principal && principal.kind === 'api_key');
    assert.equal(principal.operatorId, operatorId);
    assert.deepEqual(principal.scopes, ['inquiries:read']);
    assert.equal((await c.audit({ action: 'api_key.create', objectId: keyId })).length, 1);
  });

  it('lists the key with its name, start, rights, state and last use, never the secret', async () => {
    const page = await admin.get(url);
    assert.equal(page.statusCode, 200);
    const row = new RegExp(`<tr data-key="${keyId}" data-state="active">([\\s\\S]*?)</tr>`).exec(page.body);
    assert.ok(row, 'the key has a row');
    const cells = row[1]!;
    assert.ok(cells.includes('&lt;img src=x onerror=alert(1)&gt;CRM'));
    assert.ok(cells.includes(`<code>${key.slice(0, 16)}_…</code>`));
    assert.match(cells, /<code>inquiries:read<\/code>/);
    assert.match(cells, /Действует с/);
    assert.doesNotMatch(cells, /не использовался/, 'it was used just now');
    assert.ok(!page.body.includes(key.slice(17)), 'the secret is never shown again');
  });

  it('revokes a key at once; another operator’s administrator cannot, even by its id', async () => {
    const otherUrl = `/console/operators/${otherOperatorId}/api-keys`;
    const byOther = await other.post(`${otherUrl}/${keyId}/revoke`, {
      _csrf: csrfOf((await other.get(otherUrl)).body),
    });
    assert.equal(byOther.statusCode, 404);
    const byAgent = await agent.post(`${url}/${keyId}/revoke`, {
      _csrf: csrfOf((await agent.get('/console/api-keys')).body),
    });
    assert.equal(byAgent.statusCode, 403);
    assert.ok(await c.env.ctx.services.apiKeys.authenticate(key, null), 'still valid');

    const res = await admin.submit(url, `${url}/${keyId}/revoke`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${url}?m=revoked`);
    assert.equal(await c.env.ctx.services.apiKeys.authenticate(key, null), undefined);
    const page = await admin.get(`${url}?m=revoked`);
    assert.match(page.body, /Ключ отозван/);
    assert.match(page.body, new RegExp(`data-key="${keyId}" data-state="revoked"`));
    assert.match(page.body, /Отозван /);
    assert.equal((await c.audit({ action: 'api_key.revoke', objectId: keyId })).length, 1);
  });
});
