// Browser test of Outbound → Predictive dialer against the real `seatbox serve --demo`: the demo's
// predictive campaign runs with simulated agents; the page shows its live figures (updated by
// websocket frames: the dial count grows without a reload), always a status line (dialing or
// why not), and the drop cap — the only knob — is saved from the page and audited.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;
const ADMIN = { username: 'admin', displayName: '系统管理员', password: 'Lantern-Orbit-7731' };

let server: DemoServer;
let browser: Browser;
let page: Page;

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
const byTestId = (id: string) => page.getByTestId(id);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = (await (await fetch('/api/v1/auth/csrf')).json()).token as string;
      const r = await fetch(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

describe('predictive dialer page', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
    server = await startDemoServer({ demoIntervalSeconds: 3600 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(server.url + '/');
    await byTestId('setup-form').waitFor();
    await page.fill('#setup-username', ADMIN.username);
    await page.fill('#setup-display-name', ADMIN.displayName);
    await page.fill('#setup-password', ADMIN.password);
    await page.fill('#setup-confirm', ADMIN.password);
    await byTestId('setup-submit').click();
    await byTestId('user-name').waitFor();
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the demo campaign live, with its status, and saves the drop cap', async () => {
    await page.goto(server.url + '/outbound/dialer');
    const list = await api('GET', '/dialer/campaigns');
    expect(list.status).toBe(200);
    // The demo predictive campaign is among the dialing campaigns.
    const demo = await (async () => {
      for (let i = 0; i < 60; i++) {
        const r = await api('GET', '/dialer/campaigns');
        const c = r.body.campaigns.find((x: { campaignName: string }) => x.campaignName.includes('Predictive demo'));
        if (c) return c;
        await page.waitForTimeout(500);
      }
      throw new Error('no demo dialer campaign');
    })();
    const card = byTestId(`dialer-campaign-${demo.campaignId}`);
    await card.waitFor();
    // Always a status line: dialing, or why not.
    const status = await card.getByTestId('dialer-reason').textContent();
    expect(status).toMatch(/当前状态：?|当前状态/);
    expect((status ?? '').length).toBeGreaterThan(6);
    // Live by websocket frames (no reload, no polling): the status time moves on, calls are placed.
    const updated0 = await card.getByTestId('dialer-updated').textContent();
    await page.waitForFunction(
      ({ id, text }) => {
        const el = document.querySelector(`[data-testid="dialer-campaign-${id}"] [data-testid="dialer-updated"]`);
        return !!el && el.textContent !== text;
      },
      { id: demo.campaignId, text: updated0 },
      { timeout: 10_000 },
    );
    await page.waitForFunction(
      (id) => Number(document.querySelector(`[data-testid="dialer-campaign-${id}"] [data-testid="dialer-dials"]`)?.textContent ?? '0') > 0,
      demo.campaignId,
      { timeout: 30_000 },
    );
    // The simulated agents take calls: some talk time shows up on the occupancy figure.
    await page.waitForFunction(
      (id) => parseFloat(document.querySelector(`[data-testid="dialer-campaign-${id}"] [data-testid="dialer-occupancy"]`)?.textContent ?? '0') > 0,
      demo.campaignId,
      { timeout: 60_000 },
    );
    await shot('dialer-live');
    // The only knob: the drop cap.
    await card.getByTestId('dialer-cap-input').fill('2.5');
    await card.getByTestId('dialer-cap-save').click();
    await card.getByText('掉线率上限已保存。').waitFor();
    const c = await api('GET', `/campaigns/${demo.campaignId}`);
    expect(c.body.settings.dropCapPercent).toBe(2.5);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="dialer-campaign-${id}"] [data-testid="dialer-drop24h"]`)?.textContent?.includes('2.5 %'), demo.campaignId, { timeout: 10_000 });
    // Out-of-range values are refused by the API with a clear error.
    const bad = await api('PUT', `/dialer/campaigns/${demo.campaignId}/drop-cap`, { dropCapPercent: 50 });
    expect(bad.status).toBe(400);
    await shot('dialer-cap');
  }, 120_000);
});
