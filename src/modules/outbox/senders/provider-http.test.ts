import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { outboundGuard } from '../../../platform/http/outbound-guard.ts';
import { fixedResolver } from '../../../platform/http/outbound-guard.testing.ts';
import { providerRequest } from './provider-http.ts';
import { SendFailed } from './sender.ts';

describe('provider requests through the outbound guard', () => {
  it('refuses at connect time a name that resolves to this machine, unless it is a named exception', async () => {
    let received = 0;
    const server = createServer((_req, res) => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      // The name looked public when it was saved; now it resolves to loopback (DNS rebinding).
      const resolve = fixedResolver({ 'crm.example': ['127.0.0.1'] });
      const guard = outboundGuard({ refuse: true, resolve });
      await assert.rejects(
        providerRequest(
          'telegram',
          `http://crm.example:${port}/bot1/sendMessage`,
          { method: 'POST', json: {} },
          { timeoutMs: 2000, guard },
        ),
        (e: unknown) => e instanceof SendFailed && e.reason === 'telegram-address_refused',
      );
      await assert.rejects(
        providerRequest(
          'smsru',
          `http://127.0.0.1:${port}/sms/send`,
          { method: 'POST', json: {} },
          { timeoutMs: 2000, guard },
        ),
        (e: unknown) => e instanceof SendFailed && e.reason === 'smsru-address_refused',
      );
      assert.equal(received, 0, 'nothing reached the server');

      // An exception by name, or by range, lets the same request through.
      for (const allow of [['crm.example'], ['127.0.0.0/8']]) {
        const allowed = outboundGuard({ refuse: true, allow, resolve });
        const reply = await providerRequest(
          'telegram',
          `http://crm.example:${port}/bot1/sendMessage`,
          { method: 'POST', json: { text: 'x' } },
          { timeoutMs: 2000, guard: allowed },
        );
        assert.equal(reply.status, 200, allow.join());
      }
      assert.equal(received, 2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
