import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { rejectsWith } from '../../../test/rejects.ts';
import { ErrorCode } from '../../platform/errors.ts';
import { systemPrincipal, type Principal, type Role } from '../staff/index.ts';
import {
  isTimeZone,
  isValidInn,
  isValidOgrn,
  normalizeHost,
  type OperatorCreate,
  type OperatorsService,
} from './index.ts';

const system = systemPrincipal('test');

function staff(roles: Record<string, Role[]>, installationAdmin = false): Principal {
  return {
    kind: 'staff',
    staffId: '5f0c1e9a-0000-4000-8000-00000000000' + String(Object.keys(roles).length),
    roles: new Map(Object.entries(roles).map(([op, r]) => [op, new Set(r)])),
    installationAdmin,
    source: '203.0.113.7',
  };
}

function card(slug: string, extra: Partial<OperatorCreate> = {}): OperatorCreate {
  return {
    slug,
    name: `ООО «Клиника ${slug}»`,
    inn: '6234000127',
    ogrn: '1256200001232',
    postalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
    responsiblePerson: 'Петрова Мария Ивановна',
    requestsEmail: 'pd@example.ru',
    requestsPostalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
    ...extra,
  };
}

describe('registration numbers and hosts', () => {
  it('checks INN check digits for 10 and 12 digits', () => {
    assert.equal(isValidInn('6234000127'), true);
    assert.equal(isValidInn('7707083893'), true);
    assert.equal(isValidInn('500100732259'), true);
    assert.equal(isValidInn('6234000128'), false); // last digit off by one
    assert.equal(isValidInn('500100732250'), false); // 12th digit wrong
    assert.equal(isValidInn('500100732269'), false); // 11th digit wrong
    assert.equal(isValidInn('623400012'), false);
    assert.equal(isValidInn('62340001270'), false);
    assert.equal(isValidInn('62340001a7'), false);
  });

  it('checks OGRN (13) and OGRNIP (15) check digits', () => {
    assert.equal(isValidOgrn('1256200001232'), true);
    assert.equal(isValidOgrn('1027700132195'), true);
    assert.equal(isValidOgrn('304500116000157'), true);
    assert.equal(isValidOgrn('1256200001233'), false);
    assert.equal(isValidOgrn('304500116000158'), false);
    assert.equal(isValidOgrn('12562000012'), false);
    assert.equal(isValidOgrn('12562000012321'), false);
  });

  it('accepts IANA time zones only', () => {
    assert.equal(isTimeZone('Europe/Moscow'), true);
    assert.equal(isTimeZone('Asia/Yekaterinburg'), true);
    assert.equal(isTimeZone('Europe/Ryazan'), false);
    assert.equal(isTimeZone('MSK+3'), false);
    assert.equal(isTimeZone(''), false);
  });

  it('normalises hosts: lower case, punycode, ports; refuses the rest', () => {
    assert.equal(normalizeHost('Клиника-МРТ-Люкс.РФ'), 'xn-----6kc5aakcdcgjh8brl8q.xn--p1ai');
    assert.equal(normalizeHost(' WWW.Example.RU. '), 'www.example.ru');
    assert.equal(normalizeHost('localhost:3000'), 'localhost:3000');
    assert.equal(normalizeHost('127.0.0.1'), '127.0.0.1');
    for (const bad of [
      '',
      'https://example.ru',
      'example.ru/path',
      'exa_mple.ru',
      '-bad.ru',
      'a..ru',
      '[::1]:3000',
      'example.ru:0',
      'example.ru:99999',
      'two words.ru',
    ]) {
      assert.equal(normalizeHost(bad), undefined, bad);
    }
  });
});

