// One Chromium session against `seatbox serve --demo` for browser tests: Debian's Chromium
// (never a downloaded browser), a zh-CN page, the first-run admin created through the real
// setup form, a JSON API helper that runs inside the signed-in page (cookie + CSRF), and
// screenshots when SEATBOX_UI_SHOTS=/some/dir is set.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer, type DemoServer } from './demo-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = process.env.SEATBOX_UI_SHOTS;
export const UI_ADMIN = { username: 'admin', displayName: '系统管理员', password: 'Lantern-Orbit-7731' } as const;

export interface BrowserSession {
  server: DemoServer;
  browser: Browser;
  page: Page;
  /** A JSON API call from the signed-in page. */
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  /** Screenshot into SEATBOX_UI_SHOTS (nothing when unset). */
  shot: (name: string) => Promise<void>;
  close: () => Promise<void>;
}

export async function openSignedIn(opts: { demoIntervalSeconds: number; acceptDialogs?: boolean }): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
  const server = await startDemoServer({ demoIntervalSeconds: opts.demoIntervalSeconds });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  if (opts.acceptDialogs) page.on('dialog', (d) => void d.accept());
  await page.goto(server.url + '/');
  await page.getByTestId('setup-form').waitFor();
  await page.fill('#setup-username', UI_ADMIN.username);
  await page.fill('#setup-display-name', UI_ADMIN.displayName);
  await page.fill('#setup-password', UI_ADMIN.password);
  await page.fill('#setup-confirm', UI_ADMIN.password);
  await page.getByTestId('setup-submit').click();
  await page.getByTestId('user-name').waitFor();
  return {
    server,
    browser,
    page,
    api: (method, path, body) =>
      page.evaluate(
        async ({ method, path, body }) => {
          const csrf = (await (await fetch('/api/v1/auth/csrf')).json()).token as string;
          const r = await fetch(`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
          return { status: r.status, body: await r.json().catch(() => null) };
        },
        { method, path, body },
      ),
    async shot(name) {
      if (!SHOTS) return;
      mkdirSync(SHOTS, { recursive: true });
      await page.waitForTimeout(250);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}
