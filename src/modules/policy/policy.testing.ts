/**
 * Test helpers of the policy module.
 */
import type pg from 'pg';
import type { TestEnv } from '../../../test/harness.ts';
import { systemPrincipal } from '../staff/index.ts';
import { DEMO_DECLARATION } from './demo-declaration.ts';
import type { PublishedPolicy } from './declaration.schemas.ts';

const published = new WeakMap<TestEnv, Map<string, Promise<PublishedPolicy>>>();

/**
 * The operator's policy really published through the policy service (the demo declaration, its
 * documents rendered, hashed and stored), once per test environment and operator: consent records
 * cite documents that exist, as the database's foreign key demands.
 */
export function publishTestPolicy(env: TestEnv, operatorId: string): Promise<PublishedPolicy> {
  const mine = published.get(env) ?? new Map<string, Promise<PublishedPolicy>>();
  published.set(env, mine);
  let p = mine.get(operatorId);
  if (!p) {
    const policy = env.ctx.services.policy;
    const system = systemPrincipal('test');
    p = policy.saveDraft(system, operatorId, DEMO_DECLARATION).then(() => policy.publish(system, operatorId));
    mine.set(operatorId, p);
  }
  return p;
}

/**
 * Puts in force, behind the service's back (as an installation from before the English documents
 * has), a publication of the same declaration that links only the Russian documents. Returns the
 * version number of the publication that was in force before it.
 */
export async function putInForceWithoutEnglish(
  admin: pg.Client,
  operatorId: string,
  at: Date,
  id = '5f0c1e9a-0000-4000-8000-0000000000aa',
): Promise<number> {
  const { rows } = await admin.query<{ id: string; version: number; declaration: unknown }>(
    'SELECT id, version, declaration FROM policy_publications WHERE operator_id = $1 ORDER BY version DESC LIMIT 1',
    [operatorId],
  );
  const pub = rows[0]!;
  await admin.query(
    `INSERT INTO policy_publications (id, operator_id, version, declaration, published_at, published_by)
     VALUES ($1, $2, $3, $4, $5, 'test')`,
    [id, operatorId, pub.version + 1, JSON.stringify(pub.declaration), at],
  );
  await admin.query(
    `INSERT INTO policy_publication_documents (publication_id, kind, lang, document_id)
     SELECT $1, kind, lang, document_id FROM policy_publication_documents
     WHERE publication_id = $2 AND lang = 'ru'`,
    [id, pub.id],
  );
  return pub.version;
}
