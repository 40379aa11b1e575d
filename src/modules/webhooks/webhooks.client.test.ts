import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodeOf, isLocalAddress, postWebhook } from './webhooks.client.ts';
import { startReceiver } from './webhooks.test-support.ts';

describe('webhook HTTP client', () => {
  it('knows which addresses production refuses (this machine, link-local, unspecified, multicast)', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '0.0.0.0',
      '169.254.169.254',
      '::1',
      '::',
      'fe80::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ]) {
      assert.equal(isLocalAddress(a), true, a);
    }
    for (const a of [
      '10.0.0.5',
      '192.168.1.10',
      '172.16.0.1',
      '93.184.216.34',
      '2a00:1450::1',
      'crm.example',
    ]) {
      assert.equal(isLocalAddress(a), false, a);
    }
  });

  it('answers a status code, or a short code for a failure; never follows a redirect', async () => {
    const r = await startReceiver();
    try {
      r.respond = () => 302;
      const moved = await postWebhook(r.url, '{}', {}, { timeoutMs: 2000, refuseLocal: false });
      assert.equal(moved.status, 302);
      assert.equal(r.received.length, 1);
      const refused = await postWebhook(
        r.url.replace('127.0.0.1', 'localhost'),
        '{}',
        {},
        {
          timeoutMs: 2000,
          refuseLocal: true,
        },
      );
      assert.deepEqual([refused.status, refused.error], [undefined, 'address_refused']);
      assert.equal(r.received.length, 1, 'nothing was sent');
      const bad = await postWebhook('not a url', '{}', {}, { timeoutMs: 2000, refuseLocal: false });
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
