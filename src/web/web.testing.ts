/**
 * Test support for the public site (imported by tests only): an app with every surface on a fresh
 * database, the demo clinic (served on localhost and 127.0.0.1) and its published declaration, and
 * small helpers to read forms out of pages and count what the intake wrote.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser as Chromium, BrowserContext } from 'playwright-core';
import { launchChromium } from '../../test/browser.ts';
import { createTestEnv, type TestEnv, type TestEnvOptions } from '../../test/harness.ts';
import type { App } from '../app.ts';
import { SURFACES } from '../composition/surfaces.ts';
import { ensureDemoOperator } from '../cli/demo-data.ts';
import { renderHtmlError } from '../console/index.ts';
import { Browser } from '../console/shared/console.testing.ts';
import { DEMO_DECLARATION, type DeclarationInput } from '../modules/policy/index.ts';
import { systemPrincipal } from '../modules/staff/index.ts';

export interface SiteEnv {
  env: TestEnv;
  app: App;
  operatorId: string;
  browser(ip?: string): Browser;
  /** Saves the declaration (the demo one by default) as the draft and publishes it. */
  publish(declaration?: DeclarationInput): Promise<void>;
  /** Rows in the inquiries and consent_records tables (superuser count, past row-level security). */
  counts(): Promise<{ inquiries: number; consents: number }>;
  /**
   * Loads `page` in the browser, returns the token of its form posting to `action`, and lets the
   * minimum fill time pass on the clock (10 s), as a patient filling the form in would.
   */
  filledFormToken(b: Browser, page: string, action: string): Promise<string>;
  close(): Promise<void>;
}

export async function createSiteEnv(opts: TestEnvOptions = {}): Promise<SiteEnv> {
  const env = await createTestEnv(opts);
  const { operatorId } = await ensureDemoOperator(env.ctx);
  const app = await env.app({ surfaces: SURFACES, renderHtmlError });
  const system = systemPrincipal('test');
  return {
    env,
    app,
    operatorId,
    browser: (ip = '127.0.0.1') => new Browser(app, ip),
    publish: async (declaration = DEMO_DECLARATION) => {
      await env.ctx.services.policy.saveDraft(system, operatorId, declaration);
      await env.ctx.services.policy.publish(system, operatorId);
    },
    counts: async () => {
      const admin = await env.admin();
      const { rows } = await admin.query<{ i: string; c: string }>(
        `SELECT (SELECT count(*) FROM inquiries) AS i, (SELECT count(*) FROM consent_records) AS c`,
      );
      return { inquiries: Number(rows[0]!.i), consents: Number(rows[0]!.c) };
    },
    filledFormToken: async (b, page, action) => {
      const token = formTokenOf((await b.get(page)).body, action);
      env.clock.advance(10_000);
      return token;
    },
    close: () => env.close(),
  };
}

/** The hidden form token of the form posting to `action` on a page. */
export function formTokenOf(body: string, action: string): string {
  const start = body.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `the page has no form posting to ${action}`);
  const m = /name="_form_token" value="([^"]+)"/.exec(body.slice(start));
  assert.ok(m, 'the form has no _form_token');
  return m[1]!;
}

/** Everything between a form's opening tag and its end, for asserting on one form of a page. */
export function formOf(body: string, action: string): string {
  const start = body.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `the page has no form posting to ${action}`);
  return body.slice(start, body.indexOf('</form>', start));
}

/** The demo clinic published and listening on a real port, and Chromium with one context. */
export interface SiteInBrowser {
  s: SiteEnv;
  base: string;
  browser: Chromium;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts the site for a browser test (JavaScript off unless asked, in the given locale). */
export async function openSiteInBrowser(o: {
  locale: string;
  javaScriptEnabled?: boolean;
}): Promise<SiteInBrowser> {
  const s = await createSiteEnv();
  await s.publish();
  const base = await s.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  const context = await browser.newContext({
    javaScriptEnabled: o.javaScriptEnabled ?? false,
    locale: o.locale,
  });
  mkdirSync('.test-data', { recursive: true });
  return {
    s,
    base,
    browser,
    context,
    close: async () => {
      await context.close();
      await browser.close();
      await s.close();
    },
  };
}
