import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { declarationToYaml, DEMO_DECLARATION, Declaration } from '../../modules/policy/index.ts';
import { createConsoleEnv, csrfOf, type Browser, type ConsoleEnv } from '../shared/console.testing.ts';

const OFFICER = 'officer@policy.example';
const AGENT = 'agent@policy.example';

describe('console: the policy page', () => {
  let c: ConsoleEnv;
  let operatorId: string;
  let officer: Browser;
  let url: string;
  const demoYaml = declarationToYaml(Declaration.parse(DEMO_DECLARATION));

  before(async () => {
    c = await createConsoleEnv();
    operatorId = await c.createOperator({ slug: 'policy-clinic' });
    await (
      await c.env.admin()
    ).query(
      "INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES (gen_random_uuid(), $1, 'clinic.example', 'Клиника', now())",
      [operatorId],
    );
    await c.createStaff({ email: OFFICER, roles: [{ operatorId, role: 'privacy_officer' }] });
    await c.createStaff({ email: AGENT, roles: [{ operatorId, role: 'agent' }] });
    officer = c.browser();
    assert.equal((await officer.login(OFFICER)).statusCode, 303);
    url = `/console/operators/${operatorId}/policy`;
  });
  after(() => c.close());

  it('is refused to staff without policy.manage, and its forms need the CSRF token', async () => {
    const agent = c.browser({ ip: '127.0.0.2' });
    assert.equal((await agent.login(AGENT)).statusCode, 303);
    assert.equal((await agent.get(url)).statusCode, 403);
    assert.equal((await agent.get(`${url}/export`)).statusCode, 403);
    const csrf = csrfOf((await agent.get('/console')).body);
    assert.equal((await agent.post(url, { _csrf: csrf, yaml: demoYaml })).statusCode, 403);
    assert.equal((await officer.post(url, { _csrf: 'forged', yaml: demoYaml })).statusCode, 403);
    assert.equal((await officer.post(`${url}/publish`, { _csrf: 'forged' })).statusCode, 403);
    const anonymous = await c.browser({ ip: '127.0.0.3' }).get(url);
    assert.equal(anonymous.statusCode, 303);
  });

  it('shows a template before anything is saved; a bad YAML comes back with errors and the typed text', async () => {
    const page = await officer.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<textarea[^>]*name="yaml"[^>]*>\nversion: 1\n/);
    assert.match(page.body, /Политика ещё не публиковалась/);

    const typed = 'version: 1\npurposes:\n  - id: "<b>Bad</b>"\n';
    const res = await officer.submit(url, url, { yaml: typed });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Черновик не сохранён/);
    assert.match(res.body, /purposes\.0\.id/);
    assert.ok(res.body.includes('id: &quot;&lt;b&gt;Bad&lt;/b&gt;&quot;'), 'typed text kept, escaped');
    assert.doesNotMatch(res.body, /<b>Bad/);

    const syntax = await officer.submit(url, url, { yaml: 'version: [1\n' });
    assert.equal(syntax.statusCode, 400);
    assert.match(syntax.body, /строка \d+, столбец \d+/);
  });

  it('saves the draft, lists lint findings, and refuses to publish with errors', async () => {
    const broken = declarationToYaml(
      Declaration.parse({ ...DEMO_DECLARATION, requests: { withdrawalMethods: [] } }),
    );
    const saved = await officer.submit(url, url, { yaml: broken });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `${url}?m=saved`);
    const page = await officer.get(`${url}?m=saved`);
    assert.match(page.body, /Черновик сохранён\./);
    assert.match(page.body, /data-code="requests.withdrawal"/);

    const refused = await officer.submit(url, `${url}/publish`, {});
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Публикация отклонена/);
    assert.match(refused.body, /requests\.withdrawalMethods/);
    assert.equal((await c.audit({ action: 'policy.publish' })).length, 0);
  });

  it('publishes, lists the versions with public links, diffs a change, and exports the YAML', async () => {
    assert.equal((await officer.submit(url, url, { yaml: demoYaml })).statusCode, 303);
    const page = await officer.get(url);
    assert.match(page.body, /Ошибок и предупреждений нет/);
    const published = await officer.submit(url, `${url}/publish`, {});
    assert.equal(published.statusCode, 303);
    assert.equal(published.headers.location, `${url}?m=published`);

    const again = await officer.submit(url, `${url}/publish`, {});
    assert.equal(again.headers.location, `${url}?m=unchanged`);

    const changed = demoYaml.replace('months: 24', 'months: 18');
    assert.notEqual(changed, demoYaml);
    assert.equal((await officer.submit(url, url, { yaml: changed })).statusCode, 303);
    assert.equal((await officer.submit(url, `${url}/publish`, {})).statusCode, 303);

    const list = await officer.get(url);
    assert.match(list.body, /Публикация 2/);
    assert.ok(list.body.includes('href="http://clinic.example/privacy/versions/2"'));
    assert.ok(list.body.includes('href="http://clinic.example/documents/cookie-notice/versions/1"'));
    assert.ok(list.body.includes(`href="${url}/diff?kind=privacy_policy&amp;from=1&amp;to=2"`));

    const diff = await officer.get(`${url}/diff?kind=privacy_policy&from=1&to=2`);
    assert.equal(diff.statusCode, 200);
    assert.match(diff.body, /<del>[^<]*24 месяца/);
    assert.match(diff.body, /<ins>[^<]*18 месяцев/);
    assert.equal((await officer.get(`${url}/diff?kind=privacy_policy&from=1&to=7`)).statusCode, 404);
    assert.equal((await officer.get(`${url}/diff?kind=bogus&from=1&to=2`)).statusCode, 400);

    const exported = await officer.get(`${url}/export`);
    assert.equal(exported.statusCode, 200);
    assert.match(
      String(exported.headers['content-disposition']),
      /attachment; filename="policy-policy-clinic\.yaml"/,
    );
    assert.equal(exported.body, changed);
    assert.equal((await c.audit({ action: 'policy.publish' })).length, 2);
  });

  it('is linked from the operator page', async () => {
    const page = await officer.get(`/console/operators/${operatorId}`);
    assert.ok(page.body.includes(`href="${url}" id="policy-link"`));
  });
});
