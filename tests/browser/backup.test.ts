// System → Backup in Chromium against the real `seatbox serve --demo`: set a target, back up
// now, restore with the typed confirmation; data changed after the backup (the admin's
// language) is back to what the backup held. Needs `npm run build` first.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'Lantern-Orbit-7731' };
let server: DemoServer;
let browser: Browser;
let page: Page;
let target: string;

beforeAll(async () => {
  target = mkdtempSync(join(tmpdir(), 'seatbox-backup-target-'));
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
  rmSync(target, { recursive: true, force: true });
}, 60_000);

async function setupStatusNeedsSetup(): Promise<boolean> {
  const r = await fetch(`${server.url}/api/v1/setup/status`);
  return ((await r.json()) as { needsSetup: boolean }).needsSetup;
}

describe('backup and restore from the web UI', () => {
  it('backs up to the chosen directory and restores it with a typed confirmation', async () => {
    await page.goto(server.url + '/system/backup');
    await page.getByTestId('backup-page').waitFor();
    await page.getByTestId('backup-target').fill(target);
    await page.getByTestId('backup-save').click();
    await page.getByTestId('backup-now').click();
    await expect.poll(() => page.getByTestId('backup-row').count(), { timeout: 30_000 }).toBe(1);
    expect(readdirSync(target).length).toBeGreaterThan(0);
    const name = (await page.getByTestId('backup-row').first().innerText()).split(/\s/)[0]!;
    expect(name.length).toBeGreaterThan(0);

    // Change stored data after the backup: the admin's language (users table).
    const before = await page.evaluate(async () => (await (await fetch('/api/v1/auth/me')).json()) as { user: { language: string } });
    expect(before.user.language).toBe('zh-CN');
    await page.locator('[data-lang="en"]').click();
    await expect.poll(async () => (await page.evaluate(async () => (await (await fetch('/api/v1/auth/me')).json()) as { user: { language: string } })).user.language).toBe('en');

    await page.getByTestId('backup-restore').first().click();
    await page.getByTestId('backup-confirm').fill(name);
    await page.getByTestId('backup-restore-go').click();
    // The agent restarts itself to swap the database in; the language is zh-CN again.
    await expect
      .poll(
        async () => {
          try {
            const r = await page.evaluate(async () => {
              const res = await fetch('/api/v1/auth/me');
              return res.ok ? ((await res.json()) as { user: { language: string } }).user.language : `http ${res.status}`;
            });
            return r;
          } catch {
            return 'down';
          }
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe('zh-CN');
    expect(await setupStatusNeedsSetup()).toBe(false);
  }, 120_000);
});
