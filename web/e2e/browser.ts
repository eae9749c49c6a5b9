import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** Gitignored; look at them to see what a user sees. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../test-results');
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

/** Every axe-core violation seen, by screen, for the report at the end. */
export const axeFindings: { screen: string; id: string; impact: string; nodes: number }[] = [];

/**
 * One screen as it is now: no serious or critical axe-core violation, and a screenshot at a
 * phone's and a desktop's size (test-results/<name>-phone.png, -desktop.png).
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      axeFindings.push({ screen: `${name}-${size}`, id: violation.id, impact: violation.impact ?? 'unknown', nodes: violation.nodes.length });
    }
    const severe = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    assert.deepEqual(
      severe.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`),
      [],
      `serious or critical axe-core violations on ${name} at ${size} size`,
    );
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}-${size}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/** Console errors and warnings (Apollo's "Cache data may be lost" among them) and failed responses of every page, to assert there are none. */
export function collectConsoleProblems(page: Page, into: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') into.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('response', async (response) => {
    if (response.status() >= 400) into.push(`${response.status()} from ${response.url()}: ${(await response.text().catch(() => '')).slice(0, 300)}`);
  });
}
