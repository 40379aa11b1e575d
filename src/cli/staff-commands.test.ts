import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { staffAdd, staffList } from './staff-commands.ts';

function run(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/soglasie.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe('soglasie staff', () => {
  let env: TestEnv;
  let operatorId: string;

  before(async () => {
    env = await createTestEnv();
    operatorId = randomUUID();
    await (
      await env.admin()
    ).query(
      `INSERT INTO operators (id, slug, name, inn, ogrn, postal_address, responsible_person, requests_email,
         requests_postal_address, created_at, updated_at)
       VALUES ($1, 'lux-demo', 'Люкс', '7701234567', '1027700000001', 'a', 'b', 'c@d.example', 'e', now(), now())`,
      [operatorId],
    );
  });
  after(() => env.close());

  it('adds an account with a generated password shown once, and lists it', async () => {
    let out = '';
    const io = { out: (t: string) => (out += t), readStdin: () => Promise.reject(new Error('not used')) };
    const id = await staffAdd(
      env.ctx,
      { email: 'Head@Lux.example', name: 'Анна Петрова', operator: ['lux-demo'], role: ['administrator'] },
      io,
    );
    const password = /Password, shown only now: (\S+)/.exec(out)?.[1];
    assert.ok(password);
    const login = await env.ctx.services.staffAuth.login({
      email: 'head@lux.example',
      password,
      ip: '127.0.0.1',
    });
    assert.equal(login.kind, 'ok');

    await assert.rejects(
      staffAdd(env.ctx, { email: 'x@lux.example', name: 'X', operator: ['lux-demo'], role: [] }, io),
      /one --role for each --operator/,
    );
    await assert.rejects(
      staffAdd(env.ctx, { email: 'x@lux.example', name: 'X', operator: ['lux-demo'], role: ['boss'] }, io),
      /Unknown role "boss"/,
    );
    await assert.rejects(
      staffAdd(env.ctx, { email: 'x@lux.example', name: 'X', operator: ['nope'], role: ['agent'] }, io),
      /Operator not found/,
    );

    let listed = '';
    await staffList(env.ctx, { out: (t) => (listed += t) });
    assert.match(
      listed,
      new RegExp(`^Head@Lux\\.example\\tАнна Петрова\\t-\\tlux-demo:administrator\\t${id}$`, 'm'),
    );
    const { rows } = await (
      await env.admin()
    ).query(
      "SELECT 1 FROM audit_log WHERE action = 'staff.create' AND actor_type = 'job' AND actor_id = 'cli'",
    );
    assert.equal(rows.length, 1);
  });

  it('works end to end from the command line, with --help and --password-stdin', async () => {
    const mk = env.config.masterKey;
    assert.equal(mk.source, 'env');
    const cliEnv = {
      DATABASE_URL: env.adminUrls.data,
      SOGLASIE_KEYRING_URL: env.adminUrls.keyring,
      SOGLASIE_MASTER_KEY: mk.source === 'env' ? mk.value : '',
      SOGLASIE_LOG_LEVEL: 'warn',
    };
    const help = await run(['staff', 'add', '--help'], cliEnv);
    assert.equal(help.code, 0);
    assert.match(help.out, /--password-stdin/);
    assert.match(help.out, /--installation-admin/);

    const res = await run(
      [
        'staff',
        'add',
        '--email',
        'root@lux.example',
        '--name',
        'Root',
        '--installation-admin',
        '--password-stdin',
      ],
      cliEnv,
      'пароль-из-стандартного-ввода\n',
    );
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, /^Created staff account [0-9a-f-]{36} \(root@lux\.example\)\.$/m);
    assert.doesNotMatch(res.out, /Password/);
    const login = await env.ctx.services.staffAuth.login({
      email: 'root@lux.example',
      password: 'пароль-из-стандартного-ввода',
      ip: '127.0.0.1',
    });
    assert.equal(login.kind, 'ok');

    const dup = await run(
      ['staff', 'add', '--email', 'ROOT@lux.example', '--name', 'Again', '--installation-admin'],
      cliEnv,
    );
    assert.equal(dup.code, 1);
    assert.match(dup.err, /already exists/);
    assert.doesNotMatch(dup.err, /root@/i);
  });
});