describe('operators service', () => {
  let env: TestEnv;
  let operators: OperatorsService;
  let a: string;
  let b: string;
  before(async () => {
    env = await createTestEnv();
    operators = env.ctx.services.operators;
  });
  after(() => env.close());

  const auditActions = async (operatorId: string): Promise<string[]> => {
    const admin = await env.admin();
    const { rows } = await admin.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE operator_id = $1 ORDER BY id',
      [operatorId],
    );
    return rows.map((r) => r.action);
  };

  it('creates an operator with its sites and audits each step', async () => {
    const op = await operators.create(
      system,
      card('clinic-a', {
        sites: [{ domain: 'Клиника-МРТ-Люкс.РФ' }, { domain: 'a.example.ru', title: 'Сайт А' }],
      }),
    );
    a = op.id;
    assert.equal(op.timeZone, 'Europe/Moscow');
    assert.equal(op.requireMfa, false);
    assert.equal(op.shortName, null);
    assert.equal(op.createdAt, '2026-03-02T09:00:00.000Z');
    assert.deepEqual(
      op.sites.map((s) => [s.domain, s.title]),
      [
        ['xn-----6kc5aakcdcgjh8brl8q.xn--p1ai', 'клиника-мрт-люкс.рф'],
        ['a.example.ru', 'Сайт А'],
      ],
    );
    assert.deepEqual(await auditActions(a), ['operator.create', 'site.add', 'site.add']);
    b = (await operators.create(staff({}, true), card('clinic-b', { timeZone: 'Asia/Yekaterinburg' }))).id;
  });

  it('lets only the installation create operators', async () => {
    await rejectsWith(
      operators.create(staff({ [a]: ['administrator'] }), card('clinic-x')),
      ErrorCode.Forbidden,
    );
    assert.equal(await operators.findBySlug(system, 'clinic-x'), undefined);
  });

  it('refuses invalid cards with field issues', async () => {
    const cases: [Partial<OperatorCreate>, string][] = [
      [{ inn: '6234000128' }, 'inn'],
      [{ ogrn: '1256200001233' }, 'ogrn'],
      [{ requestsEmail: 'not-an-email' }, 'requestsEmail'],
      [{ timeZone: 'Europe/Ryazan' }, 'timeZone'],
      [{ postalAddress: '   ' }, 'postalAddress'],
      [{ responsiblePerson: 'a\u0007b' }, 'responsiblePerson'],
      [{ slug: 'Клиника' }, 'slug'],
      [{ sites: [{ domain: 'https://x.ru/' }] }, 'sites.0.domain'],
    ];
    for (const [extra, field] of cases) {
      await rejectsWith(
        operators.create(system, card('clinic-bad', extra)),
        ErrorCode.ValidationFailed,
        field,
      );
    }
    await rejectsWith(
      operators.create(system, { ...card('clinic-bad'), extra: 1 } as OperatorCreate),
      ErrorCode.ValidationFailed,
    );
  });

  it('refuses a duplicate slug or domain with 409 and writes nothing', async () => {
    await rejectsWith(operators.create(system, card('clinic-a')), ErrorCode.Conflict);
    // The same IDN domain spelled in Unicode is the same site.
    await rejectsWith(
      operators.create(system, card('clinic-c', { sites: [{ domain: 'клиника-мрт-люкс.рф' }] })),
      ErrorCode.Conflict,
    );
    assert.equal(await operators.findBySlug(system, 'clinic-c'), undefined);
    await rejectsWith(operators.addSite(system, b, { domain: 'A.EXAMPLE.RU' }), ErrorCode.Conflict);
  });

  it('shows each staff member only their operators', async () => {
    const agentA = staff({ [a]: ['agent'] });
    assert.deepEqual(
      (await operators.list(agentA)).map((o) => o.slug),
      ['clinic-a'],
    );
    assert.equal((await operators.get(agentA, a)).slug, 'clinic-a');
    await rejectsWith(operators.get(agentA, b), ErrorCode.Forbidden);
    await rejectsWith(operators.findBySlug(agentA, 'clinic-b'), ErrorCode.Forbidden);
    assert.deepEqual(await operators.list(staff({})), []);
    assert.deepEqual((await operators.list(staff({}, true))).map((o) => o.slug).sort(), [
      'clinic-a',
      'clinic-b',
    ]);
    // An installation admin manages every operator, so may also see it.
    assert.equal((await operators.get(staff({}, true), b)).slug, 'clinic-b');
    await rejectsWith(operators.get(system, '00000000-0000-4000-8000-000000000000'), ErrorCode.NotFound);
  });

  it('updates part of the card with operator.manage only', async () => {
    await rejectsWith(operators.update(staff({ [a]: ['agent'] }), a, { name: 'x' }), ErrorCode.Forbidden);
    await rejectsWith(
      operators.update(staff({ [b]: ['administrator'] }), a, { name: 'x' }),
      ErrorCode.Forbidden,
    );
    env.clock.advance(60_000);
    const adminA = staff({ [a]: ['administrator'] });
    const op = await operators.update(adminA, a, {
      responsiblePerson: 'Сидоров Пётр Петрович',
      shortName: 'Клиника А',
      timeZone: 'Europe/Samara',
    });
    assert.equal(op.responsiblePerson, 'Сидоров Пётр Петрович');
    assert.equal(op.shortName, 'Клиника А');
    assert.equal(op.timeZone, 'Europe/Samara');
    assert.equal(op.name, 'ООО «Клиника clinic-a»');
    assert.equal(op.updatedAt, '2026-03-02T09:01:00.000Z');
    assert.equal(op.createdAt, '2026-03-02T09:00:00.000Z');
    assert.equal(op.sites.length, 2);
    assert.equal((await operators.update(adminA, a, { shortName: null })).shortName, null);
    await rejectsWith(operators.update(adminA, a, {}), ErrorCode.ValidationFailed);
    await rejectsWith(operators.update(adminA, a, { inn: '1234567890' }), ErrorCode.ValidationFailed, 'inn');
    await rejectsWith(
      operators.update(adminA, a, { slug: 'other' } as unknown as { name: string }),
      ErrorCode.ValidationFailed,
    );
    assert.deepEqual((await auditActions(a)).slice(-2), ['operator.update', 'operator.update']);
  });

  it('makes MFA mandatory and tells the sign-in flow', async () => {
    assert.equal(await operators.mfaRequiredFor([a, b]), false);
    const adminA = staff({ [a]: ['administrator'] });
    assert.equal((await operators.setRequireMfa(adminA, a, true)).requireMfa, true);
    // Setting it again changes nothing and writes no second entry.
    await operators.setRequireMfa(adminA, a, true);
    assert.equal(await operators.mfaRequiredFor([b]), false);
    assert.equal(await operators.mfaRequiredFor([a, b]), true);
    assert.equal(await operators.mfaRequiredFor([]), false);
    await operators.update(adminA, a, { requireMfa: false, name: 'ООО «Клиника А»' });
    assert.equal(await operators.mfaRequiredFor([a]), false);
    assert.deepEqual((await auditActions(a)).slice(-3), [
      'operator.mfa_required',
      'operator.update',
      'operator.mfa_optional',
    ]);
  });

  it('adds and removes sites of its own operator only', async () => {
    const adminB = staff({ [b]: ['administrator'] });
    const site = await operators.addSite(adminB, b, { domain: 'b.example.ru:8443' });
    assert.equal(site.domain, 'b.example.ru:8443');
    assert.equal(site.title, 'b.example.ru:8443');
    await rejectsWith(operators.addSite(adminB, a, { domain: 'c.example.ru' }), ErrorCode.Forbidden);
    const siteOfA = (await operators.get(system, a)).sites[1]!;
    // Removing A's site through B's id finds nothing.
    await rejectsWith(operators.removeSite(adminB, b, siteOfA.id), ErrorCode.NotFound);
    await operators.removeSite(adminB, b, site.id);
    await rejectsWith(operators.removeSite(adminB, b, site.id), ErrorCode.NotFound);
    assert.deepEqual((await auditActions(b)).slice(-2), ['site.add', 'site.remove']);
  });

  it('finds the operator by Host: exact match first, then without the port', async () => {
    await operators.addSite(system, a, { domain: 'localhost' });
    await operators.addSite(system, b, { domain: 'localhost:4000' });
    assert.equal((await operators.findByHost('localhost:4000'))?.operator.id, b);
    assert.equal((await operators.findByHost('localhost:3000'))?.operator.id, a);
    assert.equal((await operators.findByHost('LOCALHOST'))?.operator.id, a);
    const idn = await operators.findByHost('xn-----6kc5aakcdcgjh8brl8q.xn--p1ai:443');
    assert.equal(idn?.operator.id, a);
    assert.equal(idn?.site.domain, 'xn-----6kc5aakcdcgjh8brl8q.xn--p1ai');
    assert.equal((await operators.findByHost('клиника-мрт-люкс.рф'))?.operator.id, a);
    assert.equal(await operators.findByHost('unknown.example.ru'), undefined);
    assert.equal(await operators.findByHost('evil.ru/..'), undefined);
    assert.equal(await operators.findByHost(''), undefined);
  });

  it('keeps weekly working hours: the clinic default until changed, validated', async () => {
    const before = await operators.get(system, a);
    assert.deepEqual(before.workingHours.sun, []);
    assert.deepEqual(before.workingHours.mon, [{ from: '08:00', to: '20:00' }]);
    const hours = { ...before.workingHours, sat: [], sun: [{ from: '10:00', to: '14:00' }] };
    const after = await operators.update(system, a, { workingHours: hours });
    assert.deepEqual(after.workingHours.sun, [{ from: '10:00', to: '14:00' }]);
    assert.deepEqual((await operators.publicCard(a))?.workingHours.sat, []);
    await rejectsWith(
      operators.update(system, a, {
        workingHours: { ...hours, mon: [{ from: '12:00', to: '09:00' }] },
      }),
      ErrorCode.ValidationFailed,
    );
  });

  it('remembers Host answers for 5 s, forgetting them at once on its own writes', async () => {
    const site = await operators.addSite(system, a, { domain: 'cache.example.ru' });
    assert.equal((await operators.findByHost('cache.example.ru'))?.operator.id, a);
    // Removed behind the service's back (another process): still served until 5 s have passed.
    const admin = await env.admin();
    await admin.query('DELETE FROM sites WHERE id = $1', [site.id]);
    env.clock.advance(4999);
    assert.equal((await operators.findByHost('cache.example.ru'))?.operator.id, a);
    env.clock.advance(1);
    assert.equal(await operators.findByHost('cache.example.ru'), undefined);
    // Through the service: seen at once, in the Host answer and in the public card.
    await operators.addSite(system, b, { domain: 'cache.example.ru' });
    assert.equal((await operators.findByHost('cache.example.ru'))?.operator.id, b);
    const card = await operators.publicCard(b);
    await operators.update(system, b, { shortName: 'Новое имя' });
    assert.notEqual(card?.shortName, 'Новое имя');
    assert.equal((await operators.publicCard(b))?.shortName, 'Новое имя');
    assert.equal(await operators.publicCard('not-a-uuid'), undefined);
  });
});
