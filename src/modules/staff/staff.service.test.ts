import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { AppError, ErrorCode } from '../../platform/errors.ts';
import { systemPrincipal, type Principal, type Role } from './index.ts';

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof AppError && e.code === code;

describe('staff service', () => {
  let env: TestEnv;
  let north: string;
  let south: string;
  const system = systemPrincipal('test');
  const PASSWORD = 'длинный-пароль-для-тестов';

  async function operator(slug: string): Promise<string> {
    const id = randomUUID();
    const admin = await env.admin();
    await admin.query(
      `INSERT INTO operators (id, slug, name, inn, ogrn, postal_address, responsible_person, requests_email,
         requests_postal_address, created_at, updated_at)
       VALUES ($1, $2, $2, '7701234567', '1027700000001', 'a', 'b', 'c@d.example', 'e', now(), now())`,
      [id, slug],
    );
    return id;
  }

  const staffPrincipal = (staffId: string, roles: [string, Role][], installationAdmin = false): Principal => {
    const map = new Map<string, Set<Role>>();
    for (const [op, r] of roles) map.set(op, new Set([...(map.get(op) ?? []), r]));
    return { kind: 'staff', staffId, roles: map, installationAdmin, source: '192.0.2.1' };
  };

  before(async () => {
    env = await createTestEnv();
    north = await operator('north');
    south = await operator('south');
  });
  after(() => env.close());

  it('creates accounts with unique e-mails regardless of case, and checks the password policy', async () => {
    const { staff } = env.ctx.services;
    const dto = await staff.create(system, {
      email: 'Head@North.example',
      displayName: 'Главный администратор',
      password: PASSWORD,
      roles: [{ operatorId: north, role: 'administrator' }],
    });
    assert.equal(dto.email, 'Head@North.example');
    assert.deepEqual(dto.roles, [{ operatorId: north, role: 'administrator' }]);
    assert.equal(dto.locale, 'ru');
    assert.equal(dto.mfaEnabled, false);

    await assert.rejects(
      staff.create(system, {
        email: 'head@north.EXAMPLE',
        displayName: 'Копия',
        password: PASSWORD,
        roles: [],
      }),
      (e: unknown) => isCode(ErrorCode.Conflict)(e) && !(e as Error).message.includes('north'),
    );
    await assert.rejects(
      staff.create(system, { email: 'short@north.example', displayName: 'Коротко', password: 'короткий' }),
      isCode(ErrorCode.ValidationFailed),
    );
    await assert.rejects(
      staff.create(system, { email: 'not-an-email', displayName: 'X', password: PASSWORD }),
      isCode(ErrorCode.ValidationFailed),
    );
    await assert.rejects(
      staff.create(system, {
        email: 'ghost@north.example',
        displayName: 'X',
        password: PASSWORD,
        roles: [{ operatorId: randomUUID(), role: 'agent' }],
      }),
      isCode(ErrorCode.NotFound),
    );
  });

  it("lets an operator's administrator manage roles there only, and audits each change", async () => {
    const { staff } = env.ctx.services;
    const headId = (await staff.idByEmail(system, 'head@north.example'))!;
    const head = staffPrincipal(headId, [[north, 'administrator']]);
    await assert.rejects(
      staff.create(head, {
        email: 'agent@north.example',
        displayName: 'Агент',
        password: PASSWORD,
        roles: [{ operatorId: north, role: 'agent' }],
      }),
      isCode(ErrorCode.Forbidden),
      'an operator administrator invites; only installation administrators create accounts',
    );
    const agent = await staff.create(system, {
      email: 'agent@north.example',
      displayName: 'Агент',
      password: PASSWORD,
      roles: [{ operatorId: north, role: 'agent' }],
    });
    const outsider = await staff.create(system, {
      email: 'outsider@south.example',
      displayName: 'Чужой',
      password: PASSWORD,
      roles: [{ operatorId: south, role: 'agent' }],
    });
    await assert.rejects(
      staff.grantRole(head, { staffId: outsider.id, operatorId: north, role: 'administrator' }),
      isCode(ErrorCode.NotFound),
      'someone who holds no role here is as unknown as a made-up id',
    );
    await assert.rejects(
      staff.create(head, { email: 'x@south.example', displayName: 'X', password: PASSWORD, roles: [] }),
      isCode(ErrorCode.Forbidden),
      'an account without roles needs an installation administrator',
    );
    await assert.rejects(
      staff.grantRole(head, { staffId: agent.id, operatorId: south, role: 'agent' }),
      isCode(ErrorCode.Forbidden),
    );
    await assert.rejects(
      staff.create(head, {
        email: 'boss@north.example',
        displayName: 'X',
        password: PASSWORD,
        installationAdmin: true,
        roles: [{ operatorId: north, role: 'agent' }],
      }),
      isCode(ErrorCode.Forbidden),
    );
    assert.equal(
      await staff.grantRole(head, { staffId: agent.id, operatorId: north, role: 'moderator' }),
      true,
    );
    assert.equal(
      await staff.grantRole(head, { staffId: agent.id, operatorId: north, role: 'moderator' }),
      false,
    );
    assert.equal(await staff.revokeRole(head, { staffId: agent.id, operatorId: north, role: 'agent' }), true);
    assert.equal(
      await staff.revokeRole(head, { staffId: agent.id, operatorId: north, role: 'agent' }),
      false,
    );
    assert.deepEqual((await staff.get(head, agent.id)).roles, [{ operatorId: north, role: 'moderator' }]);

    const { rows } = await (
      await env.admin()
    ).query<{ action: string; actor_id: string; operator_id: string; object_id: string; source: string }>(
      "SELECT action, actor_id, operator_id, object_id, source FROM audit_log WHERE object_id = $1 AND action LIKE 'staff.role_%' AND actor_id = $2 ORDER BY id",
      [agent.id, headId],
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_id, r.operator_id, r.source]),
      [
        ['staff.role_grant.moderator', headId, north, '192.0.2.1'],
        ['staff.role_revoke.agent', headId, north, '192.0.2.1'],
      ],
    );
  });

  it('turns a session into a principal with roles per operator', async () => {
    const { staff, staffAuth } = env.ctx.services;
    const dto = await staff.create(system, {
      email: 'both@clinics.example',
      displayName: 'Двое',
      password: PASSWORD,
      roles: [
        { operatorId: north, role: 'agent' },
        { operatorId: south, role: 'privacy_officer' },
        { operatorId: south, role: 'moderator' },
      ],
    });
    const login = await staffAuth.login({
      email: 'BOTH@clinics.example',
      password: PASSWORD,
      ip: '192.0.2.9',
    });
    assert.equal(login.kind, 'ok');
    const session = await staffAuth.resolve(login.kind === 'ok' ? login.token : '');
    const p = staffAuth.principalOf(session, '192.0.2.9');
    assert.ok(p && p.kind === 'staff');
    assert.equal(p.staffId, dto.id);
    assert.deepEqual([...(p.roles.get(north) ?? [])], ['agent']);
    assert.deepEqual([...(p.roles.get(south) ?? [])].sort(), ['moderator', 'privacy_officer']);
    assert.equal(p.installationAdmin, false);
    const overview = await staff.overview(p);
    assert.deepEqual(
      overview.operators.map((o) => [o.slug, o.roles]),
      [
        ['north', ['agent']],
        ['south', ['moderator', 'privacy_officer']],
      ],
    );
    await assert.rejects(staff.list(p), isCode(ErrorCode.Forbidden));
  });

  it('lets an operator administrator disable only staff wholly within their operators', async () => {
    const { staff } = env.ctx.services;
    const headId = (await staff.idByEmail(system, 'head@north.example'))!;
    const head = staffPrincipal(headId, [[north, 'administrator']]);
    const both = (await staff.idByEmail(system, 'both@clinics.example'))!;
    await assert.rejects(staff.disable(head, both), isCode(ErrorCode.Forbidden));
    const agentId = (await staff.idByEmail(system, 'agent@north.example'))!;
    await staff.disable(head, agentId);
    assert.equal((await staff.get(system, agentId)).disabled, true);
    const list = await staff.list(system);
    assert.ok(list.some((s) => s.id === agentId && s.disabled));
  });
});
