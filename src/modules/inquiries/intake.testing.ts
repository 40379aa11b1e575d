/**
 * Test support for intake (imported by tests only): an operator with a site made directly in the
 * database, its policy really published with the test forms, and an IntakeService on the
 * test context with that policy (and, when a test asks, another outbox).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestEnv } from '../../../test/harness.ts';
import type { OutboxService } from '../outbox/index.ts';
import { insertOperator } from '../outbox/outbox.testing.ts';
import { CONSENT_DOCUMENT_KIND, type FormDecl, type PublishedPolicy } from '../policy/index.ts';
import { publishTestPolicy } from '../policy/policy.testing.ts';
import type { Principal, Role } from '../staff/index.ts';
import { IntakeService, type IntakeLimits, type PolicySource } from './intake.service.ts';
import type { InquiryEvents } from './inquiries.ports.ts';
import type { IntakeInput } from './inquiries.schemas.ts';

export interface TestOperator {
  operatorId: string;
  siteId: string;
  domain: string;
}

/** An operator and one site (its domain is `<slug>.example`). */
export async function insertOperatorWithSite(env: TestEnv, slug: string): Promise<TestOperator> {
  const operatorId = await insertOperator(env, slug);
  const siteId = randomUUID();
  const domain = `${slug}.example`;
  const admin = await env.admin();
  await admin.query(`UPDATE operators SET short_name = 'МРТ Люкс' WHERE id = $1`, [operatorId]);
  await admin.query(
    'INSERT INTO sites (id, operator_id, domain, title, created_at) VALUES ($1, $2, $3, $3, $4)',
    [siteId, operatorId, domain, env.clock.now()],
  );
  return { operatorId, siteId, domain };
}

const f = (name: FormDecl['fields'][number]['name'], required: boolean) => ({
  name,
  required,
  category: name,
  possibleHealthData: ['message', 'serviceOrDoctor', 'services'].includes(name),
});

/** The five forms as the demo declares them. */
export const TEST_FORMS: FormDecl[] = [
  {
    id: 'callback',
    purposeId: 'inquiry',
    fields: [f('name', true), f('phone', true)],
    optionalConsents: ['marketing'],
  },
  {
    id: 'feedback',
    purposeId: 'inquiry',
    fields: [f('name', true), f('phone', false), f('email', false), f('message', true)],
    atLeastOneOf: ['phone', 'email'],
    optionalConsents: ['marketing'],
  },
  {
    id: 'review',
    purposeId: 'reviews',
    fields: [f('name', true), f('message', true), f('rating', true)],
    optionalConsents: ['review_publication'],
  },
  {
    id: 'appointment',
    purposeId: 'inquiry',
    fields: [
      f('name', true),
      f('phone', true),
      f('email', false),
      f('preferredDate', false),
      f('preferredTime', false),
      f('serviceOrDoctor', false),
    ],
    optionalConsents: ['marketing'],
  },
  {
    id: 'estimate',
    purposeId: 'inquiry',
    fields: [f('name', true), f('phone', true), f('services', true)],
    optionalConsents: [],
  },
];

/**
 * The operator's policy, really published (the demo declaration's documents, which consent
 * records cite), with the five test forms above as the forms intake takes. Published once per
 * test environment and operator: every call for one operator returns the same documents.
 */
export async function testPolicy(env: TestEnv, operatorId: string): Promise<PublishedPolicy> {
  const p = await publishTestPolicy(env, operatorId);
  return { ...p, declaration: { ...p.declaration, forms: TEST_FORMS } };
}

/**
 * What consent records of these kinds cite under the policy, as rows of kind, document id,
 * version, SHA-256 and policy version.
 */
export function citations(
  p: PublishedPolicy,
  kinds: readonly ('processing' | 'marketing' | 'review_publication')[],
): [string, string, number, string, number][] {
  return kinds.map((k) => {
    const d = p.documents[CONSENT_DOCUMENT_KIND[k]];
    return [k, d.id, d.version, d.sha256, p.declarationVersion];
  });
}

/** A policy source with one published policy per operator given. */
export function policySource(policies: Record<string, PublishedPolicy>): PolicySource {
  return { current: async (id) => policies[id] };
}

export function testIntake(
  env: TestEnv,
  policy: PolicySource,
  o: {
    outbox?: Pick<OutboxService, 'add' | 'sendsEmail'>;
    limits?: Partial<IntakeLimits>;
    events?: InquiryEvents;
  } = {},
): IntakeService {
  const s = env.ctx.services;
  return new IntakeService({
    db: env.ctx.db,
    operators: s.operators,
    subjects: s.subjects,
    outbox: o.outbox ?? s.outbox,
    audit: s.audit,
    policy,
    keyring: s.keyring,
    clock: env.clock,
    ids: env.ctx.ids,
    log: env.ctx.log,
    // Contacts and keys are lifted: the helpers send one phone many times; their tests set them.
    limits: {
      rateLimit: 10,
      contactRateLimit: 1000,
      apiKeyRateLimit: 1000,
      rateWindowSeconds: 600,
      minFillSeconds: 3,
      ...o.limits,
    },
    events: o.events,
  });
}

/** An IntakeService for these operators, each under its test policy (published when first asked). */
export function testIntakeFor(
  env: TestEnv,
  ops: readonly TestOperator[],
  o: Parameters<typeof testIntake>[2] = {},
): IntakeService {
  const known = new Set(ops.map((op) => op.operatorId));
  return testIntake(env, { current: async (id) => (known.has(id) ? testPolicy(env, id) : undefined) }, o);
}

/** Submits a callback (see `callback`) and returns the new inquiry's id; fails unless one was created. */
export async function submitCallback(
  intake: IntakeService,
  op: TestOperator,
  over: Partial<IntakeInput> = {},
): Promise<string> {
  const r = await intake.submit(callback(op, over));
  assert.equal(r.kind, 'created', JSON.stringify(r));
  return (r as { inquiryId: string }).inquiryId;
}

let seq = 0;
/** A callback submission; every call gets a new idempotency key and address unless given. */
export function callback(op: TestOperator, over: Partial<IntakeInput> = {}): IntakeInput {
  seq += 1;
  return {
    operatorId: op.operatorId,
    siteId: op.siteId,
    formId: 'callback',
    fields: { name: 'Анна Иванова', phone: '8 (912) 345-67-89' },
    consents: { processing: true, marketing: false },
    channel: 'web_form',
    page: '/contacts?utm=x',
    ip: `198.51.100.${seq % 250}`,
    userAgent: 'Mozilla/5.0 test',
    idempotencyKey: `form:test-key-${seq}-${randomUUID()}`,
    ...over,
  };
}

/** A signed-in staff member's principal with these roles per operator id (no staff row needed). */
export function staffPrincipal(staffId: string, roles: Record<string, Role[]>): Principal {
  return {
    kind: 'staff',
    staffId,
    roles: new Map(Object.entries(roles).map(([op, r]) => [op, new Set(r)])),
    installationAdmin: false,
    source: '198.51.100.7',
  };
}
