import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestEnv, type TestEnv } from '../../../test/harness.ts';

/** The CSP's directives as a map of name to sources. */
function parseCsp(header: unknown): Map<string, string[]> {
  assert.equal(typeof header, 'string', 'a Content-Security-Policy header is sent');
  return new Map(
    (header as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  let http: TestEnv;
  let https: TestEnv;
  before(async () => {
    [http, https] = await Promise.all([
      createTestEnv(),
      createTestEnv({ env: { SOGLASIE_PUBLIC_URL: 'https://clinic.example.ru' } }),
    ]);
  });
  after(async () => {
    await Promise.all([http.close(), https.close()]);
  });

  it('sends a CSP without inline scripts or styles that forbids framing', async () => {
    const app = await http.app();
    for (const url of ['/healthz', '/no-such-page']) {
      const res = await app.inject({ method: 'GET', url });
      const csp = parseCsp(res.headers['content-security-policy']);
      assert.doesNotMatch(String(res.headers['content-security-policy']), /unsafe-inline|unsafe-eval|\*/);
      assert.deepEqual(csp.get('default-src'), ["'self'"]);
      assert.deepEqual(csp.get('script-src'), ["'self'"]);
      assert.deepEqual(csp.get('style-src'), ["'self'"]);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(csp.get('object-src'), ["'none'"]);
      assert.deepEqual(csp.get('base-uri'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'self'"]);
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'same-origin');
    }
  });

  it('sends no HSTS when served over plain http', async () => {
    const res = await (await http.app()).inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  it('sends HSTS when the public URL is https', async () => {
    const res = await (await https.app()).inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  });
});
