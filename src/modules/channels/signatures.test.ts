import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hmacSha256Hex,
  MAX_SIGNATURE_AGE_MS,
  safeEqual,
  signTimestamped,
  verifyHubSignature,
  verifySecretHeader,
  verifyTimestamped,
} from './signatures.ts';

describe('webhook signatures', () => {
  it("computes Meta's X-Hub-Signature-256 as documented (HMAC-SHA256 of the raw body, app secret as key)", () => {
    // The published example of a WhatsApp SDK: compute_signature("test", "secret").
    assert.equal(
      hmacSha256Hex('secret', Buffer.from('test')),
      '0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
    );
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const header = `sha256=${hmacSha256Hex('app-secret', body)}`;
    assert.equal(verifyHubSignature(body, header, 'app-secret'), true);
    assert.equal(
      verifyHubSignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), 'app-secret'),
      true,
    );
    // Another secret, one byte more, the same JSON spelled differently, no prefix, no header.
    assert.equal(verifyHubSignature(body, header, 'other-secret'), false);
    assert.equal(verifyHubSignature(Buffer.concat([body, Buffer.from(' ')]), header, 'app-secret'), false);
    const respaced = Buffer.from('{"object": "whatsapp_business_account", "entry": []}');
    assert.equal(verifyHubSignature(respaced, header, 'app-secret'), false);
    assert.equal(verifyHubSignature(body, header.slice(7), 'app-secret'), false);
    assert.equal(verifyHubSignature(body, undefined, 'app-secret'), false);
  });

  it('compares shared-secret headers (Telegram, MAX) exactly, whatever the lengths', () => {
    assert.equal(verifySecretHeader('s3cr3t-token_A', 's3cr3t-token_A'), true);
    assert.equal(verifySecretHeader('s3cr3t-token_a', 's3cr3t-token_A'), false);
    assert.equal(verifySecretHeader('s3cr3t-token_A ', 's3cr3t-token_A'), false);
    assert.equal(verifySecretHeader('', 's3cr3t-token_A'), false);
    assert.equal(verifySecretHeader(undefined, 's3cr3t-token_A'), false);
    // A connection without a secret accepts nothing, not even an empty header.
    assert.equal(verifySecretHeader('', ''), false);
    assert.equal(verifySecretHeader('x', undefined), false);
    assert.equal(safeEqual('a', 'a'), true);
    assert.equal(safeEqual('a', 'ab'), false);
  });

  it('accepts our timestamped HMAC up to exactly five minutes either way, not a millisecond more', () => {
    const secret = 'pbx-secret';
    const body = Buffer.from('{"id":"e1"}');
    const ts = 1_772_442_000; // 2026-03-02T09:00:00Z
    const sig = signTimestamped(secret, ts, body);
    assert.equal(sig, `sha256=${hmacSha256Hex(secret, `${ts}.{"id":"e1"}`)}`);
    const at = (ms: number) => new Date(ts * 1000 + ms);
    const check = (now: Date, s = sig, t = String(ts)) =>
      verifyTimestamped(body, { timestamp: t, signature: s }, secret, now);
    assert.equal(check(at(0)), 'ok');
    assert.equal(check(at(MAX_SIGNATURE_AGE_MS)), 'ok');
    assert.equal(check(at(MAX_SIGNATURE_AGE_MS + 1)), 'stale');
    assert.equal(check(at(-MAX_SIGNATURE_AGE_MS)), 'ok');
    assert.equal(check(at(-MAX_SIGNATURE_AGE_MS - 1)), 'stale');
    // The timestamp is signed: moving it breaks the signature rather than passing as fresh.
    assert.equal(check(at(0), sig, String(ts + 1)), 'bad_signature');
    assert.equal(check(at(0), signTimestamped('other', ts, body)), 'bad_signature');
    assert.equal(check(at(0), sig, '1.5e9'), 'bad_signature');
    assert.equal(
      verifyTimestamped(body, { timestamp: undefined, signature: sig }, secret, at(0)),
      'bad_signature',
    );
    assert.equal(
      verifyTimestamped(body, { timestamp: String(ts), signature: undefined }, secret, at(0)),
      'bad_signature',
    );
    // A bad signature is reported as such even when stale: an unsigned request learns nothing.
    assert.equal(check(at(MAX_SIGNATURE_AGE_MS + 1), signTimestamped('other', ts, body)), 'bad_signature');
  });
});
