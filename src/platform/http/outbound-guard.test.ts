import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRefusedAddress, outboundGuard, parseAllowEntry, refusedHost } from './outbound-guard.ts';

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
});
