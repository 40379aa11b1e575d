import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { outboundGuard } from '../../platform/http/outbound-guard.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { staffPrincipal } from '../inquiries/intake.testing.ts';
import { insertOperator } from '../outbox/outbox.testing.ts';
import { systemPrincipal, type Principal } from '../staff/index.ts';
import { DEFAULT_API_BASE_URL } from './channels.schemas.ts';
import { ChannelConnectionsService } from './connections.service.ts';

const BOT_TOKEN = `987654321:${'Zz9_-'.repeat(7)}`;

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return e instanceof AppError && e.code === code;
  });
  return caught as AppError;
}

describe('ChannelConnectionsService', () => {
  let env: TestEnv;
  let admin: pg.Client;
  let channels: ChannelConnectionsService;
  let opA: string;
  let opB: string;
  let adminA: Principal;
  let agentA: Principal;
  let adminB: Principal;

  const audit = async (action: string) =>
    (
      await admin.query<{ object_id: string; operator_id: string; actor_id: string }>(
        'SELECT object_id, operator_id, actor_id FROM audit_log WHERE action = $1 ORDER BY id',
        [action],
      )
    ).rows;

  before(async () => {
    env = await createTestEnv();
    admin = await env.admin();
    channels = env.ctx.services.channels;
    opA = await insertOperator(env, 'conn-a');
    opB = await insertOperator(env, 'conn-b');
    adminA = staffPrincipal('00000000-0000-4000-8000-00000000000a', { [opA]: ['administrator'] });
    agentA = staffPrincipal('00000000-0000-4000-8000-00000000000b', { [opA]: ['agent', 'privacy_officer'] });
    adminB = staffPrincipal('00000000-0000-4000-8000-00000000000c', { [opB]: ['administrator'] });
  });
  after(() => env.close());

  it('connects each provider with a random webhook path, generated secrets shown once, audited', async () => {
    const tg = await channels.connect(adminA, opA, { provider: 'telegram', botToken: ` ${BOT_TOKEN} ` });
    const url = new URL(tg.connection.webhookUrl);
    assert.equal(url.origin, env.config.publicUrl);
    assert.match(url.pathname, /^\/hooks\/telegram\/[A-Za-z0-9_-]{32}$/);
    assert.equal(tg.secrets.length, 1);
    assert.equal(tg.secrets[0]!.name, 'webhookSecret');
    assert.match(tg.secrets[0]!.value, /^[A-Za-z0-9_-]{43}$/, "fits Telegram's secret_token alphabet");

    const sms = await channels.connect(adminA, opA, {
      provider: 'sms_ru',
      apiId: 'C0FFEE00-1234',
      from: 'Clinic',
      apiBaseUrl: 'http://127.0.0.1:9/',
    });
    assert.match(new URL(sms.connection.webhookUrl).pathname, /^\/hooks\/sms\//);
    const wa = await channels.connect(adminA, opA, {
      provider: 'whatsapp',
      accessToken: 'EAAG-access-token',
      phoneNumberId: '106540352242922',
      appSecret: 'meta-app-secret',
    });
    const tel = await channels.connect(adminA, opA, { provider: 'telephony' });
    const max = await channels.connect(adminA, opA, { provider: 'max', botToken: 'max-bot-token' });
    assert.notEqual(tg.connection.webhookUrl, max.connection.webhookUrl);

    // The senders' view (contract 5), with the providers' public APIs by default.
    assert.deepEqual(await channels.credentials(opA, 'telegram'), {
      botToken: BOT_TOKEN,
      webhookSecret: tg.secrets[0]!.value,
      apiBaseUrl: DEFAULT_API_BASE_URL.telegram,
    });
    assert.deepEqual(await channels.credentials(opA, 'sms_ru'), {
      apiId: 'C0FFEE00-1234',
      from: 'Clinic',
      apiBaseUrl: 'http://127.0.0.1:9',
      webhookSecret: sms.secrets[0]!.value,
    });
    assert.deepEqual(await channels.credentials(opA, 'whatsapp'), {
      accessToken: 'EAAG-access-token',
      phoneNumberId: '106540352242922',
      appSecret: 'meta-app-secret',
      verifyToken: wa.secrets[0]!.value,
      apiBaseUrl: DEFAULT_API_BASE_URL.whatsapp,
    });
    assert.deepEqual(await channels.credentials(opA, 'telephony'), { secret: tel.secrets[0]!.value });
    assert.equal((await channels.credentials(opA, 'max'))?.webhookSecret, max.secrets[0]!.value);
    assert.equal(await channels.credentials(opB, 'telegram'), null);

    const entries = await audit('channel.connect');
    assert.equal(entries.length, 5);
    assert.ok(
      entries.every((e) => e.operator_id === opA && e.actor_id === '00000000-0000-4000-8000-00000000000a'),
    );
  });

  it('keeps credentials sealed: not in the table, not in lists', async () => {
    const raw = await admin.query<{ credentials_enc: Buffer }>(
      'SELECT credentials_enc FROM channel_connections',
    );
    for (const r of raw.rows) assert.ok(!r.credentials_enc.toString('latin1').includes('Zz9_-'));
    const list = await channels.list(adminA, opA);
    assert.equal(list.length, 5);
    const text = JSON.stringify(list);
    for (const needle of ['Zz9_-', 'meta-app-secret', 'EAAG', 'C0FFEE00', 'max-bot-token']) {
      assert.ok(!text.includes(needle), `the list shows ${needle}`);
    }
    const tgSecret = (await channels.credentials(opA, 'telegram'))!.webhookSecret;
    assert.ok(!text.includes(tgSecret));
    // A blob copied to another row does not open there (the AAD names the connection).
    await admin.query(
      `UPDATE channel_connections SET credentials_enc = (SELECT credentials_enc FROM channel_connections
         WHERE provider = 'telegram' AND operator_id = $1) WHERE provider = 'max' AND operator_id = $1`,
      [opA],
    );
    await assert.rejects(channels.credentials(opA, 'max'), { name: 'DecryptError' });
  });

  it('refuses a second connection of a provider, bad input, and anyone without operator.manage', async () => {
    const count = async () =>
      Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM channel_connections')).rows[0]!.n);
    const before = await count();
    await rejectsWith(
      channels.connect(adminA, opA, { provider: 'telegram', botToken: BOT_TOKEN }),
      ErrorCode.Conflict,
    );
    const bad = await rejectsWith(
      channels.connect(adminA, opA, {
        provider: 'whatsapp',
        accessToken: 'short',
        phoneNumberId: '12ab',
        appSecret: 'x',
      } as never),
      ErrorCode.ValidationFailed,
    );
    assert.deepEqual(bad.details?.fields?.map((f) => f.path).sort(), [
      'accessToken',
      'appSecret',
      'phoneNumberId',
    ]);
    // The messages name the field, never repeat the value.
    assert.ok(!JSON.stringify(bad.details).includes('12ab'));
    await rejectsWith(
      channels.connect(adminB, opB, { provider: 'telegram', botToken: 'not-a-bot-token' }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      channels.connect(adminB, opB, { provider: 'max', botToken: 'max-bot-token', apiBaseUrl: 'ftp://x' }),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(
      channels.connect(adminB, opB, { provider: 'viber' } as never),
      ErrorCode.ValidationFailed,
    );
    await rejectsWith(channels.connect(agentA, opA, { provider: 'telephony' }), ErrorCode.Forbidden);
    await rejectsWith(channels.connect(adminB, opA, { provider: 'telephony' }), ErrorCode.Forbidden);
    await rejectsWith(channels.list(agentA, opA), ErrorCode.Forbidden);
    await rejectsWith(channels.list(adminB, opA), ErrorCode.Forbidden);
    assert.equal(await count(), before);
  });

  it('disables a connection for good: credentials null, resolve undefined, audited; another operator’s is NotFound', async () => {
    const tel = (await channels.list(adminA, opA)).find((c) => c.provider === 'telephony')!;
    const token = tel.webhookUrl.split('/').pop()!;
    assert.ok(await channels.resolve('telephony', token));
    assert.equal(await channels.resolve('telegram', token), undefined, "another provider's path");
    await rejectsWith(channels.disable(adminB, opB, tel.id), ErrorCode.NotFound);
    await rejectsWith(channels.disable(agentA, opA, tel.id), ErrorCode.Forbidden);
    assert.deepEqual(await channels.disable(adminA, opA, tel.id), { changed: true });
    assert.deepEqual(await channels.disable(adminA, opA, tel.id), { changed: false });
    assert.equal(await channels.credentials(opA, 'telephony'), null);
    assert.equal(await channels.resolve('telephony', token), undefined);
    const listed = (await channels.list(adminA, opA)).find((c) => c.id === tel.id)!;
    assert.equal(listed.disabledAt, env.clock.now().toISOString());
    assert.deepEqual(
      (await audit('channel.disable')).map((e) => e.object_id),
      [tel.id],
    );
    // Connected again: a new path, the old one stays dead.
    const again = await channels.connect(systemPrincipal('test'), opA, { provider: 'telephony' });
    assert.notEqual(again.connection.webhookUrl, tel.webhookUrl);
    assert.equal(await channels.resolve('telephony', token), undefined);
  });

  it('refuses in production an API base address on this machine or a private network, save named exceptions', async () => {
    const opC = await insertOperator(env, 'conn-prod');
    const adminC = staffPrincipal('00000000-0000-4000-8000-00000000000d', { [opC]: ['administrator'] });
    const production = new ChannelConnectionsService({
      db: env.ctx.db,
      keyring: env.ctx.services.keyring,
      audit: env.ctx.services.audit,
      clock: env.clock,
      ids: env.ctx.ids,
      publicUrl: env.config.publicUrl,
      guard: outboundGuard({ refuse: true, allow: ['10.20.0.0/16'] }),
    });
    const before = (await admin.query('SELECT id FROM channel_connections')).rowCount;
    for (const apiBaseUrl of [
      'http://127.0.0.1:9',
      'http://localhost:8080',
      'https://10.0.0.5',
      'https://192.168.1.1/api',
      'https://169.254.169.254',
      'https://[::1]',
      'https://[fd00::5]',
    ]) {
      const e = await rejectsWith(
        production.connect(adminC, opC, { provider: 'max', botToken: 'max-bot-token', apiBaseUrl }),
        ErrorCode.ValidationFailed,
      );
      assert.deepEqual(
        e.details?.fields?.map((f) => f.path),
        ['apiBaseUrl'],
        apiBaseUrl,
      );
    }
    assert.equal(
      (await admin.query('SELECT id FROM channel_connections')).rowCount,
      before,
      'nothing written',
    );
    const ok = await production.connect(adminC, opC, {
      provider: 'max',
      botToken: 'max-bot-token',
      apiBaseUrl: 'https://10.20.1.2/max',
    });
    assert.equal(ok.connection.provider, 'max');
  });
});
