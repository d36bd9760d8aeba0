// Browser test of Outbound → SMS against the real `seatbox serve --demo` (Asterisk included, and
// the simulated EC25 modem on a socat pty pair): the modem card shows ready with operator and
// signal, a new template's live counter switches GSM-7 → UCS-2 and counts parts, the dry run
// shows the eligible count and a rendered sample, a bulk send shows progress frames and stops on
// cancel, and a simulated "退订" reply lands in the inbox as an opt-out.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignedIn, type BrowserSession } from '../support/browser.js';

let ui: BrowserSession;
let page: Page;
const byTestId = (id: string) => page.getByTestId(id);
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]]));

describe('SMS in the web UI (demo modem)', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 3600, acceptDialogs: true });
    page = ui.page;
    // Calling hours all day so the bulk send goes now, and a fast rate so progress shows quickly.
    const campaigns = (await ui.api('GET', '/campaigns')).body.campaigns as Array<{ id: number; name: string }>;
    const demo = campaigns.find((c) => c.name === '演示活动 Demo')!;
    expect((await ui.api('PUT', `/campaigns/${demo.id}`, { settings: { hours: { timezone: 'Asia/Shanghai', weekly: ALL_DAY, holidays: [] } } })).status).toBe(200);
    const s = (await ui.api('GET', '/sms/settings')).body;
    expect((await ui.api('PUT', '/sms/settings', { ...s, ratePerMinute: 60 })).status).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('modem card: the simulated EC25 is ready with operator and signal', async () => {
    await page.goto(`${ui.server.url}/outbound/sms`);
    await byTestId('sms-page').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="sms-modem"]')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });
    expect(await byTestId('sms-modem-state').innerText()).toBe('就绪');
    expect(await byTestId('sms-operator').innerText()).toBe('CHINA MOBILE');
    expect(await byTestId('sms-signal').getAttribute('data-signal')).toBe('23');
    await ui.shot('sms-modem');
  });

  it('template editor: live counter (GSM-7 → UCS-2, parts) and save', async () => {
    await byTestId('sms-tab-templates').click();
    await byTestId('sms-tpl-row').first().waitFor(); // the demo templates
    await byTestId('sms-tpl-new').click();
    await byTestId('sms-tpl-name').fill('Test');
    await byTestId('sms-tpl-body').fill('Hello {{name}}');
    expect(await byTestId('sms-tpl-form').getByTestId('sms-counter').getAttribute('data-encoding')).toBe('gsm7');
    await byTestId('sms-tpl-body').fill('{{name}}您好，' + '优惠'.repeat(40));
    const counter = byTestId('sms-tpl-form').getByTestId('sms-counter');
    expect(await counter.getAttribute('data-encoding')).toBe('ucs2');
    expect(await counter.getAttribute('data-parts')).toBe('2');
    expect(await counter.innerText()).toContain('UCS-2');
    await byTestId('sms-tpl-save').click();
    await byTestId('sms-note').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sms-tpl-row"]').length === 3);
  });

  it('bulk: dry run with sample, send with live progress, cancel', async () => {
    await byTestId('sms-tab-send').click();
    await byTestId('sms-bulk-template').selectOption({ label: '活动通知' });
    await byTestId('sms-bulk-preview').click();
    await byTestId('sms-preview').waitFor();
    const eligible = Number(await byTestId('sms-preview-eligible').innerText());
    expect(eligible).toBeGreaterThan(100);
    const sample = await byTestId('sms-sample').innerText();
    expect(sample).toMatch(/^.{2,3}您好，.+本周会员活动开始了/);
    expect(sample).not.toContain('{{');
    await ui.shot('sms-preview');
    await byTestId('sms-bulk-send').click(); // the confirm dialog is accepted
    await byTestId('sms-note').waitFor();
    const row = byTestId('sms-batch-row').first();
    await row.waitFor();
    // Live sms.progress frames move the counts while the simulated modem sends.
    await page.waitForFunction(() => /^已发 [2-9]/.test(document.querySelector('[data-testid="sms-batch-counts"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await ui.shot('sms-progress');
    await row.getByTestId('sms-batch-cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="sms-batch-row"]')?.getAttribute('data-state') === 'cancelled', undefined, { timeout: 20_000 });
    const batches = (await ui.api('GET', '/sms/batches')).body.batches;
    expect(batches[0].state).toBe('cancelled');
    expect(batches[0].counts.skipped).toBeGreaterThan(50);
    // The outbox filtered to delivered: the simulated network's +CDS reports arrived.
    await byTestId('sms-tab-outbox').click();
    await byTestId('sms-out-state').selectOption('delivered');
    await page.locator('[data-testid="sms-out-row"][data-state="delivered"]').first().waitFor({ timeout: 20_000 });
    expect(await byTestId('sms-outbox').innerText()).toContain('已送达');
  }, 90_000);

  it('a simulated "退订" reply lands in the inbox as an opt-out and blocks the number', async () => {
    await byTestId('sms-tab-inbox').click();
    await byTestId('sms-demo').waitFor();
    await byTestId('sms-demo-from').fill('+8613912345678');
    await byTestId('sms-demo-text').fill('退订');
    await byTestId('sms-demo-send').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="sms-in-row"]')?.getAttribute('data-optout') === 'true', undefined, { timeout: 20_000 });
    expect(await byTestId('sms-in-row').first().innerText()).toContain('退订');
    const dnc = (await ui.api('GET', '/dnc?search=13912345678')).body;
    expect(JSON.stringify(dnc)).toContain('opt_out');
    await ui.shot('sms-inbox');
  }, 60_000);
});
