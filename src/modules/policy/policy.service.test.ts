import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';
import { rejectsWith } from '../../../test/rejects.ts';
import { ErrorCode } from '../../platform/errors.ts';
import { systemPrincipal, type Principal } from '../staff/index.ts';
import { DEMO_DECLARATION } from './demo-declaration.ts';
import { putInForceWithoutEnglish } from './policy.testing.ts';
import { declarationToYaml, DOCUMENT_KINDS, type DeclarationInput, type PolicyService } from './index.ts';

const system = systemPrincipal('test');
const DAY = 86_400_000;

function staff(operatorId: string, role: 'agent' | 'privacy_officer'): Principal {
  return {
    kind: 'staff',
    staffId: '5f0c1e9a-0000-4000-8000-000000000001',
    roles: new Map([[operatorId, new Set([role])]]),
    installationAdmin: false,
    source: '203.0.113.7',
  };
}

function demo(): DeclarationInput {
  return structuredClone(DEMO_DECLARATION);
}

describe('policy service', () => {
  let env: TestEnv;
  let policy: PolicyService;
  let operatorId: string;

  before(async () => {
    env = await createTestEnv();
    policy = env.ctx.services.policy;
    const op = await env.ctx.services.operators.create(system, {
      slug: 'policy-test',
      name: 'ООО «Клиника»',
      inn: '6234000127',
      ogrn: '1256200001232',
      postalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
      responsiblePerson: 'Ответственный',
      requestsEmail: 'pd@example.ru',
      requestsPostalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
    });
    operatorId = op.id;
  });
  after(() => env.close());

  it('needs policy.manage to edit; validates with paths; reading needs no principal', async () => {
    await rejectsWith(policy.saveDraft(staff(operatorId, 'agent'), operatorId, demo()), ErrorCode.Forbidden);
    await rejectsWith(
      policy.saveDraft(staff(operatorId, 'privacy_officer'), operatorId, {
        version: 1,
        purposes: [{ id: 'X' }],
      }),
      ErrorCode.ValidationFailed,
      'purposes.0.id',
    );
    assert.equal(await policy.current(operatorId), undefined);
    await rejectsWith(policy.publish(system, operatorId), ErrorCode.NotFound);
  });

  it('refuses to publish a draft with lint errors and writes nothing', async () => {
    const d = demo();
    d.forms![0]!.fields.push({ name: 'rating', required: false, category: 'rating' });
    await policy.saveDraft(system, operatorId, d);
    await rejectsWith(
      policy.publish(system, operatorId),
      ErrorCode.ValidationFailed,
      'forms.0.fields.2.category',
    );
    const admin = await env.admin();
    const n = await admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM policy_publications WHERE operator_id = $1',
      [operatorId],
    );
    assert.equal(n.rows[0]!.n, 0);
  });

  it('publishes version 1 of every document with the SHA-256 of its text, and audits it', async () => {
    await policy.saveDraft(staff(operatorId, 'privacy_officer'), operatorId, demo());
    const p = await policy.publish(staff(operatorId, 'privacy_officer'), operatorId);
    assert.equal(p.declarationVersion, 1);
    assert.deepEqual(Object.keys(p.documents).sort(), [...DOCUMENT_KINDS].sort());
    for (const kind of DOCUMENT_KINDS) {
      const doc = p.documents[kind];
      assert.equal(doc.version, 1);
      const { text, html } = await policy.renderDocument(operatorId, kind);
      assert.equal(doc.sha256, createHash('sha256').update(text, 'utf8').digest('hex'));
      assert.match(text, /Версия 1\. Последнее обновление: 02\.03\.2026/);
      assert.match(html.toString(), /<h1>/);
    }
    assert.equal(p.documents.privacy_policy.url, '/privacy/versions/1');
    assert.equal(p.documents.consent_processing.url, '/documents/consent-processing/versions/1');
    // The English translation of each, published beside it with a version and hash of its own.
    const docsEn = p.documentsEn ?? assert.fail('the English documents are in force');
    for (const kind of DOCUMENT_KINDS) {
      const ru = p.documents[kind];
      const en = docsEn[kind];
      assert.equal(ru.lang, 'ru');
      assert.equal(en.lang, 'en');
      assert.equal(en.version, 1);
      assert.notEqual(en.id, ru.id);
      const { text, html } = await policy.renderDocument(operatorId, kind, undefined, 'en');
      assert.equal(en.sha256, createHash('sha256').update(text, 'utf8').digest('hex'));
      assert.notEqual(en.sha256, ru.sha256);
      assert.match(text, /^[^\n]+\nVersion 1\. Last updated: 2 March 2026\n/);
      assert.match(text, /translation[^\n]*Russian text[^\n]*prevails/);
      assert.doesNotMatch(text, /Версия|Последнее обновление/);
      assert.match(html.toString(), /<article class="policy-document" lang="en">/);
    }
    assert.equal(docsEn.privacy_policy.url, '/en/privacy/versions/1');
    assert.equal(docsEn.cookie_notice.url, '/en/documents/cookie-notice/versions/1');
    const processingEn = await policy.renderDocument(operatorId, 'consent_processing', 1, 'en');
    assert.match(processingEn.text, /I freely, of my own will and in my own interest, consent/);
    assert.match(processingEn.text, /24 months from the day consent is given/);
    const admin = await env.admin();
    const audit = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'policy.publish' AND operator_id = $1",
      [operatorId],
    );
    assert.equal(audit.rows[0]!.n, 1);
  });

  it('publishing the same declaration again makes no new version', async () => {
    const p = await policy.publish(system, operatorId);
    assert.equal(p.declarationVersion, 1);
  });

  it('a change to the cookies bumps only the cookie notice; the others keep version and date', async () => {
    env.clock.advance(3 * DAY);
    const d = demo();
    d.cookies!.push({
      name: 'form_started',
      category: 'technical',
      purpose: { ru: 'отмечает начало заполнения формы' },
      lifetime: { ru: 'до закрытия браузера' },
    });
    await policy.saveDraft(system, operatorId, d);
    const before = await policy.current(operatorId);
    const p = await policy.publish(system, operatorId);
    assert.equal(p.declarationVersion, 2);
    assert.equal(p.documents.cookie_notice.version, 2);
    assert.notEqual(p.documents.cookie_notice.sha256, before!.documents.cookie_notice.sha256);
    assert.deepEqual(p.documents.privacy_policy, before!.documents.privacy_policy);
    assert.deepEqual(p.documents.consent_processing, before!.documents.consent_processing);
    // The new cookie has no English text: the English notice shows the Russian one, and moves too.
    assert.equal(p.documentsEn?.cookie_notice.version, 2);
    assert.deepEqual(p.documentsEn?.privacy_policy, before!.documentsEn?.privacy_policy);
    assert.match(
      (await policy.renderDocument(operatorId, 'cookie_notice', 2, 'en')).text,
      /form_started: отмечает начало заполнения формы; lifetime: до закрытия браузера/,
    );
    const cookie = await policy.renderDocument(operatorId, 'cookie_notice');
    assert.match(cookie.text, /Версия 2\. Последнее обновление: 05\.03\.2026/);
    const old = await policy.renderDocument(operatorId, 'cookie_notice', 1);
    assert.match(old.text, /Версия 1\. Последнее обновление: 02\.03\.2026/);
    assert.doesNotMatch(old.text, /form_started/);
    assert.deepEqual(
      (await policy.versions(operatorId, 'cookie_notice')).map((v) => v.version),
      [2, 1],
    );
    assert.deepEqual(
      (await policy.versions(operatorId, 'privacy_policy')).map((v) => v.version),
      [1],
    );
  });

  it('a change to a purpose bumps the policy and the consents that cite it', async () => {
    env.clock.advance(DAY);
    const d = demo();
    d.purposes![0]!.retention = { months: 12, from: 'consent' };
    await policy.saveDraft(system, operatorId, d);
    const p = await policy.publish(system, operatorId);
    assert.equal(p.declarationVersion, 3);
    assert.equal(p.documents.privacy_policy.version, 2);
    assert.equal(p.documents.consent_processing.version, 2);
    assert.equal(p.documents.consent_marketing.version, 1);
    // The cookie notice went back to the first wording: a new version all the same.
    assert.equal(p.documents.cookie_notice.version, 3);
    const { text } = await policy.renderDocument(operatorId, 'privacy_policy');
    assert.match(text, /Версия 2\. Последнее обновление: 06\.03\.2026/);
  });

  it('diffs two versions as escaped HTML with <ins> and <del>', async () => {
    const diff = (await policy.diff(operatorId, 'privacy_policy', 1, 2)).toString();
    assert.match(diff, /<del>[^<]*24 месяца со дня получения согласия/);
    assert.match(diff, /<ins>[^<]*12 месяцев со дня получения согласия/);
    assert.match(diff, /<del>Версия 1\./);
    // One line of text per line of the <pre>.
    assert.match(diff, /^<del>Версия 1\.[^\n]*<\/del>\n<ins>Версия 2\.[^\n]*<\/ins>$/m);
    assert.doesNotMatch(diff, /<script/);
    await rejectsWith(policy.diff(operatorId, 'privacy_policy', 1, 9), ErrorCode.NotFound);
    await rejectsWith(policy.renderDocument(operatorId, 'privacy_policy', 0), ErrorCode.NotFound);
  });

  it('published rows cannot be changed or removed by the app role, nor by a superuser', async () => {
    for (const sql of [
      "UPDATE published_documents SET body_text = 'x'",
      'DELETE FROM published_documents',
      "UPDATE policy_publications SET published_by = 'x'",
      'DELETE FROM policy_publication_documents',
    ]) {
      await assert.rejects(env.ctx.db.query(sql), /permission denied/, sql);
    }
    const admin = await env.admin();
    await assert.rejects(admin.query("UPDATE published_documents SET body_text = 'x'"), /immutable/);
    await assert.rejects(admin.query('DELETE FROM policy_publications'), /immutable/);
    await assert.rejects(admin.query('TRUNCATE published_documents CASCADE'), /immutable/);
  });

  it('exports YAML that imports back to the same declaration; reports YAML errors with a line', async () => {
    const yaml = await policy.exportYaml(system, operatorId);
    assert.ok(yaml);
    const before = (await policy.getDraft(system, operatorId))!.declaration;
    const again = await policy.importYaml(system, operatorId, yaml);
    assert.deepEqual(again, before);
    assert.equal(declarationToYaml(again), yaml);
    await rejectsWith(
      policy.importYaml(system, operatorId, 'version: 1\ncategories: [\n'),
      ErrorCode.ValidationFailed,
      'yaml',
    );
    await rejectsWith(
      policy.importYaml(system, operatorId, 'version: 1\nversion: 1\n'),
      ErrorCode.ValidationFailed,
      'yaml',
    );
    await rejectsWith(
      policy.importYaml(system, operatorId, 'version: 1\nbogus: true\n'),
      ErrorCode.ValidationFailed,
      'bogus',
    );
    // A failed import leaves the draft as it was.
    assert.deepEqual((await policy.getDraft(system, operatorId))!.declaration, before);
  });

  it('keeps markup typed into the declaration as text in the documents', async () => {
    const d = demo();
    d.purposes![0]!.description = { ru: '<script>alert(1)</script> & «кавычки»' };
    await policy.saveDraft(system, operatorId, d);
    await policy.publish(system, operatorId);
    const { html, text } = await policy.renderDocument(operatorId, 'privacy_policy');
    assert.match(text, /<script>alert\(1\)<\/script> & «кавычки»/);
    assert.doesNotMatch(html.toString(), /<script>/);
    assert.match(html.toString(), /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; «кавычки»/);
  });

  it('moves an English document only when its English text changes, and the Russian likewise', async () => {
    env.clock.advance(DAY);
    await policy.saveDraft(system, operatorId, demo());
    const base = await policy.publish(system, operatorId);
    const en0 = base.documentsEn!;

    // Only an English title changes: the English documents that show it move, no Russian one does.
    env.clock.advance(DAY);
    const d1 = demo();
    d1.categories![0]!.title = { ru: 'Имя', en: 'First name' };
    await policy.saveDraft(system, operatorId, d1);
    const p1 = await policy.publish(system, operatorId);
    assert.equal(p1.declarationVersion, base.declarationVersion + 1);
    assert.deepEqual(p1.documents, base.documents);
    assert.equal(p1.documentsEn!.privacy_policy.version, en0.privacy_policy.version + 1);
    assert.equal(p1.documentsEn!.consent_processing.version, en0.consent_processing.version + 1);
    assert.deepEqual(p1.documentsEn!.cookie_notice, en0.cookie_notice);
    assert.equal(
      p1.documentsEn!.privacy_policy.url,
      `/en/privacy/versions/${en0.privacy_policy.version + 1}`,
    );

    // Only a Russian title changes (its English stays): the Russian documents move, no English one.
    env.clock.advance(DAY);
    const d2 = structuredClone(d1);
    d2.purposes![4]!.title = {
      ru: 'Работа и защита сайта',
      en: 'Running and protecting the site and its forms',
    };
    await policy.saveDraft(system, operatorId, d2);
    const p2 = await policy.publish(system, operatorId);
    assert.deepEqual(p2.documentsEn, p1.documentsEn);
    assert.equal(p2.documents.privacy_policy.version, p1.documents.privacy_policy.version + 1);
    assert.deepEqual(p2.documents.consent_processing, p1.documents.consent_processing);

    // The old English version stays readable at its number; the archive and the diff are per language.
    const oldN = en0.privacy_policy.version;
    const old = await policy.renderDocument(operatorId, 'privacy_policy', oldN, 'en');
    assert.equal(old.doc.sha256, en0.privacy_policy.sha256);
    assert.match(old.text, /Categories of personal data: Name;/);
    const current = await policy.renderDocument(operatorId, 'privacy_policy', undefined, 'en');
    assert.match(current.text, /Categories of personal data: First name;/);
    const enVersions = await policy.versions(operatorId, 'privacy_policy', 'en');
    assert.deepEqual(
      enVersions.map((v) => v.version),
      [oldN + 1, ...Array.from({ length: oldN }, (_, i) => oldN - i)],
    );
    assert.ok(enVersions.every((v) => v.lang === 'en' && v.url.startsWith('/en/privacy/versions/')));
    const diff = (await policy.diff(operatorId, 'privacy_policy', oldN, oldN + 1, 'en')).toString();
    assert.match(diff, /<del>[^<]*Categories of personal data: Name;/);
    assert.match(diff, /<ins>[^<]*Categories of personal data: First name;/);
    await rejectsWith(
      policy.renderDocument(operatorId, 'privacy_policy', oldN + 2, 'en'),
      ErrorCode.NotFound,
    );
  });

  it('puts English documents in force for a policy published before them, keeping the Russian versions', async () => {
    const inForce = (await policy.current(operatorId))!;
    const admin = await env.admin();
    const version = await putInForceWithoutEnglish(admin, operatorId, env.clock.now());
    // Written behind the service's back, like another process's publish: served from the cache
    // until a second has passed since the last check, then seen.
    env.clock.advance(999);
    assert.equal((await policy.current(operatorId))?.declarationVersion, version);
    env.clock.advance(1);
    const before = await policy.current(operatorId);
    assert.equal(before?.declarationVersion, version + 1);
    assert.equal(before?.documentsEn, undefined);

    // The same declaration again: a publication that links the English documents (unchanged, so
    // the versions that exist), and the Russian ones as they were.
    await policy.saveDraft(system, operatorId, inForce.declaration);
    const after = await policy.publish(system, operatorId);
    assert.equal(after.declarationVersion, version + 2);
    assert.deepEqual(after.documents, before.documents);
    assert.deepEqual(after.documentsEn, inForce.documentsEn);
    const linked = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM policy_publication_documents l JOIN policy_publications p ON p.id = l.publication_id
       WHERE p.operator_id = $1 AND p.version = $2 AND l.lang = 'en'`,
      [operatorId, version + 2],
    );
    assert.equal(linked.rows[0]!.n, DOCUMENT_KINDS.length);
    const again = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM published_documents WHERE operator_id = $1 AND publication_id = (
         SELECT id FROM policy_publications WHERE operator_id = $1 AND version = $2)`,
      [operatorId, version + 2],
    );
    assert.equal(again.rows[0]!.n, 0, 'no text changed, so no new document version');
    // And now that it is complete, the same declaration publishes nothing.
    assert.equal((await policy.publish(system, operatorId)).declarationVersion, version + 2);
  });
});
