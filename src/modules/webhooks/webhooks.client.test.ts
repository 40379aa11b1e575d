import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboundGuard } from '../../platform/http/outbound-guard.ts';
import { fixedResolver } from '../../platform/http/outbound-guard.testing.ts';
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

  it('refuses at connect time a name that resolves to this machine, unless it is a named exception', async () => {
    const r = await startReceiver();
    try {
      const port = new URL(r.url).port;
      // The name looked public when it was saved; now it resolves to loopback (DNS rebinding).
      const resolve = fixedResolver({
        'crm.example': ['127.0.0.1'],
        'mixed.example': ['93.184.216.34', '127.0.0.1'],
      });
      const guard = outboundGuard({ refuse: true, resolve });
      for (const host of ['crm.example', 'mixed.example']) {
        const hook = await postWebhook(`http://${host}:${port}/hook`, '{}', {}, { timeoutMs: 2000, guard });
        assert.equal(hook.error, 'address_refused', host);
      }
      assert.equal(r.received.length, 0, 'nothing reached the server');

      // An exception by name, or by range, lets the same request through.
      for (const allow of [['crm.example'], ['127.0.0.0/8']]) {
        const allowed = outboundGuard({ refuse: true, allow, resolve });
        const hook = await postWebhook(
          `http://crm.example:${port}/hook`,
          '{}',
          {},
          { timeoutMs: 2000, guard: allowed },
        );
        assert.equal(hook.status, 200, allow.join());
      }
      assert.equal(r.received.length, 2);
    } finally {
      await r.close();
    }
  });
});
