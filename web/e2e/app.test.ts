/**
 * The web app end to end: the gateway serving its production build at /app/, the subgraphs and
 * the worker as real processes (a short kitchen clock), and Debian's Chromium as the users.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requestGraphQL } from '../../scripts/lib/graphql-client.js';
import { createSystem, type TestSystem } from '../../system-tests/test/support/system.js';
import { launchChromium } from '@dishpatch/shared/testing/browser';
import { axeFindings, checkScreen, collectConsoleProblems } from './browser.js';

const MANAGER = { email: 'manager@e2e.test', username: 'e2e-manager', password: 'manager-password-1' };
const CHEF = { email: 'chef@e2e.test', username: 'e2e-chef', password: 'chef-password-1' };
const WAIT = { timeout: 20_000 };

describe('the web app in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;
  let appUrl: string;
  const consoleProblems: string[] = [];
  const contexts: BrowserContext[] = [];

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    return requestGraphQL<T>(system.graphqlUrl, query, { variables, ...(token ? { token } : {}) });
  }
  async function tokenOf(account: { email: string; password: string }): Promise<string> {
    const data = await graphql<{ login: { accessToken: string } }>('mutation($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email: account.email, password: account.password },
    });
    return data.login.accessToken;
  }
  async function register(account: { email: string; username: string; password: string }): Promise<string> {
    const data = await graphql<{ register: { user: { id: string } } }>('mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: account });
    return data.register.user.id;
  }
  async function createDish(managerToken: string, input: Record<string, unknown>): Promise<void> {
    await graphql('mutation($input: CreateDishInput!) { createDish(input: $input) { id } }', { input }, managerToken);
  }

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    collectConsoleProblems(page, consoleProblems);
    return page;
  }
  async function signIn(page: Page, account: { email: string; password: string }): Promise<void> {
    await page.goto(`${appUrl}sign-in`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
  }

  before(async () => {
    system = await createSystem('web_e2e', { ORDER_TICK_MS: '250', ORDER_STAGE_SECONDS: '3' });
    await system.start();
    appUrl = `${system.gatewayBase}/app/`;
    // As the README says a manager is made: from the repository root, on the system's databases.
    execFileSync('npm', ['run', '--silent', 'create-manager', '--', '--email', MANAGER.email, '--password', MANAGER.password, '--username', MANAGER.username], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: system.env,
      stdio: 'pipe',
    });
    const managerToken = await tokenOf(MANAGER);
    const chefId = await register(CHEF);
    await graphql('mutation($id: ID!) { setUserRole(userId: $id, role: CHEF) { id } }', { id: chefId }, managerToken);
    await createDish(managerToken, { name: 'Margherita', description: 'Tomato, fior di latte, basil', price: '9.50', quantity: 40 });
    await createDish(managerToken, { name: 'Tiramisù', description: 'Mascarpone, espresso, cocoa', price: '6.50', quantity: 2 });
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await system?.stop();
    if (axeFindings.length > 0) console.log(`axe-core findings (none serious or critical):\n${axeFindings.map((finding) => `  ${finding.screen}: ${finding.id} (${finding.impact}, ${finding.nodes} nodes)`).join('\n')}`);
  });

  it('serves the build at /app/ with its client routes, content types and cache headers', async () => {
    const page = await fetch(`${appUrl}kitchen`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    assert.ok(script, 'index.html names its script');
    const asset = await fetch(`${system.gatewayBase}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    await asset.body?.cancel();
    const uncompressed = await fetch(`${system.gatewayBase}${script}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(uncompressed.headers.get('content-encoding'), null);
    assert.match(await uncompressed.text(), /^[\s\S]{1000}/);
    assert.equal((await fetch(`${appUrl}assets/gone-0000.js`)).status, 404);
  });

  it('a customer orders once on a double click and watches it reach DONE while the chef sees it move on the board', async () => {
    const customer = await newPage();
    await customer.goto(`${appUrl}register`);
    await checkScreen(customer, 'register');
    await customer.getByLabel('Username').fill('e2e-customer');
    await customer.getByLabel('Email').fill('customer@e2e.test');
    await customer.getByLabel('Password').fill('customer-password-1');
    await customer.getByRole('button', { name: 'Register' }).click();
    await customer.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);

    const chef = await newPage();
    await signIn(chef, CHEF);
    await chef.getByRole('heading', { name: 'Kitchen board' }).waitFor(WAIT);
    await checkScreen(chef, 'kitchen-empty');

    await customer.getByRole('button', { name: 'Add Margherita to the cart' }).click();
    await customer.getByRole('button', { name: 'Add Margherita to the cart' }).click();
    await customer.getByLabel('Special requests').fill('No basil, please');
    await checkScreen(customer, 'menu-with-cart');
    await customer.getByRole('button', { name: 'Place order' }).dblclick();
    await customer.getByRole('status').getByText(/Order placed/).waitFor(WAIT);

    const waiting = chef.locator('[data-status="WAITING"]').getByRole('listitem').filter({ hasText: 'e2e-customer' });
    await waiting.waitFor(WAIT);
    await checkScreen(chef, 'kitchen-board');
    await chef.locator('[data-status="IN_PROGRESS"]').getByRole('listitem').filter({ hasText: 'e2e-customer' }).waitFor(WAIT);

    await customer.getByRole('link', { name: 'My orders' }).click();
    const status = customer.getByTestId('order-status');
    await status.filter({ hasText: 'Done' }).waitFor(WAIT);
    assert.equal(await status.count(), 1, 'the double click placed one order');
    await checkScreen(customer, 'my-orders');
    // Done orders leave the board.
    await chef.locator('[data-status="IN_PROGRESS"]').getByRole('listitem').filter({ hasText: 'e2e-customer' }).waitFor({ state: 'detached', ...WAIT });
  });

  it('a manager adds a dish and it appears in a customer menu that is open, without a reload', async () => {
    const customer = await newPage();
    await customer.goto(appUrl);
    await customer.getByRole('heading', { name: 'Margherita' }).waitFor(WAIT);

    const manager = await newPage();
    await signIn(manager, MANAGER);
    await manager.getByRole('heading', { name: 'Dishes', level: 1 }).waitFor(WAIT);
    const form = manager.getByRole('form', { name: 'New dish' });
    await form.getByLabel('Name').fill('Panna Cotta');
    await form.getByLabel('Price').fill('-1');
    await form.getByLabel('Stock').fill('12');
    await form.getByRole('button', { name: 'Add dish' }).click();
    // A field error shows at its field.
    await form.getByLabel('Price').and(manager.locator('[aria-invalid="true"]')).waitFor(WAIT);
    await checkScreen(manager, 'dishes-field-error');
    await form.getByLabel('Price').fill('6.00');
    await form.getByRole('button', { name: 'Add dish' }).click();
    await manager.getByRole('status').getByText('Panna Cotta was added to the menu.').waitFor(WAIT);
    await manager.getByRole('form', { name: 'Edit Panna Cotta' }).waitFor(WAIT);
    await checkScreen(manager, 'dishes');

    await customer.getByRole('heading', { name: 'Panna Cotta' }).waitFor(WAIT);
    await checkScreen(customer, 'menu');
  });

  it('a manager changes roles; the user sees the new role at once, without signing in again', async () => {
    const cook = { email: 'new-cook@e2e.test', username: 'new-cook', password: 'new-cook-password' };
    await register(cook);
    const manager = await newPage();
    await signIn(manager, MANAGER);
    await manager.getByRole('link', { name: 'Staff' }).click();
    await manager.getByLabel('Role of new-cook').selectOption('CHEF');
    await manager.getByRole('row', { name: /new-cook/ }).getByRole('button', { name: 'Save' }).click();
    await manager.getByRole('status').getByText('new-cook is now chef.').waitFor(WAIT);
    await checkScreen(manager, 'staff');

    // A reload keeps the session (the refresh token is in sessionStorage).
    const kitchen = await newPage();
    await signIn(kitchen, cook);
    await kitchen.reload();
    await kitchen.getByRole('heading', { name: 'Kitchen board' }).waitFor(WAIT);
    await kitchen.getByText('Signed in as new-cook (chef)').waitFor(WAIT);

    // The server refuses the cook's token once the role changes and ends the live board: the app
    // refreshes the session, which carries the new role, and the board closes.
    await manager.getByLabel('Role of new-cook').selectOption('CUSTOMER');
    await manager.getByRole('row', { name: /new-cook/ }).getByRole('button', { name: 'Save' }).click();
    await kitchen.getByText('Signed in as new-cook (customer)').waitFor(WAIT);
    await kitchen.getByText('Your role cannot see this page.').waitFor(WAIT);
    assert.equal(await kitchen.getByRole('link', { name: 'Kitchen' }).count(), 0);

    await manager.getByLabel(`Role of ${MANAGER.username}`).selectOption('CUSTOMER');
    await manager.getByRole('row', { name: new RegExp(MANAGER.username) }).getByRole('button', { name: 'Save' }).click();
    await manager.getByRole('alert').getByText(/last manager/).waitFor(WAIT);
    assert.equal(await manager.getByLabel(`Role of ${MANAGER.username}`).inputValue(), 'MANAGER');
  });

  it('tells the customer which dish is out of stock, in English and in Russian', async () => {
    const customer = await newPage();
    await customer.goto(`${appUrl}sign-in`);
    await checkScreen(customer, 'sign-in');
    await signIn(customer, { email: 'customer@e2e.test', password: 'customer-password-1' });
    await customer.goto(appUrl);
    const add = customer.getByRole('button', { name: 'Add Tiramisù to the cart' });
    await add.click();
    await customer.getByLabel('Tiramisù').fill('3');
    await customer.getByRole('button', { name: 'Place order' }).click();
    await customer.getByRole('alert').getByText('Not enough Tiramisù in stock: lower the quantity.').waitFor(WAIT);
    await checkScreen(customer, 'menu-out-of-stock');

    await customer.getByLabel('Language').selectOption('ru');
    await customer.getByRole('heading', { name: 'Меню', level: 1 }).waitFor(WAIT);
    await customer.getByRole('button', { name: 'Оформить заказ' }).click();
    await customer.getByRole('alert').getByText('Недостаточно «Tiramisù» на складе: уменьшите количество.').waitFor(WAIT);
    await checkScreen(customer, 'menu-russian');
  });

  it('the chef advances and cancels from the board, and a customer cancels a WAITING order', async () => {
    // With the kitchen clock stopped, orders stay where people put them (and live events stop:
    // what shows here comes from the mutations' own answers).
    await system.services.get('worker')!.stop(10_000);
    const customer = await newPage();
    await signIn(customer, { email: 'customer@e2e.test', password: 'customer-password-1' });
    for (let placed = 0; placed < 2; placed += 1) {
      await customer.goto(appUrl);
      await customer.getByRole('button', { name: 'Add Margherita to the cart' }).click();
      await customer.getByRole('button', { name: 'Place order' }).click();
      await customer.getByRole('status').getByText(/Order placed/).waitFor(WAIT);
    }

    const chef = await newPage();
    await signIn(chef, CHEF);
    const waiting = chef.locator('[data-status="WAITING"]').getByRole('listitem').filter({ hasText: 'e2e-customer' });
    const inProgress = chef.locator('[data-status="IN_PROGRESS"]').getByRole('listitem').filter({ hasText: 'e2e-customer' });
    await waiting.first().waitFor(WAIT);
    assert.equal(await waiting.count(), 2);
    await waiting.first().getByRole('button', { name: 'Start cooking' }).click();
    await inProgress.waitFor(WAIT);
    await chef.getByRole('status').getByText('Order for e2e-customer: In progress.').waitFor(WAIT);
    // Focus followed the order to its new column.
    assert.equal(await chef.evaluate(() => document.activeElement?.id), 'column-IN_PROGRESS');
    await inProgress.getByRole('button', { name: 'Cancel' }).click();
    await inProgress.waitFor({ state: 'detached', ...WAIT });

    await customer.getByRole('link', { name: 'My orders' }).click();
    await customer.getByTestId('order-status').filter({ hasText: 'Cancelled' }).waitFor(WAIT);
    await customer.getByRole('button', { name: 'Cancel order' }).click();
    await customer.getByRole('status').getByText('The order was cancelled.').waitFor(WAIT);
    assert.equal(await customer.getByTestId('order-status').filter({ hasText: 'Cancelled' }).count(), 2);
    assert.equal(await customer.getByRole('button', { name: 'Cancel order' }).count(), 0);
  });

  it('leaves nothing in the console (no "Cache data may be lost" warnings)', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
