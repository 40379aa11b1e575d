import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_DECLARATION } from './demo-declaration.ts';
import { Declaration, type DeclarationInput } from './declaration.schemas.ts';
import { lintDeclaration, type OperatorCard } from './policy.linter.ts';
import { fieldIssuesOf } from '../../platform/validation.ts';

const CARD: OperatorCard = {
  name: 'ООО «Клиника»',
  inn: '6234000127',
  ogrn: '1256200001232',
  postalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
  responsiblePerson: 'Ответственный',
  requestsEmail: 'pd@example.ru',
  requestsPostalAddress: '390000, г. Рязань, ул. Примерная, д. 1',
};

// A deep copy of the demo to break one thing at a time.
function demo(): DeclarationInput {
  return structuredClone(DEMO_DECLARATION);
}

function lint(input: DeclarationInput, card: OperatorCard | undefined = CARD) {
  return lintDeclaration(Declaration.parse(input), card);
}

function errors(input: DeclarationInput, card?: OperatorCard) {
  return lint(input, card).filter((i) => i.level === 'error');
}

function assertError(input: DeclarationInput, code: string, path: string, card?: OperatorCard): void {
  const found = errors(input, card);
  assert.ok(
    found.some((i) => i.code === code && i.path === path),
    `expected ${code} at ${path}, got ${JSON.stringify(found.map((i) => [i.code, i.path]))}`,
  );
}

describe('declaration schema', () => {
  it('accepts the demo declaration and fills defaults', () => {
    const d = Declaration.parse(demo());
    assert.equal(d.forms.length, 5);
    const feedback = d.forms.find((f) => f.id === 'feedback')!;
    assert.equal(feedback.fields.find((f) => f.name === 'message')?.possibleHealthData, true);
    assert.equal(feedback.fields.find((f) => f.name === 'name')?.possibleHealthData, false);
  });

  it('marks free-text fields as possible health data even when told otherwise', () => {
    const d = demo();
    d.forms![1]!.fields[3] = {
      name: 'message',
      required: true,
      category: 'inquiry-text',
      possibleHealthData: false,
    };
    assert.equal(Declaration.parse(d).forms[1]!.fields[3]!.possibleHealthData, true);
  });

  it('rejects unknown keys, bad ids, unknown forms and fields, with paths', () => {
    const cases: [unknown, string][] = [
      [{ ...demo(), extra: 1 }, 'extra'],
      [{ ...demo(), version: 2 }, 'version'],
      [{ ...demo(), categories: [{ id: 'Bad Id', title: { ru: 'x' } }] }, 'categories.0.id'],
      [{ ...demo(), forms: [{ id: 'newsletter', purposeId: 'x', fields: [] }] }, 'forms.0.id'],
      [
        {
          ...demo(),
          forms: [
            { id: 'callback', purposeId: 'x', fields: [{ name: 'passport', required: true, category: 'a' }] },
          ],
        },
        'forms.0.fields.0.name',
      ],
      [
        { ...demo(), recipients: [{ id: 'r', name: 'R', kind: 'processor', country: 'usa' }] },
        'recipients.0.country',
      ],
      [{ ...demo(), categories: [{ id: 'a', title: { ru: 'x\u0000' } }] }, 'categories.0.title.ru'],
      [
        { ...demo(), purposes: [{ id: 'p', title: { ru: 'P' }, retention: { months: 0, from: 'consent' } }] },
        'purposes.0.retention.months',
      ],
    ];
    for (const [input, path] of cases) {
      const r = Declaration.safeParse(input);
      assert.equal(r.success, false, path);
      const paths = fieldIssuesOf(r.error).map((i) => i.path);
      assert.ok(paths.includes(path), `expected ${path} in ${JSON.stringify(paths)}`);
    }
  });
});

