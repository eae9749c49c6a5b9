import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium } from '@dishpatch/shared/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { startGateway, type RunningGateway } from './support/gateway-client.js';
import { startStubAuth, startStubOrders, STUB_DISH, STUB_TOKEN, STUB_USER, type StubSubgraph } from './support/stub-subgraphs.js';

const QUERY_EDITOR = '.graphiql-query-editor';
/** The editor tools hold the variables and headers editors; the hidden one is not the headers one. */
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
/** Gitignored; look at it to see what a user sees. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../test-results');

/** Types into a GraphiQL (CodeMirror) editor the way a user would, replacing what is there. */
async function typeInto(page: Page, editorSelector: string, text: string): Promise<void> {
  await page.click(`${editorSelector} .CodeMirror`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  // Close the autocomplete list if one opened.
  await page.keyboard.press('Escape');
}

/**
 * GraphiQL re-reads the operation (and its name) 100 ms after the last keystroke and stores
 * the query at that moment; running before then would send the previous operation's name.
 */
async function waitForQueryToSettle(page: Page, text: string): Promise<void> {
  const storedQuery = () =>
    page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('graphiql:query'));
  const deadline = Date.now() + 10_000;
  while ((await storedQuery()) !== text) {
    assert.ok(Date.now() < deadline, 'GraphiQL took the typed query');
    await page.waitForTimeout(50);
  }
}

async function editorText(page: Page, editorSelector: string): Promise<string> {
  return page.$eval(`${editorSelector} .CodeMirror`, (element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/** What the page posted to /graphql and what came back, to explain a failure. */
const graphqlRequests: string[] = [];

async function runAndReadResult(page: Page, expected: string): Promise<string> {
  await page.click('.graphiql-execute-button');
  try {
    await page.locator('.graphiql-response').filter({ hasText: expected }).waitFor({ timeout: 15_000 });
  } catch (error) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'playground-failure.png') });
    throw new Error(`${String(error)}\nGraphQL requests the page sent:\n${graphqlRequests.join('\n')}`);
  }
  return (await page.textContent('.graphiql-response')) ?? '';
}

describe('offline playground in a real browser', () => {
  let auth: StubSubgraph;
  let orders: StubSubgraph;
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  const foreignRequests: string[] = [];

  before(async () => {
    auth = await startStubAuth();
    orders = await startStubOrders();
    gateway = await startGateway({ AUTH_SUBGRAPH_URL: auth.url, ORDERS_SUBGRAPH_URL: orders.url });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('response', async (response) => {
      if (!response.url().endsWith('/graphql')) return;
      const body = (response.request().postData() ?? '').slice(0, 120);
      graphqlRequests.push(`${new Date().toISOString()} ${response.status()} ${body}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(gateway.base) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
  });

  after(async () => {
    await browser?.close();
    await gateway?.app.close();
    await auth?.stop();
    await orders?.stop();
  });

  it('loads GraphiQL from the gateway alone, with the headers editor open', async () => {
    await page.goto(`${gateway.base}/`);
    await page.waitForSelector(`${QUERY_EDITOR} .CodeMirror`, { timeout: 30_000 });
    assert.match(await editorText(page, QUERY_EDITOR), /query Menu/);
    assert.ok(await page.isVisible(HEADERS_EDITOR), 'the headers editor is open');
    assert.deepEqual(foreignRequests, [], 'nothing is fetched from another origin');
  });

  it('runs a typed query and shows the result', async () => {
    await typeInto(page, QUERY_EDITOR, '{ menu { name price } }');
    assert.equal(await editorText(page, QUERY_EDITOR), '{ menu { name price } }');
    await waitForQueryToSettle(page, '{ menu { name price } }');
    const result = await runAndReadResult(page, STUB_DISH.name);
    assert.match(result, new RegExp(`"price": "${STUB_DISH.price.replace('.', '\\.')}"`));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'playground-menu.png') });
  });

  it('sends the Authorization header typed in the headers editor', async () => {
    await typeInto(page, HEADERS_EDITOR, `{ "Authorization": "${STUB_TOKEN}" }`);
    await typeInto(page, QUERY_EDITOR, '{ me { username } }');
    await waitForQueryToSettle(page, '{ me { username } }');
    const result = await runAndReadResult(page, STUB_USER.username);
    assert.match(result, /"me"/);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const screenshot = resolve(SCREENSHOT_DIR, 'playground.png');
    await page.screenshot({ path: screenshot });
    assert.ok(statSync(screenshot).size > 10_000, 'the screenshot has content');
    assert.deepEqual(foreignRequests, [], 'nothing is fetched from another origin');
  });

  it('runs a subscription (over SSE) and shows its first result, the current menu', async () => {
    const subscription = 'subscription { menuUpdates { name } }';
    // The stub's token is no real JWT: the gateway verifies subscribers' tokens itself.
    await typeInto(page, HEADERS_EDITOR, '{}');
    await typeInto(page, QUERY_EDITOR, subscription);
    await waitForQueryToSettle(page, subscription);
    const result = await runAndReadResult(page, STUB_DISH.name);
    assert.match(result, /"menuUpdates"/);
    await page.click('.graphiql-execute-button'); // the same button stops it
  });
});
