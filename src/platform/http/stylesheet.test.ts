import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { BASE_CSS_TEXT, serveStylesheet, stylesheet } from './stylesheet.ts';

describe('stylesheets', () => {
  it('links a stylesheet under a URL that changes with its text, served with a year of caching', async () => {
    const a = stylesheet('/assets/base.css', 'a { color: red; }');
    const b = stylesheet('/assets/base.css', 'a { color: blue; }');
    assert.match(a.href, /^\/assets\/base\.css\?v=[0-9a-f]{12}$/);
    assert.notEqual(a.href, b.href);
    assert.equal(stylesheet('/assets/base.css', 'a { color: red; }').href, a.href);

    const app = Fastify();
    serveStylesheet(app, a);
    const res = await app.inject({ method: 'GET', url: a.href });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.body, 'a { color: red; }');
    await app.close();
  });

  it('the shared base takes its palette from the surface (no colour of its own but white)', () => {
    assert.match(BASE_CSS_TEXT, /:focus-visible/);
    const colours = BASE_CSS_TEXT.replace(/\/\*[\s\S]*?\*\//g, '').match(/#[0-9a-f]{3,8}\b/gi) ?? [];
    assert.deepEqual([...new Set(colours)], ['#fff']);
  });
});
