import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIELD_NAMES } from '../modules/policy/index.ts';
import { createSiteEnv, type SiteEnv } from './web.testing.ts';

const HOSTILE: Record<string, string> = {
  markup: '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
  sql: "Robert'); DROP TABLE inquiries; --",
  long: 'Ы'.repeat(10 * 1024),
  emoji: '👩🏽‍⚕️ Спасибо 🙏',
  rtl: '\u202Eمرحبا بالعالم\u202C שלום',
};

const PAGE_OF = {
  callback: '/callback',
  feedback: '/contacts',
  review: '/reviews',
  appointment: '/appointment',
  estimate: '/prices',
} as const;

describe('hostile input in every field of every form', () => {
  let s: SiteEnv;
  let n = 0;
  before(async () => {
    s = await createSiteEnv();
    await s.publish();
  });
  after(async () => {
    await s?.close();
  });

  // A fresh address per submission, so the per-address limit does not mask what is tested.
  const post = async (formId: keyof typeof PAGE_OF, fields: Record<string, string>) => {
    const b = s.browser(`198.51.100.${++n}`);
    const token = await s.filledFormToken(b, PAGE_OF[formId], `/forms/${formId}`);
    return b.post(`/forms/${formId}`, { _form_token: token, ...fields });
  };

  for (const [kind, value] of Object.entries(HOSTILE)) {
    it(`${kind}: shown escaped when the form comes back, and never a 500 or a half-written inquiry`, async () => {
      for (const formId of Object.keys(PAGE_OF) as (keyof typeof PAGE_OF)[]) {
        const all = Object.fromEntries(FIELD_NAMES.map((f) => [f, value]));
        const extra = {
          representative_name: value,
          representative_relation: value,
          on_behalf: value,
          review_show: value,
          _page: value,
        };
        // Without the consent the form always comes back, with every value typed in it.
        const refused = await post(formId, { ...all, ...extra });
        assert.equal(refused.statusCode, 400, `${formId}`);
        assert.doesNotMatch(refused.body, /<script>alert|<img src=x/);
        if (kind === 'markup')
          assert.match(refused.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img/);

        // With the consent: stored exactly or refused with field errors; nothing in between.
        const before = await s.counts();
        const declared = (await s.env.ctx.services.policy.current(s.operatorId))!.declaration.forms.find(
          (f) => f.id === formId,
        )!;
        // Hostile text in the free-text fields and names; the formatted ones valid, so it can pass.
        // A new phone and e-mail each time, so the per-contact limit does not mask what is tested.
        const valid: Record<string, string> = {
          phone: `+7912${String(1_000_000 + n).slice(-7)}`,
          email: `patient${n}@example.com`,
          rating: '5',
          preferredDate: new Date(s.env.clock.now().getTime() + 7 * 86_400_000).toISOString().slice(0, 10),
          preferredTime: '10:30',
        };
        const fields = Object.fromEntries(declared.fields.map((f) => [f.name, valid[f.name] ?? value]));
        const res = await post(formId, {
          ...fields,
          ...extra,
          consent_processing: 'yes',
          consent_review: 'yes',
        });
        const afterCounts = await s.counts();
        if (kind !== 'long') {
          assert.equal(
            res.statusCode,
            303,
            `${formId} ${kind}: ${res.statusCode} ${[...res.body.matchAll(/field-error" id="([^"]+)">([^<]*)/g)].map((m) => m[1]! + m[2]!).join('; ')}`,
          );
          assert.equal(afterCounts.inquiries, before.inquiries + 1, `${formId} ${kind}`);
        } else {
          // 10 kB is more than a name or a message may hold: a clear error beside the field.
          assert.equal(res.statusCode, 400, `${formId} ${kind}: ${res.statusCode}`);
          assert.match(res.body, /class="field-error"/);
          assert.doesNotMatch(res.body, /<script>alert|<img src=x/);
          assert.deepEqual(afterCounts, before);
        }
      }
    });
  }

  it('refuses NUL bytes and invalid UTF-8 with a clear 400, writing nothing', async () => {
    const before = await s.counts();
    for (const payload of [
      Buffer.from('name=%00&phone=1'),
      Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe]),
    ]) {
      const res = await s.app.inject({
        method: 'POST',
        url: '/forms/callback',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload,
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.headers['content-type'] as string, /text\/html/);
    }
    assert.deepEqual(await s.counts(), before);
  });

  it('keeps a name with markup exactly and shows it escaped on a refused form', async () => {
    const res = await post('callback', { name: '<b>Анна</b> & «Ко»', phone: '+79120000000' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /value="&lt;b&gt;Анна&lt;\/b&gt; &amp; «Ко»"/);
  });
});
