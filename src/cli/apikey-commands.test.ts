import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { insertOperator } from '../modules/outbox/outbox.testing.ts';
import { Command } from 'commander';
import { apiKeyCreate, apiKeyList, apiKeyRevoke, registerApiKeyCommands } from './apikey-commands.ts';

const CLI_TEST = systemPrincipal('test');

describe('soglasie apikey create|list|revoke', () => {
  let env: TestEnv;
  let operatorId: string;
  before(async () => {
    env = await createTestEnv();
    operatorId = await insertOperator(env, 'cli-keys');
  });
  after(() => env.close());

  it('creates a key shown once, lists it without the secret, revokes it', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t) };
    const id = await apiKeyCreate(env.ctx, { operator: 'cli-keys', name: 'CRM', scope: [] }, io);
    const key = /Key, shown only now: (sgl_\S+)/.exec(out.join(''))![1]!;
    assert.ok(await env.ctx.services.apiKeys.authenticate(key, null));
    out.length = 0;
    await apiKeyList(env.ctx, {}, io);
    const listed = out.join('');
    assert.match(
      listed,
      new RegExp(`${id}\\tcli-keys\\tCRM\\tsgl_[a-z0-9]{12}_…\\tinquiries:write\\tactive`),
    );
    assert.ok(!listed.includes(key.slice(18)), 'the secret is never listed');
    await apiKeyRevoke(env.ctx, id, io);
    assert.equal(await env.ctx.services.apiKeys.authenticate(key, null), undefined);
    out.length = 0;
    await apiKeyList(env.ctx, { operator: operatorId }, io);
    assert.match(out.join(''), /REVOKED/);
    await assert.rejects(
      apiKeyCreate(env.ctx, { operator: 'cli-keys', name: 'x', scope: ['admin'] }, io),
      /Unknown scope/,
    );
  });

  it('states in `apikey create --help` the default scope a key really gets', async () => {
    const program = new Command('soglasie');
    registerApiKeyCommands(program);
    const create = program.commands
      .find((c) => c.name() === 'apikey')!
      .commands.find((c) => c.name() === 'create')!;
    const help = create.helpInformation().replace(/\s+/g, ' ');
    const out: string[] = [];
    const id = await apiKeyCreate(
      env.ctx,
      { operator: 'cli-keys', name: 'Default', scope: [] },
      {
        out: (t) => void out.push(t),
      },
    );
    const [key] = (await env.ctx.services.apiKeys.list(CLI_TEST, operatorId)).filter((k) => k.id === id);
    assert.deepEqual(key!.scopes, ['inquiries:write']);
    assert.match(help, /--scope <scope> .*\(default: inquiries:write\)/);
    assert.doesNotMatch(help, /default: \[\]/);
  });
});
