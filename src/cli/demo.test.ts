import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { Browser } from '../console/shared/console.testing.ts';
import { renderHtmlError } from '../console/index.ts';
import { putInForceWithoutEnglish } from '../modules/policy/policy.testing.ts';
import { DEMO_STAFF_EMAIL, demoPasswordFile, describeDemoLogin, loadDemo } from './demo.ts';
import { SURFACES } from '../composition/surfaces.ts';

describe('the demo clinic', () => {
  let env: TestEnv;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-demo-'));
    env = await createTestEnv({ env: { SOGLASIE_DATA_DIR: dir } });
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads once, prints the generated password only then, and says where it is kept', async () => {
    const first = await loadDemo(env.ctx);
    assert.equal(first.login.email, DEMO_STAFF_EMAIL);
    const password = first.login.password!;
    assert.ok(password.length >= 20);
    const file = demoPasswordFile(env.ctx);
    assert.equal(file, path.join(dir, 'demo-login.txt'));
    assert.equal(readFileSync(file, 'utf8').trim(), password);
    assert.equal(statSync(file).mode & 0o077, 0, 'the password file is private to its owner');
    const firstText = describeDemoLogin('http://localhost:3000', first);
    assert.match(firstText, /console\/login[\s\S]*admin@lux-demo\.example/);
    assert.ok(firstText.includes(password), 'printed when created');
    assert.ok(firstText.includes(file), 'with where it is kept');

    const second = await loadDemo(env.ctx);
    assert.equal(second.operatorId, first.operatorId);
    assert.equal(second.login.password, undefined);
    const secondText = describeDemoLogin('http://localhost:3000', second);
    assert.equal(secondText.includes(password), false, 'not printed on later starts');
    assert.ok(secondText.includes(file), 'only where it is kept');
    assert.match(secondText, /admin@lux-demo\.example/);
    const { rows } = await env.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM operators');
    assert.equal(rows[0]!.n, '1');
  });

  it('adds the English documents to a demo published before they existed', async () => {
    const { operatorId } = await loadDemo(env.ctx);
    const version = await putInForceWithoutEnglish(
      await env.admin(),
      operatorId,
      env.clock.now(),
      '5f0c1e9a-0000-4000-8000-0000000000bb',
    );
    env.clock.advance(1000);
    assert.equal((await env.ctx.services.policy.current(operatorId))?.documentsEn, undefined);
    await loadDemo(env.ctx);
    const now = await env.ctx.services.policy.current(operatorId);
    assert.equal(now?.declarationVersion, version + 2);
    assert.ok(now?.documentsEn?.privacy_policy.url.startsWith('/en/'));
  });

  it('signs in with the printed login and shows the demo clinic with every role', async () => {
    const demo = await loadDemo(env.ctx);
    const app = await env.app({ surfaces: SURFACES, renderHtmlError });
    const browser = new Browser(app, '127.0.0.1');
    const res = await browser.login(demo.login.email, readFileSync(demo.passwordFile, 'utf8').trim());
    assert.equal(res.statusCode, 303);
    const home = await browser.get('/console');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Люкс-Демо/);
    for (const role of [
      'Сотрудник контакт-центра',
      'Модератор',
      'Ответственный за обработку',
      'Администратор',
    ]) {
      assert.ok(home.body.includes(role), `role ${role} shown`);
    }
  });

  it('is refused in production mode', async () => {
    const prod = { ...env.ctx, config: { ...env.ctx.config, mode: 'production' as const } };
    await assert.rejects(loadDemo(prod), /local mode only/);
  });
});
