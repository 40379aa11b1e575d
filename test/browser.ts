/**
 * Real Chromium for page tests: Debian's `chromium` driven by playwright-core (browsers cannot be
 * downloaded here, so the system binary is used). `.ci/run` installs the package.
 *
 * @example
 *   const browser = await launchChromium();
 *   const page = await browser.newPage({ javaScriptEnabled: false });
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium is not installed: apt-get install chromium (.ci/run does it).');
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core on the page; returns serious and critical violations. */
export async function seriousA11yViolations(page: Page | Frame): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) does not block it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return axe.run();
  });
  return (result.violations as { id: string; impact: string | null; help: string; nodes: unknown[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

/** A label's exact text, with or without the required-field star after it. */
export function labelled(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*\\*)?$`);
}

/** Fills fields found by their labels in a form or a frame (selects by option value). */
export async function fillByLabel(
  scope: { getByLabel(text: RegExp): Locator },
  fields: Record<string, string>,
): Promise<void> {
  for (const [label, value] of Object.entries(fields)) {
    const input = scope.getByLabel(labelled(label));
    if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
}

/**
 * Runs `action` (a click that submits a form or follows a link) and returns once `frame` shows the
 * document it leads to, loaded. `waitForLoadState()` alone is not that: right after the click, or
 * after the form's response has arrived, the frame may still hold the old, loaded document, and a
 * check would read it (which happened under load).
 *
 * @example
 *   await loadedAfter(page.mainFrame(), () => page.getByRole('link', { name: 'English' }).click());
 */
export async function loadedAfter(frame: Frame, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([frame.page().waitForEvent('framenavigated', (f) => f === frame), action()]);
  await frame.waitForLoadState();
}
