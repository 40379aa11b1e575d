import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { declarationToYaml, Declaration, DEMO_DECLARATION } from '../modules/policy/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';
import { policyExport, policyImport, policyLint, policyPublish } from './policy-commands.ts';

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/soglasie.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end();
    child.on('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe('soglasie policy', () => {
  let env: TestEnv;
  let dir: string;
  const yaml = declarationToYaml(Declaration.parse(DEMO_DECLARATION));

  before(async () => {
    env = await createTestEnv();
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-policy-cli-'));
    await env.ctx.services.operators.create(systemPrincipal('test'), {
      slug: 'cli-clinic',
      name: 'ООО «Клиника»',
      inn: '6234000127',
      ogrn: '1256200001232',
      postalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
      responsiblePerson: 'Ответственный',
      requestsEmail: 'pd@example.ru',
      requestsPostalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
    });
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports, lints, publishes and exports in process', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
    await assert.rejects(policyExport(env.ctx, 'cli-clinic', io), /no policy declaration/);
    const broken = yaml.replace(/withdrawalMethods:\n(\s+- \w+\n)+/, 'withdrawalMethods: []\n');
    assert.notEqual(broken, yaml);
    const issues = await policyImport(env.ctx, 'cli-clinic', broken, io);
    assert.ok(issues.some((i) => i.code === 'requests.withdrawal'));
    assert.match(err, /^error\trequests\.withdrawalMethods\trequests\.withdrawal\t/m);
    assert.equal(await policyLint(env.ctx, 'cli-clinic', io), true);
    await assert.rejects(policyPublish(env.ctx, 'cli-clinic', io), /errors/);

    await policyImport(env.ctx, 'cli-clinic', yaml, io);
    out = '';
    assert.equal(await policyLint(env.ctx, 'cli-clinic', io), false);
    assert.equal(out, 'No errors or warnings.\n');
    out = '';
    assert.equal(await policyPublish(env.ctx, 'cli-clinic', io), 1);
    assert.match(out, /^privacy_policy\tv1\t[0-9a-f]{64}\t\/privacy\/versions\/1$/m);
    out = '';
    await policyExport(env.ctx, 'cli-clinic', io);
    assert.equal(out, yaml);
  });

  it('runs as a command: import a file and publish; errors exit 1 naming the field', async () => {
    const cli = {
      DATABASE_URL: env.adminUrls.data,
      SOGLASIE_KEYRING_URL: env.adminUrls.keyring,
      SOGLASIE_DATA_DIR: dir,
    };
    const file = path.join(dir, 'policy.yaml');
    await writeFile(file, yaml.replace('months: 24', 'months: 12'));
    const imported = await run(['policy', 'import', '--operator', 'cli-clinic', file], cli);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /Draft saved/);
    const published = await run(['policy', 'publish', '--operator', 'cli-clinic'], cli);
    assert.equal(published.code, 0, published.err);
    assert.match(published.out, /Published: publication 2/);

    await writeFile(file, 'version: 1\nbogus: 1\n');
    const bad = await run(['policy', 'import', '--operator', 'cli-clinic', file], cli);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /bogus: Unknown field/);
  });
});
