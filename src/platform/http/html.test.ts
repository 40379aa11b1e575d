import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, raw } from './html.ts';

describe('html template', () => {
  it('escapes every interpolated string, in content and in attributes', () => {
    const evil = `<script>alert("x")</script>' onload='y' \`z\` &amp;`;
    const out = html`<p title="${evil}">${evil}</p>`.toString();
    assert.equal(out.includes('<script>'), false);
    assert.equal(out.includes(`"x"`), false);
    assert.equal(out.includes(`'y'`), false);
    assert.equal(
      out,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;y&#39; &#96;z&#96; &amp;amp;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;y&#39; &#96;z&#96; &amp;amp;</p>',
    );
  });

  it('inserts nested fragments and arrays as markup, escaping their own values', () => {
    const items = ['a<b', 'c&d'];
    // prettier-ignore
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.toString();
    assert.equal(out, '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('renders null, undefined and false as nothing, numbers and true as text', () => {
    assert.equal(html`[${null}${undefined}${false}]`.toString(), '[]');
    assert.equal(html`[${0}|${12.5}|${true}|${10n}]`.toString(), '[0|12.5|true|10]');
  });

  it('passes raw markup through only when asked', () => {
    assert.equal(html`${raw('<b>x</b>')}`.toString(), '<b>x</b>');
    assert.equal(html`${'<b>x</b>'}`.toString(), '&lt;b&gt;x&lt;/b&gt;');
    assert.equal(escapeHtml('"\''), '&quot;&#39;');
  });
});
