// Browser test of the Recordings page against the real `seatbox serve --demo` (Asterisk
// included): the demo's simulated calls (seatbox-demo-agent ↔ seatbox-pstn-sim) are recorded
// by the dialplan subroutine; the page lists the recording, plays it in Chromium (<audio> on
// the Range endpoint: duration > 0, seeking moves currentTime), marks it as evidence with a
// reason, runs the storage job from the storage panel; a team lead sees the page without the
// download, evidence and run-now buttons.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase } from '../../firmware-agent/src/db/database.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;
const ADMIN = { username: 'admin', displayName: '系统管理员', password: 'Lantern-Orbit-7731' };
const LEAD = { username: 'lead1', password: 'Lantern-Orbit-lead-1' };

let server: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** The recording played in the first test. */
let playedId = '';

async function shot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.waitForTimeout(250);
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function api(p: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return p.evaluate(
    async ({ method, path, body }) => {
      const csrf = (await (await fetch('/api/v1/auth/csrf')).json()).token as string;
      const r = await fetch(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

describe('recordings in the web UI', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
    server = await startDemoServer({ demoIntervalSeconds: 4 });
    // Every demo call answered after 1 s and talking 4-5 s; a team lead account. Written to the
    // stopped agent's database, read again on resume.
    await server.halt();
    const db = openDatabase(server.dataDir);
    try {
      new SettingsStore(db).set('demo.odds', { answerPercent: 100, busyPercent: 0, noAnswerPercent: 0, ringMinSeconds: 1, ringMaxSeconds: 1, talkMinSeconds: 4, talkMaxSeconds: 5 });
      await new UserStore(db).createFirstAdmin({ username: ADMIN.username, displayName: ADMIN.displayName, password: ADMIN.password });
      await new UserStore(db).create({ username: LEAD.username, password: LEAD.password, roles: ['team_lead'] });
    } finally {
      db.close();
    }
    await server.resume();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'] });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await login(page, ADMIN.username, ADMIN.password);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  async function login(p: Page, username: string, password: string) {
    await p.goto(server.url + '/login');
    await p.getByTestId('login-form').waitFor();
    await p.fill('#login-username', username);
    await p.fill('#login-password', password);
    await p.getByTestId('login-submit').click();
    await p.getByTestId('user-name').waitFor();
  }

  it('lists a recorded demo call and plays it with seeking', async () => {
    // A demo call recorded and measured (the demo calls run every 4 s).
    const deadline = Date.now() + 90_000;
    let rec: any;
    for (;;) {
      const r = await api(page, 'GET', '/recordings?limit=5');
      expect(r.status).toBe(200);
      rec = r.body.items.find((i: any) => i.state === 'complete' && i.durationMs > 2000);
      if (rec) break;
      if (Date.now() > deadline) throw new Error(`no finished recording: ${JSON.stringify(r.body)}\n${server.output().slice(-3000)}`);
      await page.waitForTimeout(1000);
    }
    expect(rec.format).toBe('wav');
    playedId = String(rec.id);
    await page.locator('[data-nav="/recordings"]').click();
    await page.getByTestId('recordings-page').waitFor();
    const row = page.locator(`[data-testid="rec-row"][data-id="${rec.id}"]`);
    await row.waitFor();
    await page.getByTestId('rec-storage').waitFor();
    expect(await page.getByTestId('rec-storage-level').getAttribute('data-level')).toMatch(/^(ok|alarm|stop)$/);
    await row.getByTestId('rec-play').click();
    await page.getByTestId('rec-player').waitFor();
    expect(await page.getByTestId('rec-download').isVisible()).toBe(true);
    const audio = page.getByTestId('rec-audio');
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid="rec-audio"]') as HTMLAudioElement | null;
      return !!a && Number.isFinite(a.duration) && a.duration > 0;
    });
    const duration = await audio.evaluate((a: HTMLAudioElement) => a.duration);
    expect(Math.abs(duration * 1000 - rec.durationMs)).toBeLessThan(300);
    await audio.evaluate((a: HTMLAudioElement) => a.play());
    // Seek to the middle: the browser fetches that part with a Range request.
    const target = duration / 2;
    await audio.evaluate((a: HTMLAudioElement, t: number) => (a.currentTime = t), target);
    await page.waitForFunction((t) => {
      const a = document.querySelector('[data-testid="rec-audio"]') as HTMLAudioElement;
      return !a.seeking && a.currentTime >= t - 0.05;
    }, target);
    const after = await audio.evaluate((a: HTMLAudioElement) => ({ t: a.currentTime, seekable: a.seekable.length > 0 ? a.seekable.end(0) : 0 }));
    expect(after.t).toBeGreaterThanOrEqual(target - 0.05);
    expect(after.seekable).toBeGreaterThan(0);
    await shot(page, 'recordings-player');
  }, 150_000);

  it('marks a recording as evidence with a reason', async () => {
    const id = playedId;
    const row = page.locator(`[data-testid="rec-row"][data-id="${id}"]`);
    await row.getByTestId('rec-evidence-toggle').click();
    await page.getByTestId('rec-evidence-reason').fill('客户威胁');
    await page.getByTestId('rec-evidence-save').click();
    await page.getByTestId('rec-note').waitFor();
    await page.locator(`[data-testid="rec-row"][data-id="${id}"] [data-testid="rec-evidence-badge"]`).waitFor();
    const r = await api(page, 'GET', `/recordings/${id}`);
    expect(r.body).toMatchObject({ evidence: true, evidenceReason: '客户威胁', evidenceBy: ADMIN.username });
  });

  it('runs the storage job from the storage panel (admin)', async () => {
    await page.getByTestId('rec-run-now').click();
    // Progress frames, then the result in the panel (today's files are left for the night).
    await page.getByTestId('rec-last-job').waitFor();
    expect(await page.getByTestId('rec-last-job').innerText()).toMatch(/成功.*压缩 0/s);
    const audit = await api(page, 'GET', '/recordings/storage');
    expect(audit.body.lastJob).toMatchObject({ trigger: 'manual', status: 'ok' });
  });

  it('a team lead can play but sees no download button', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en' });
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    try {
      await login(p, LEAD.username, LEAD.password);
      await p.goto(server.url + '/recordings');
      await p.getByTestId('recordings-page').waitFor();
      const row = p.locator(`[data-testid="rec-row"][data-id="${playedId}"]`);
      await row.waitFor();
      expect(await row.getByTestId('rec-play').isVisible()).toBe(true);
      expect(await row.getByTestId('rec-row-download').count()).toBe(0);
      expect(await row.getByTestId('rec-evidence-toggle').count()).toBe(0);
      await row.getByTestId('rec-play').click();
      await p.getByTestId('rec-player').waitFor();
      expect(await p.getByTestId('rec-download').count()).toBe(0);
      expect(await p.getByTestId('rec-run-now').count()).toBe(0);
      const id = playedId;
      const dl = await p.evaluate(async (i) => (await fetch(`/api/v1/recordings/${i}/download`)).status, id);
      expect(dl).toBe(403);
      await shot(p, 'recordings-team-lead');
    } finally {
      await ctx.close();
    }
  });
});
