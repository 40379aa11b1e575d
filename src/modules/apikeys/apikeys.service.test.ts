import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { insertOperatorWithSite } from '../inquiries/intake.testing.ts';
import { systemPrincipal } from '../staff/index.ts';

const CLI = systemPrincipal('test');

describe('API keys', () => {
  let env: TestEnv;
  let operatorId: string;

  before(async () => {
    env = await createTestEnv();
    operatorId = (await insertOperatorWithSite(env, 'keys')).operatorId;
  });
  after(() => env.close());

  it('authenticates a key, refuses a revoked one at once in this process', async () => {
    const keys = env.ctx.services.apiKeys;
    const { key, id } = await keys.create(CLI, operatorId, { name: 'crm' });
    const p = await keys.authenticate(key, '203.0.113.1');
    assert.equal(p?.kind === 'api_key' && p.keyId, id);
    assert.equal(
      await keys.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), null),
      undefined,
    );
    await keys.revoke(CLI, id);
    assert.equal(await keys.authenticate(key, null), undefined);
  });

  it('refuses a key revoked by another process once 5 s have passed since it was read', async () => {
    const keys = env.ctx.services.apiKeys;
    const { key, id } = await keys.create(CLI, operatorId, { name: 'site' });
    assert.ok(await keys.authenticate(key, null));
    const admin = await env.admin();
    await admin.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
    env.clock.advance(4999);
    assert.ok(await keys.authenticate(key, null), 'still remembered');
    env.clock.advance(1);
    assert.equal(await keys.authenticate(key, null), undefined);
  });
});
