// People page in Chromium against the real `seatbox serve --demo` (needs `npm run build`):
// create a user with roles through the form, reset their password (shown once, works for login),
// promote along the career path and see the record, and see the ratio warnings as the API has them.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'Lantern-Orbit-7731' };
let server: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDemoServer({ demoIntervalSeconds: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(server.url + '/');
  await page.getByTestId('setup-form').waitFor();
  await page.fill('#setup-username', ADMIN.username);
  await page.fill('#setup-display-name', '管理员');
  await page.fill('#setup-password', ADMIN.password);
  await page.fill('#setup-confirm', ADMIN.password);
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('user-name').waitFor();
}, 150_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
}, 60_000);

async function apiLogin(username: string, password: string): Promise<number> {
  const c = await fetch(`${server.url}/api/v1/auth/csrf`);
  const cookie = c.headers.getSetCookie().map((x) => x.split(';')[0]).join('; ');
  const { token } = (await c.json()) as { token: string };
  const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ username, password }) });
  return r.status;
}

describe('people page', () => {
  it('creates a user, resets the password, promotes along the career path, shows ratios', async () => {
    await page.goto(server.url + '/people');
    await page.getByTestId('people-page').waitFor();
    await page.getByTestId('people-user-username').fill('zhao.lead');
    await page.getByTestId('people-user-password').fill('Harbor-Stone-5521');
    await page.getByTestId('people-role-agent').uncheck();
    await page.getByTestId('people-role-team_lead').check();
    await page.getByTestId('people-user-create').click();
    const row = page.getByTestId('people-user-zhao.lead');
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('班组长');
    expect(await apiLogin('zhao.lead', 'Harbor-Stone-5521')).toBe(200);

    // Reset: the new password appears once and is the one that works now.
    await row.getByRole('button', { name: '重置密码' }).click();
    const info = page.locator('.alert-info');
    await info.waitFor();
    const password = (await info.innerText()).split('：').pop()!.trim();
    expect(password).toHaveLength(14);
    expect(await apiLogin('zhao.lead', 'Harbor-Stone-5521')).toBe(401);
    expect(await apiLogin('zhao.lead', password)).toBe(200);

    // Career: starting stage, then a move offered by the path; the record shows up.
    await row.getByRole('combobox', { name: '设定起始阶段' }).selectOption('supervisor');
    await expect.poll(() => row.innerText()).toContain('主管');
    await row.getByRole('button', { name: '晋升 / 调岗' }).click();
    await row.getByRole('combobox', { name: '调至' }).selectOption('team_lead');
    await row.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => row.innerText()).toContain('班组长');
    await row.getByRole('button', { name: '晋升记录' }).click();
    await expect.poll(() => row.getByTestId('people-promotions').innerText()).toContain('主管 → 班组长');

    // Ratios: the panel shows what the API computes, with the warning flag.
    await page.getByTestId('people-tab-ratios').click();
    await page.getByTestId('people-ratios').waitFor();
    const api = await page.evaluate(async () => (await (await fetch('/api/v1/people/ratios')).json()) as { ratios: Array<{ key: string; warning: boolean; per: number; counted: number }> });
    expect(api.ratios).toHaveLength(4);
    for (const r of api.ratios) {
      const text = await page.getByTestId(`people-ratio-${r.key}`).innerText();
      expect(text).toContain(String(r.counted));
      expect(text.includes('正常'), r.key).toBe(!r.warning);
    }
    // One team lead, no QA and no trainer: both are flagged as nobody responsible.
    expect(api.ratios.find((r) => r.key === 'qaToLeads')).toMatchObject({ per: 0, counted: 1, warning: true });
    expect(await page.getByTestId('people-ratio-qaToLeads').innerText()).toContain('无人负责');
  }, 120_000);
});
