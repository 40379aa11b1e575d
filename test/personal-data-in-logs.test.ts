/**
 * Personal data never reaches a log line, an error body or the audit log. The app is driven with
 * known personal data through every path of this foundation (sign-in, the operators API, query
 * strings, malformed and invalid bodies, an unexpected error whose message quotes personal data,
 * and the subjects service from create to destruction), with logging at its most verbose and
 * request logging on; then every captured line is searched for each value in each spelling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from './harness.ts';
import { assertNoPersonalDataInLogs } from './log-check.ts';
import { ErrorCode } from '../src/platform/errors.ts';
import { Browser, csrfOf } from '../src/console/shared/console.testing.ts';
import { renderHtmlError } from '../src/console/index.ts';
import { SURFACES } from '../src/composition/surfaces.ts';
import { ensureDemoOperator } from '../src/cli/demo-data.ts';
import { systemPrincipal } from '../src/modules/staff/index.ts';
import type { App } from '../src/app.ts';

const PATIENT = {
  name: 'Зинаида Утечкина-Проверкина',
  phone: '+7 (912) 555-44-33',
  email: 'Zinaida.Leak@Example.org',
};
const STAFF = { email: 'staff.leakcheck@clinic.example', password: 'пароль-утечка-2026-xyz' };
const SECRET_TEXT = 'жалуюсь на мигрень XYZZY-42';

/** Every spelling in which a value could leak. */
const NEEDLES = [
  PATIENT.name,
  'Утечкина',
  PATIENT.phone,
  '+79125554433',
  '9125554433',
  '555-44-33',
  PATIENT.email,
  PATIENT.email.toLowerCase(),
  encodeURIComponent(PATIENT.email),
  STAFF.email,
  encodeURIComponent(STAFF.email),
  STAFF.password,
  encodeURIComponent(STAFF.password),
  SECRET_TEXT,
  'XYZZY-42',
];

function leaks(haystack: string): string[] {
  return NEEDLES.filter((n) => haystack.includes(n));
}

describe('personal data stays out of logs, error bodies and the audit log', () => {
  let env: TestEnv;
  let app: App;
  let operatorId: string;
  const bodies: string[] = [];

  before(async () => {
    env = await createTestEnv({ logLevel: 'trace', env: { SOGLASIE_LOG_REQUESTS: 'true' } });
    const boom = async (a: App): Promise<void> => {
      a.get('/api/test/boom', async () => {
        throw new Error(`failed for ${PATIENT.name} ${PATIENT.phone} ${SECRET_TEXT}`);
      });
    };
    app = await env.app({ surfaces: [...SURFACES, boom], renderHtmlError });
    ({ operatorId } = await ensureDemoOperator(env.ctx));
    await env.ctx.services.staff.create(systemPrincipal('test'), {
      email: STAFF.email,
      displayName: 'Проверка Логов',
      password: STAFF.password,
      installationAdmin: false,
      roles: [{ operatorId, role: 'administrator' }],
    });
  });
  after(() => env.close());

  it('drives the app with known personal data', async () => {
    const browser = new Browser(app, '203.0.113.7');
    const record = (r: { body: string }) => bodies.push(r.body);

    record(await browser.login(STAFF.email, 'wrong password, again'));
    record(await browser.login(PATIENT.email, STAFF.password));
    const ok = await browser.login(STAFF.email, STAFF.password);
    assert.equal(ok.statusCode, 303);

    record(await browser.get(`/console?phone=${encodeURIComponent(PATIENT.phone)}&email=${PATIENT.email}`));
    record(await browser.get(`/no-such-page?name=${encodeURIComponent(PATIENT.name)}`));

    const home = await browser.get('/console');
    const csrf = csrfOf(home.body);
    const api = (payload: string, contentType = 'application/json') =>
      browser.api('PATCH', `/api/v1/operators/${operatorId}`, { csrf, payload, contentType });
    record(await api(JSON.stringify({ inn: PATIENT.phone, requestsEmail: PATIENT.name })));
    record(await api(JSON.stringify({ shortName: SECRET_TEXT, [PATIENT.email]: 1 })));
    record(await api(`{"shortName": "${SECRET_TEXT}"`));
    record(await api(`shortName=${encodeURIComponent(SECRET_TEXT)}`, 'text/plain'));
    const updated = await api(JSON.stringify({ responsiblePerson: `${PATIENT.name}, главный врач` }));
    assert.equal(updated.statusCode, 200);

    const boom = await app.inject({ method: 'GET', url: '/api/test/boom' });
    assert.equal(boom.statusCode, 500);
    record(boom);

    const system = systemPrincipal('test');
    const { subjects } = env.ctx.services;
    const { id } = await subjects.findOrCreate(system, operatorId, PATIENT);
    await subjects.read(system, operatorId, id);
    await subjects.findByPhone(system, operatorId, '8 912 555 44 33');
    await subjects.findByEmail(system, operatorId, PATIENT.email.toUpperCase());
    await assert.rejects(
      subjects.create(system, operatorId, { name: PATIENT.name, phone: `${PATIENT.phone}999999` }),
      { code: ErrorCode.ValidationFailed },
    );
    await subjects.destroy(system, operatorId, id, 'subject_request');

    assert.ok(env.logs.length > 20, `the run was logged (${env.logs.length} lines)`);
  });

  it('finds none of it in the captured log lines', () => {
    assertNoPersonalDataInLogs(env.logs, NEEDLES, { expect: 'request completed' });
  });

  it('finds none of it in error bodies', () => {
    assert.ok(bodies.length >= 8);
    const found = bodies.flatMap((b) => leaks(b));
    assert.deepEqual(found, []);
  });

  it('finds none of it in the audit log', async () => {
    const admin = await env.admin();
    const { rows } = await admin.query<{ t: string }>('SELECT audit_log::text AS t FROM audit_log');
    assert.ok(rows.length > 5);
    assert.deepEqual(
      rows.flatMap((r) => leaks(r.t)),
      [],
    );
  });
});
