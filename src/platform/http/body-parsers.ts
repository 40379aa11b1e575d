/**
 * Strict body parsers. JSON and URL-encoded forms are decoded as UTF-8 with invalid sequences
 * rejected (not silently replaced), and any NUL character is refused: both get a clear 400 before a
 * handler runs, so nothing half-valid reaches a service.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, ErrorCode } from '../errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new AppError(ErrorCode.BadRequest, 'The request body is not valid UTF-8');
  }
}

function refuseNul(s: string): void {
  if (s.includes('\u0000')) throw new AppError(ErrorCode.BadRequest, 'NUL characters are not allowed');
}

/** Parses `a=1&b=2`; repeated names become arrays; malformed percent-encoding is a 400. */
export function parseUrlEncoded(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new AppError(ErrorCode.BadRequest, 'The form is not valid UTF-8 URL encoding');
    }
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    refuseNul(key);
    refuseNul(value);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    try {
      const text = decodeUtf8(body);
      // Escaped NULs (\u0000) survive JSON.parse as real NULs; refuse both forms.
      refuseNul(text);
      if (/\\u0000/i.test(text)) throw new AppError(ErrorCode.BadRequest, 'NUL characters are not allowed');
      if (text.trim() === '') throw new AppError(ErrorCode.InvalidJson, 'The request body is empty');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));
      } catch {
        throw new AppError(ErrorCode.InvalidJson, 'The request body is not valid JSON');
      }
      done(null, parsed);
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (req, body: Buffer, done) => {
      try {
        // The JSON API takes JSON only: a form posted at it is refused rather than half-understood.
        if (req.url.startsWith('/api/')) {
          throw new AppError(ErrorCode.UnsupportedMediaType, 'This API accepts application/json only');
        }
        done(null, parseUrlEncoded(decodeUtf8(body)));
      } catch (e) {
        done(e as Error, undefined);
      }
    },
  );
}
