// Browser test of Outbound → Predictive dialer against the real `seatbox serve --demo`: the demo's
// predictive campaign runs with simulated agents; the page shows its live figures (updated by
// websocket frames: the dial count grows without a reload), always a status line (dialing or
// why not), and the drop cap — the only knob — is saved from the page and audited.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSignedIn, type BrowserSession } from '../support/browser.js';
import type { DemoServer } from '../support/demo-server.js';

let ui: BrowserSession;
let server: DemoServer;
let page: Page;
const byTestId = (id: string) => page.getByTestId(id);
const api = (method: string, path: string, body?: unknown) => ui.api(method, path, body);
const shot = (name: string) => ui.shot(name);

describe('predictive dialer page', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 3600 });
    ({ server, page } = ui);
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

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
