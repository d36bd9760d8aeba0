// Browser test of Inbound → Queues and Inbound → IVR against the real `seatbox serve --demo`
// (Asterisk included): builds a queue with members (skills) and overflow seats, generates a
// TTS prompt, builds an IVR with a sub-menu, sees a loop refused next to the menus at fault,
// fixes it and saves (applied to Asterisk), adds a holiday; then a manual callback task.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { join } from 'node:path';
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

describe('inbound hotline in the web UI', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 0 });
    ({ server, page } = ui);
    const seats = await api('POST', '/seats/bulk', { from: '8001', to: '8004', namePattern: '坐席 {n}' });
    expect(seats.status).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('builds a queue with skills and overflow seats', async () => {
    await page.locator('[data-nav="/inbound/queues"]').click();
    await byTestId('queues-page').waitFor();
    await byTestId('queue-card').first().waitFor();
    // Nobody to answer: refused before saving.
    await byTestId('queues-save').click();
    await byTestId('queue-0-issues').waitFor();
    expect(await byTestId('queue-0-issues').innerText()).toContain('死胡同');
    await byTestId('queue-0-add-member').click();
    await byTestId('queue-0-member-0-seat').fill('8001');
    await byTestId('queue-0-add-member').click();
    await byTestId('queue-0-member-1-seat').fill('8002');
    await byTestId('queue-0-member-1-penalty').fill('2');
    await byTestId('queue-0-strategy').selectOption('rrmemory');
    await byTestId('queue-0-overflow-seats').fill('8003, 8004');
    await byTestId('queue-0-overflow-seats').blur();
    await byTestId('queue-0-final').selectOption('voicemail');
    await byTestId('queues-save').click();
    await byTestId('queues-saved').waitFor({ timeout: 60_000 });
    // Supervisor seats for listen / whisper / barge.
    await byTestId('monitoring-seats').fill('8004');
    await byTestId('monitoring-save').click();
    await expect.poll(async () => (await api('GET', '/hotline/monitoring')).body.supervisorSeats, { timeout: 60_000 }).toEqual(['8004']);
    await shot('inbound-01-queue');
    const q = (await api('GET', '/hotline/queues')).body.queues[0];
    expect(q).toMatchObject({ name: 'hotline', strategy: 'rrmemory', members: [{ seat: '8001', penalty: 0 }, { seat: '8002', penalty: 2 }], overflow: { seats: ['8003', '8004'], final: 'voicemail' } });
  }, 120_000);

  it('builds an IVR menu with a TTS prompt; a loop is refused next to the menus, then fixed and saved', async () => {
    await page.locator('[data-nav="/inbound/ivr"]').click();
    await byTestId('ivr-page').waitFor();
    expect(await byTestId('calendar-note').innerText()).toContain('不预置');
    // A TTS prompt.
    await byTestId('prompt-name').fill('welcome');
    await byTestId('prompt-text').fill('您好，欢迎致电。销售请按二。');
    await byTestId('prompt-tts').click();
    await page.locator('[data-testid="prompt-row"][data-name="welcome"]').waitFor({ timeout: 30_000 });
    await byTestId('menu-0-prompt').selectOption('welcome');
    // A sub-menu reached by key 2, with key 1 → seat 8002.
    await byTestId('ivr-add-menu').click();
    await byTestId('menu-1-name').fill('销售');
    await byTestId('menu-0-add-option').click();
    await byTestId('menu-0-opt-1-kind').selectOption('menu');
    await byTestId('menu-0-opt-1-target').selectOption('menu1');
    await byTestId('menu-1-add-option').click();
    await byTestId('menu-1-opt-0-kind').selectOption('seat');
    await byTestId('menu-1-opt-0-target').fill('8002');
    // The loop: silence in either menu sends the caller to the other, forever.
    await byTestId('menu-0-fallback-kind').selectOption('menu');
    await byTestId('menu-0-fallback-target').selectOption('menu1');
    await byTestId('menu-1-fallback-kind').selectOption('menu');
    await byTestId('menu-1-fallback-target').selectOption('main');
    await byTestId('ivr-save').click();
    await byTestId('ivr-issues').waitFor();
    const issues = await page.locator('[data-testid^="menu-"][data-testid$="-issues"]').allInnerTexts();
    expect(issues.join('\n')).toContain('死循环');
    expect(issues.join('\n')).toContain('"主菜单"');
    await shot('inbound-02-ivr-loop');
    expect((await api('GET', '/hotline/ivr')).body.menus).toHaveLength(1);

    await byTestId('menu-1-fallback-kind').selectOption('queue');
    await byTestId('menu-1-fallback-target').selectOption('hotline');
    await byTestId('calendar-date').fill('2026-10-01');
    await byTestId('calendar-name').fill('国庆节');
    await byTestId('calendar-add').click();
    await byTestId('ivr-save').click();
    await byTestId('ivr-saved').waitFor({ timeout: 60_000 });
    await shot('inbound-03-ivr-saved');
    const ivr = (await api('GET', '/hotline/ivr')).body;
    expect(ivr.menus.map((m: { name: string }) => m.name)).toEqual(['主菜单', '销售']);
    expect(ivr.menus[0].prompt).toBe('welcome');
    expect(ivr.menus[0].options[1]).toEqual({ digit: '2', destination: { kind: 'menu', target: 'menu1' } });
    expect(ivr.hours.holidays).toEqual([{ date: '2026-10-01', name: '国庆节' }]);
  }, 180_000);

  it('callback tasks: added by hand, listed', async () => {
    await page.locator('[data-nav="/inbound/callbacks"]').click();
    await byTestId('callbacks-page').waitFor();
    await byTestId('cb-new-number').fill('13800138000');
    await byTestId('cb-new-add').click();
    await byTestId('cb-row').first().waitFor();
    expect(await byTestId('cb-row').first().innerText()).toContain('13800138000');
    await shot('inbound-04-callbacks');
  }, 60_000);
});