describe('declaration linter', () => {
  it('finds nothing wrong with the demo declaration', () => {
    assert.deepEqual(lint(demo()), []);
  });

  it('refuses a purpose without a retention term', () => {
    const d = demo();
    delete d.purposes![0]!.retention;
    assertError(d, 'purpose.retention', 'purposes.0.retention');
  });

  it('refuses a purpose without a legal basis', () => {
    const d = demo();
    delete d.purposes![1]!.legalBasis;
    assertError(d, 'purpose.legal_basis', 'purposes.1.legalBasis');
  });

  it('refuses a purpose with an undeclared category', () => {
    const d = demo();
    d.purposes![0]!.categories!.push('passport');
    assertError(d, 'purpose.category_undeclared', 'purposes.0.categories.4');
  });

  it('refuses a form field whose category its purpose does not declare', () => {
    const d = demo();
    // The callback form asks for a rating: declared as a category, but not by the form's purpose.
    d.forms![0]!.fields.push({ name: 'rating', required: false, category: 'rating' });
    assertError(d, 'form.field_not_in_purpose', 'forms.0.fields.2.category');
  });

  it('refuses a form field with a category declared nowhere', () => {
    const d = demo();
    d.forms![0]!.fields[1]!.category = 'passport';
    assertError(d, 'form.field_category_undeclared', 'forms.0.fields.1.category');
  });

  it('refuses a form whose purpose has no processing consent document', () => {
    const d = demo();
    d.forms![0]!.purposeId = 'site-security';
    assertError(d, 'form.no_processing_consent', 'forms.0.purposeId');
    const e = demo();
    e.forms![0]!.purposeId = 'nowhere';
    assertError(e, 'form.purpose_undeclared', 'forms.0.purposeId');
  });

  it('refuses when the operator has no address or no e-mail and no postal address for requests', () => {
    assertError(demo(), 'operator.address', 'operatorDetails.postalAddress', { ...CARD, postalAddress: '' });
    const noRequests = { ...CARD, requestsEmail: '', requestsPostalAddress: '', postalAddress: '' };
    assertError(demo(), 'requests.address', 'requests', noRequests);
    // A postal address alone is enough to publish; the missing e-mail is a warning.
    const noEmail = lint(demo(), { ...CARD, requestsEmail: '' });
    assert.ok(noEmail.some((i) => i.level === 'warning' && i.code === 'requests.email'));
  });

  it('refuses when there is no way to withdraw consent', () => {
    const d = demo();
    d.requests = { withdrawalMethods: [] };
    assertError(d, 'requests.withdrawal', 'requests.withdrawalMethods');
  });

  it('refuses a recipient abroad without a cross-border note, and accepts one in Russia', () => {
    const d = demo();
    delete d.recipients![2]!.crossBorderNote;
    assertError(d, 'recipient.cross_border', 'recipients.2.crossBorderNote');
    const ru = demo();
    delete ru.recipients![0]!.crossBorderNote;
    assert.deepEqual(errors(ru), []);
  });

  it('refuses health data processed on a basis other than consent', () => {
    const d = demo();
    d.purposes![1]!.legalBasis = 'legitimate_interests';
    d.purposes![1]!.consentDocument = null;
    assertError(d, 'purpose.special_without_consent', 'purposes.1.legalBasis');
    const alone = demo();
    alone.purposes = alone.purposes!.map((p) => ({
      ...p,
      categories: p.categories!.filter((c) => c !== 'inquiry-text'),
    }));
    alone.forms = [];
    assertError(alone, 'category.special_without_consent', 'categories.3');
  });

  it('refuses a consent basis without a consent document and an optional consent without a purpose', () => {
    const d = demo();
    d.purposes![3]!.consentDocument = null;
    assertError(d, 'purpose.consent_document', 'purposes.3.consentDocument');
    assertError(d, 'form.optional_consent_purpose', 'forms.0.optionalConsents.0');
  });

  it('refuses duplicate ids and undeclared recipients', () => {
    const d = demo();
    d.categories!.push({ id: 'identity', title: { ru: 'Ещё раз' } });
    d.purposes![0]!.recipients!.push('nobody');
    assertError(d, 'id.duplicate', 'categories.6.id');
    assertError(d, 'purpose.recipient_undeclared', 'purposes.0.recipients.3');
  });

  it('warns, without refusing, about free text in a category not marked as health data', () => {
    const d = demo();
    d.categories![3]!.special = null;
    const issues = lint(d);
    assert.ok(issues.some((i) => i.level === 'warning' && i.code === 'form.field_health'));
    assert.deepEqual(
      issues.filter((i) => i.level === 'error'),
      [],
    );
  });
});
