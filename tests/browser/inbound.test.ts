// Browser test of Inbound → Queues and Inbound → IVR against the real `seatbox serve --demo`
// (Asterisk included): builds a queue with members (skills) and overflow seats, generates a
// TTS prompt, builds an IVR with a sub-menu, sees a loop refused next to the menus at fault,
// fixes it and saves (applied to Asterisk), adds a holiday; then a manual callback task.
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

/** A JSON API call from the signed-in page (cookie + CSRF). */
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

describe('inbound hotline in the web UI', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
    server = await startDemoServer({ demoIntervalSeconds: 0 });
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
    const seats = await api('POST', '/seats/bulk', { from: '8001', to: '8004', namePattern: '坐席 {n}' });
    expect(seats.status).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
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
