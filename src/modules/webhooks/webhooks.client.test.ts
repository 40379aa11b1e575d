import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboundGuard } from '../../platform/http/outbound-guard.ts';
import { errorCodeOf, postWebhook } from './webhooks.client.ts';

const OPEN = outboundGuard({ refuse: false });
const PRODUCTION = outboundGuard({ refuse: true });
import { startReceiver } from './webhooks.testing.ts';

describe('webhook HTTP client', () => {
  it('answers a status code, or a short code for a failure; never follows a redirect', async () => {
    const r = await startReceiver();
    try {
      r.respond = () => 302;
      const moved = await postWebhook(r.url, '{}', {}, { timeoutMs: 2000, guard: OPEN });
      assert.equal(moved.status, 302);
      assert.equal(r.received.length, 1);
      const refused = await postWebhook(
        r.url.replace('127.0.0.1', 'localhost'),
        '{}',
        {},
        {
          timeoutMs: 2000,
          guard: PRODUCTION,
        },
      );
      assert.deepEqual([refused.status, refused.error], [undefined, 'address_refused']);
      assert.equal(r.received.length, 1, 'nothing was sent');
      const bad = await postWebhook('not a url', '{}', {}, { timeoutMs: 2000, guard: OPEN });
      assert.equal(bad.error, 'bad_url');
    } finally {
      await r.close();
    }
    assert.equal(errorCodeOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'connection_refused');
    assert.equal(errorCodeOf(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' })), 'tls_failed');
    assert.equal(errorCodeOf(Object.assign(new Error('x'), { code: 'ENOTFOUND' })), 'dns_failed');
    assert.equal(errorCodeOf('weird'), 'network_error');
  });
});
