import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { providerRequest } from '../../modules/outbox/senders/provider-http.ts';
import { SendFailed } from '../../modules/outbox/senders/sender.ts';
import { postWebhook } from '../../modules/webhooks/webhooks.client.ts';
import { startReceiver } from '../../modules/webhooks/webhooks.testing.ts';
import {
  isRefusedAddress,
  outboundGuard,
  parseAllowEntry,
  refusedHost,
  type Resolver,
} from './outbound-guard.ts';

/** DNS at the edge of the world: a fixed table, as a rebinding name server would answer. */
function resolver(table: Record<string, string[]>): Resolver {
  return (hostname, _family, callback) => {
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

describe('outbound guard', () => {
  const production = outboundGuard({ refuse: true });

  it('refuses loopback, link-local, private, shared, multicast and unspecified addresses in production', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '0.0.0.0',
      '169.254.169.254',
      '10.0.0.5',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.10',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.1.2.3',
      '::ffff:192.168.0.1',
      '::ffff:169.254.169.254',
    ]) {
      assert.equal(isRefusedAddress(production, a), true, a);
    }
    for (const a of ['93.184.216.34', '172.32.0.1', '100.128.0.1', '2a00:1450::1', '::ffff:93.184.216.34']) {
      assert.equal(isRefusedAddress(production, a), false, a);
    }
    // Local mode refuses nothing (tests, a CRM on the same machine).
    assert.equal(isRefusedAddress(outboundGuard({ refuse: false }), '127.0.0.1'), false);
  });

  it('checks IP literals and localhost in a URL before any lookup; other names wait for connect time', () => {
    for (const h of [
      '127.0.0.1',
      '[::1]',
      '10.0.0.1',
      '[::ffff:10.0.0.1]',
      'localhost',
      'LOCALHOST',
      'a.localhost',
    ]) {
      assert.equal(refusedHost(production, h), true, h);
    }
    for (const h of ['crm.example', '93.184.216.34', 'api.telegram.org']) {
      assert.equal(refusedHost(production, h), false, h);
    }
  });

  it('lets named exceptions through: host names, addresses and CIDR ranges', () => {
    const g = outboundGuard({ refuse: true, allow: ['crm.clinic.local', '10.20.0.0/16', '192.168.1.5'] });
    assert.equal(isRefusedAddress(g, '10.20.3.4'), false);
    assert.equal(isRefusedAddress(g, '10.21.0.1'), true);
    assert.equal(isRefusedAddress(g, '192.168.1.5'), false);
    assert.equal(isRefusedAddress(g, '192.168.1.6'), true);
    assert.equal(refusedHost(g, 'crm.clinic.local'), false);
    for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '10.0.0.0/', '']) {
      assert.equal(parseAllowEntry(bad), undefined, bad);
    }
  });

  it('refuses at connect time a name that resolves to this machine, for webhooks and provider calls', async () => {
    const r = await startReceiver();
    try {
      const port = new URL(r.url).port;
      // The name looked public when it was saved; now it resolves to loopback (DNS rebinding).
      const resolve = resolver({
        'crm.example': ['127.0.0.1'],
        'mixed.example': ['93.184.216.34', '127.0.0.1'],
      });
      const guard = outboundGuard({ refuse: true, resolve });
      for (const host of ['crm.example', 'mixed.example']) {
        const hook = await postWebhook(`http://${host}:${port}/hook`, '{}', {}, { timeoutMs: 2000, guard });
        assert.equal(hook.error, 'address_refused', host);
      }
      await assert.rejects(
        providerRequest(
          'telegram',
          `http://crm.example:${port}/bot1/sendMessage`,
          { method: 'POST', json: {} },
          {
            timeoutMs: 2000,
            guard,
          },
        ),
        (e: unknown) => e instanceof SendFailed && e.reason === 'telegram-address_refused',
      );
      await assert.rejects(
        providerRequest(
          'smsru',
          `http://127.0.0.1:${port}/sms/send`,
          { method: 'POST', json: {} },
          {
            timeoutMs: 2000,
            guard,
          },
        ),
        (e: unknown) => e instanceof SendFailed && e.reason === 'smsru-address_refused',
      );
      assert.equal(r.received.length, 0, 'nothing reached the server');

      // An exception by name, or by range, lets the same requests through.
      for (const allow of [['crm.example'], ['127.0.0.0/8']]) {
        const allowed = outboundGuard({ refuse: true, allow, resolve });
        const hook = await postWebhook(
          `http://crm.example:${port}/hook`,
          '{}',
          {},
          {
            timeoutMs: 2000,
            guard: allowed,
          },
        );
        assert.equal(hook.status, 200, allow.join());
        const reply = await providerRequest(
          'telegram',
          `http://crm.example:${port}/bot1/sendMessage`,
          { method: 'POST', json: { text: 'x' } },
          { timeoutMs: 2000, guard: allowed },
        );
        assert.equal(reply.status, 200);
      }
      assert.equal(r.received.length, 4);
    } finally {
      await r.close();
    }
  });
});
