// Browser test of Agents & Seats → Live board and Agents against the real `seatbox serve
// --demo`: an agent goes ready → paused (reason) → ready; the board follows over the
// websocket (no polling) with the state duration counting; both languages.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots there.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;
const ADMIN = { username: 'admin', password: 'Lantern-Orbit-7731' };

let server: DemoServer;
let browser: Browser;
let page: Page;
let cookie = '';
let csrf = '';
const seatsLiveRequests: string[] = [];

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(server.url + '/api/v1' + path, {
    method,
    headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    const name = pair.split('=')[0]!;
    cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const card = (seat: string) => page.locator(`[data-testid="seat-card"][data-seat="${seat}"]`);
/** Waits until the seat's duration shows more than `n` seconds (the clock ticks in the page). */
const durationPasses = (seat: string, n: number) =>
  page.waitForFunction(
    ([s, min]) => Number(document.querySelector(`[data-testid="seat-card"][data-seat="${s}"] [data-testid="seat-duration"]`)?.getAttribute('data-seconds') ?? -1) > (min as number),
    [seat, n] as const,
    { timeout: 15_000 },
  );

describe('live board against seatbox serve --demo', () => {
  let agentId: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    server = await startDemoServer({ demoIntervalSeconds: 0 });
    csrf = (await api('GET', '/auth/csrf')).token;
    await api('POST', '/setup', ADMIN);
    csrf = (await api('GET', '/auth/csrf')).token;
    // Seats belong to the seats module (its API applies them to Asterisk).
    await api('POST', '/seats/bulk', { from: '8001', to: '8012', namePattern: '坐席 {n}' });
    const people = [
      ['1001', '张三'],
      ['1002', '李四'],
      ['1003', '王五'],
      ['1004', '赵六'],
      ['1005', '孙七'],
    ] as const;
    const ids: number[] = [];
    for (const [number, name] of people) ids.push((await api('POST', '/agents', { number, name, pin: '1234' })).agent.id);
    agentId = ids[0]!;
    await api('POST', `/agents/${ids[0]}/login`, { seat: '8001' });
    await api('POST', `/agents/${ids[1]}/login`, { seat: '8002' });
    await api('POST', `/agents/${ids[2]}/login`, { seat: '8005' });
    await api('POST', `/agents/${ids[2]}/pause`, { reasonCode: '3' });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/seats/live')) seatsLiveRequests.push(r.url());
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  it('shows every seat with its agent, state and counts (zh-CN)', async () => {
    await page.goto(server.url + '/login');
    await page.getByTestId('login-form').waitFor();
    await page.fill('#login-username', ADMIN.username);
    await page.fill('#login-password', ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-name').waitFor();
    await page.locator('[data-nav="/agents"]').click();
    await page.getByTestId('live-board').waitFor();
    expect(new URL(page.url()).pathname).toBe('/agents/board');
    await card('8012').waitFor();
    expect(await page.getByTestId('seat-card').count()).toBe(12);
    expect(await card('8001').getAttribute('data-state')).toBe('ready');
    expect(await card('8001').getByTestId('seat-agent').innerText()).toContain('张三');
    expect(await card('8005').getAttribute('data-state')).toBe('paused');
    expect(await card('8005').getByTestId('seat-reason').innerText()).toBe('培训');
    expect(await card('8003').getAttribute('data-state')).toBe('logged_out');
    expect(await card('8003').getByTestId('seat-agent').innerText()).toBe('无人登录');
    expect(await page.getByTestId('count-ready').getAttribute('data-count')).toBe('2');
    expect(await page.getByTestId('count-paused').getAttribute('data-count')).toBe('1');
    // 1004, 1005 — and the demo campaign's three agents (9101-9103, campaigns/demo-seed.ts).
    expect(await page.getByTestId('count-logged_out').getAttribute('data-count')).toBe('5');
    expect(await page.getByTestId('absent-agents').innerText()).toContain('赵六');
    // No trunk endpoint yet, or no trunk configured: a tidy empty state, not an error.
    await page.getByTestId('trunks-empty').waitFor();
    await durationPasses('8001', 1);
    await shot('lb-01-board-zh');
  });

  it('follows ready → paused (reason) → ready over the websocket, the duration counting, without polling', async () => {
    const requestsBefore = seatsLiveRequests.length;
    await durationPasses('8001', 2);
    await api('POST', `/agents/${agentId}/pause`, { reasonCode: '2' });
    await page.locator('[data-testid="seat-card"][data-seat="8001"][data-state="paused"]').waitFor();
    expect(await card('8001').getByTestId('seat-reason').innerText()).toBe('用餐');
    expect(await card('8001').getByTestId('seat-state').innerText()).toBe('示忙');
    // The duration restarted with the new state: it is what the page shows for the server's `since`.
    const since = ((await api('GET', '/seats/live')) as Array<{ extension: string; since: string }>).find((x) => x.extension === '8001')!.since;
    const drift = await page.evaluate((sinceIso) => {
      const shown = Number(document.querySelector('[data-testid="seat-card"][data-seat="8001"] [data-testid="seat-duration"]')?.getAttribute('data-seconds'));
      return Math.abs(shown - (Date.now() - Date.parse(sinceIso)) / 1000);
    }, since);
    expect(drift).toBeLessThan(2); // one render tick, measured in the page at one moment
    await durationPasses('8001', 1);
    expect(await page.getByTestId('count-paused').getAttribute('data-count')).toBe('2');
    await shot('lb-02-paused-zh');

    await api('POST', `/agents/${agentId}/ready`);
    await page.locator('[data-testid="seat-card"][data-seat="8001"][data-state="ready"]').waitFor();
    await durationPasses('8001', 1);
    expect(await page.getByTestId('count-paused').getAttribute('data-count')).toBe('1');
    // Everything came over the websocket: the seat list was not fetched again.
    expect(seatsLiveRequests.length).toBe(requestsBefore);
  });

  it('works in English and shows the agents page with controls', async () => {
    await page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await page.locator('h1', { hasText: 'Live board' }).waitFor();
    expect(await card('8005').getByTestId('seat-reason').innerText()).toBe('Training');
    expect(await card('8001').getByTestId('seat-state').innerText()).toBe('Ready');
    await shot('lb-03-board-en');

    await page.locator('[data-nav="/agents/list"]').click();
    await page.getByTestId('agents-page').waitFor();
    const row = page.locator('[data-testid="agent-row"][data-number="1004"]');
    await row.waitFor();
    await row.getByTestId('login-seat').selectOption('8003');
    await row.getByTestId('btn-login').click();
    await page.locator('[data-testid="agent-row"][data-number="1004"] [data-testid="agent-state"][data-state="ready"]').waitFor();
    await row.getByTestId('pause-reason').selectOption('4');
    await row.getByTestId('btn-pause').click();
    await page.locator('[data-testid="agent-row"][data-number="1004"] [data-testid="agent-state"][data-state="paused"]').waitFor();
    expect(await row.getByTestId('agent-state').innerText()).toContain('Meeting');
    // Taking a seat someone else holds is refused with a clear message.
    const row5 = page.locator('[data-testid="agent-row"][data-number="1005"]');
    await row5.getByTestId('login-seat').selectOption('8001');
    await row5.getByTestId('btn-login').click();
    expect(await row5.getByTestId('controls-error').innerText()).toBe('Another agent is logged in at this seat.');
    await shot('lb-04-agents-en');

    await page.locator('[data-testid="lang-switch"] [data-lang="zh-CN"]').click();
    await page.locator('h1', { hasText: '坐席员' }).waitFor();
    await shot('lb-05-agents-zh');
    await page.locator('[data-nav="/agents/board"]').click();
    await page.locator('[data-testid="seat-card"][data-seat="8003"][data-state="paused"]').waitFor();
    expect(await card('8003').getByTestId('seat-reason').innerText()).toBe('会议');
  });

  it('a call on a seat: ringing, talking, then wrap-up with its countdown, then ready', async () => {
    // The seat's phone, as Asterisk sees it: a channel carrying SEATBOX_SEAT (AMI of the demo server).
    const conf = readFileSync(join(server.dataDir, 'asterisk', 'etc', 'manager.conf'), 'utf8');
    const port = Number(/^port\s*=\s*(\d+)/m.exec(conf)?.[1]);
    const user = /^\[(?!general\])([^\]]+)\]/m.exec(conf)?.[1] ?? 'seatbox';
    const secret = /^secret\s*=\s*(\S+)/m.exec(conf)?.[1] ?? '';
    const ami = new AsteriskAmiClient({ host: '127.0.0.1', port, username: user, secret, logger: silentLogger(), events: false });
    await ami.connect();
    try {
      await api('PUT', '/agent-settings', { wrapUpSeconds: 30 });
      const r = await ami.action('Originate', {
        Channel: `Local/8002@${CONTEXTS.demoAgent}`,
        Context: CONTEXTS.pstnSim,
        Exten: '13800138000',
        Priority: '1',
        Variable: 'SEATBOX_SEAT=8002',
        Async: 'true',
      });
      expect(r.response).toBe('Success');
      await page.locator('[data-testid="seat-card"][data-seat="8002"][data-state="talking"]').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('count-talking').getAttribute('data-count')).toBe('1');
      await shot('lb-06-talking-zh');
      // The demo seat phone hangs up after its talk time: wrap-up counts down in the page.
      await page.locator('[data-testid="seat-card"][data-seat="8002"][data-state="wrap_up"]').waitFor({ timeout: 90_000 });
      const left = () => card('8002').getByTestId('seat-wrapup').innerText();
      const first = await left();
      expect(first).toMatch(/^剩余 00:(2\d|30)$/);
      await page.waitForFunction((f) => document.querySelector('[data-testid="seat-card"][data-seat="8002"] [data-testid="seat-wrapup"]')?.textContent !== f, first);
      await shot('lb-07-wrapup-zh');
      await api('POST', `/agents/${(await api('GET', '/agents')).agents.find((a: { number: string }) => a.number === '1002').id}/ready`);
      await page.locator('[data-testid="seat-card"][data-seat="8002"][data-state="ready"]').waitFor();
    } finally {
      await ami.close();
    }
  });
});
