import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { loadDemo } from '../../cli/demo.ts';
import { systemPrincipal } from '../staff/index.ts';

describe('the demo declaration', () => {
  let env: TestEnv;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-policy-demo-'));
    env = await createTestEnv({ env: { SOGLASIE_DATA_DIR: dir } });
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lints clean against the demo card and is published once by loadDemo', async () => {
    const { operatorId } = await loadDemo(env.ctx);
    const policy = env.ctx.services.policy;
    const system = systemPrincipal('test');
    assert.deepEqual(await policy.lint(system, operatorId), []);
    const first = await policy.current(operatorId);
    assert.equal(first?.declarationVersion, 1);
    assert.deepEqual(
      first.declaration.forms.map((f) => f.id),
      ['callback', 'feedback', 'review', 'appointment', 'estimate'],
    );
    const { text } = await policy.renderDocument(operatorId, 'privacy_policy');
    assert.match(text, /Люкс-Демо/);
    assert.match(text, /24 месяца со дня получения согласия/);
    assert.match(text, /WhatsApp/);

    // A later start with an edited, republished policy keeps it.
    env.clock.advance(86_400_000);
    const draft = (await policy.getDraft(system, operatorId))!.declaration;
    await policy.saveDraft(system, operatorId, { ...draft, cookies: [] });
    await policy.publish(system, operatorId);
    await loadDemo(env.ctx);
    assert.equal((await policy.current(operatorId))?.declarationVersion, 2);
  });
});
