// Browser tests of the web UI against the real `seatbox serve --demo` (Asterisk included),
// driven by playwright-core with the system Chromium. Needs `npm run build` first.
// SEATBOX_UI_SHOTS=/some/dir saves a screenshot of each step there.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;

const ADMIN = { username: 'admin', displayName: '测试管理员', password: 'Lantern-Orbit-7731' };

let server: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every text frame the page received on /api/v1/live. */
const wsFrames: string[] = [];

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const byTestId = (id: string) => page.getByTestId(id);
const visible = (text: string | RegExp) => page.getByText(text).first().waitFor({ state: 'visible' });
const htmlLang = () => page.evaluate(() => document.documentElement.lang);
const waitLang = (lang: string) => page.waitForFunction((l) => document.documentElement.lang === l, lang);

async function login(username: string, password: string): Promise<void> {
  await byTestId('login-form').waitFor();
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await byTestId('login-submit').click();
}

describe('web UI against seatbox serve --demo', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    server = await startDemoServer({ demoIntervalSeconds: 8 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/api/v1/live')) return;
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') wsFrames.push(f.payload);
      });
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  it('first-run setup explains there is no default password and creates the admin', async () => {
    await page.goto(server.url + '/');
    await byTestId('setup-form').waitFor();
    // The app moves to /setup right after it renders the form (replaceState in an effect).
    await page.waitForURL((u) => u.pathname === '/setup', { timeout: 5_000 });
    expect(await htmlLang()).toBe('zh-CN');
    await visible('创建管理员账号');
    expect(await byTestId('no-default-password').innerText()).toContain('本设备没有默认密码');
    expect(await byTestId('password-rules').innerText()).toContain('至少 10 个字符');
    await shot('01-setup-zh');

    // The password rules are enforced before anything is sent.
    await page.fill('#setup-username', ADMIN.username);
    await page.fill('#setup-display-name', ADMIN.displayName);
    await page.fill('#setup-password', 'short');
    await page.fill('#setup-confirm', 'short');
    await byTestId('setup-submit').click();
    expect(await byTestId('setup-password-error').innerText()).toBe('密码至少需要 10 个字符。');

    await page.fill('#setup-password', ADMIN.password);
    await page.fill('#setup-confirm', ADMIN.password);
    await byTestId('setup-submit').click();
    await byTestId('user-name').waitFor();
    expect(await byTestId('user-name').innerText()).toBe(ADMIN.displayName);
    expect(await byTestId('user-role').innerText()).toBe('管理员');
    expect(new URL(page.url()).pathname).toBe('/');
    await shot('02-dashboard-zh');

    const status = (await (await fetch(server.url + '/api/v1/setup/status')).json()) as { needsSetup: boolean };
    expect(status.needsSetup).toBe(false);
  });

  it('logout returns to the sign-in page and ends the session', async () => {
    await byTestId('logout').click();
    await byTestId('login-form').waitFor();
    // The sign-in form renders before the effect that moves to /login: wait for the URL.
    await page.waitForURL((u) => u.pathname === '/login', { timeout: 5000 });
    expect(new URL(page.url()).pathname).toBe('/login');
    await visible('您已退出登录。');
    await page.reload();
    await byTestId('login-form').waitFor();
    await shot('03-login-zh');
  });

  it('a wrong password shows a clear error', async () => {
    await login(ADMIN.username, 'not-the-password-1');
    const err = byTestId('login-error');
    await err.waitFor();
    expect(await err.innerText()).toBe('用户名或密码错误。');
    expect(await page.inputValue('#login-password')).toBe('');
    await shot('04-login-wrong-zh');
  });

  it('login with the right password opens the console', async () => {
    await login(ADMIN.username, ADMIN.password);
    await byTestId('user-name').waitFor();
    expect(await byTestId('user-name').innerText()).toBe(ADMIN.displayName);
    // The app leaves /login in an effect right after the console renders: wait for it.
    await page.waitForURL((u) => u.pathname === '/', { timeout: 5000 });
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('System → Status shows Asterisk connected, version 22 and live calls/channels from the websocket', async () => {
    await page.locator('[data-nav="/system/status"]').click();
    await byTestId('system-status').waitFor();
    expect(new URL(page.url()).pathname).toBe('/system/status');
    await page.locator('[data-testid="asterisk-connection"][data-connected="true"]').waitFor();
    expect(await byTestId('asterisk-connection').innerText()).toBe('已连接');
    await page.waitForFunction(() => /^22/.test(document.querySelector('[data-testid="asterisk-version"]')?.textContent ?? ''));
    expect(await byTestId('live-pill').getAttribute('data-state')).toBe('open');

    // It came over the websocket: the hello frame carried the status.
    const hello = wsFrames.map((f) => JSON.parse(f) as LiveMessage).find((m) => m.type === 'hello');
    expect(hello?.type === 'hello' && hello.data.status.asterisk.connected).toBe(true);
    expect(hello?.type === 'hello' ? String(hello.data.status.asterisk.version) : '').toMatch(/^22/);
    await shot('05-status-zh');

    // The demo places a call now and then: the figures and the table must move.
    const snapshot = async () => {
      const channels = Number(await byTestId('channels-in-use').innerText());
      const calls = Number(await byTestId('calls-in-progress').innerText());
      const rows = await byTestId('live-call-row').count();
      return { channels, calls, rows, key: `${channels}/${calls}/${rows}` };
    };
    const first = await snapshot();
    const seen = new Set([first.key]);
    let sawActivity = first.channels > 0 || first.rows > 0;
    let shotTaken = false;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline && !(seen.size >= 2 && sawActivity)) {
      await page.waitForTimeout(500);
      const s = await snapshot();
      seen.add(s.key);
      if (s.channels > 0 || s.rows > 0) {
        sawActivity = true;
        if (!shotTaken && s.rows > 0) {
          shotTaken = true;
          await shot('06-status-call-zh');
        }
      }
    }
    expect(sawActivity, 'a demo call showed up (channels > 0 or a live call row)').toBe(true);
    expect(seen.size, `the figures changed (seen ${[...seen].join(', ')})`).toBeGreaterThanOrEqual(2);
    const types = new Set(wsFrames.map((f) => (JSON.parse(f) as LiveMessage).type));
    expect(types.has('system.status')).toBe(true);
    expect(types.has('call.updated')).toBe(true);
  }, 200_000);

  it('while the agent is down the page says "disconnected — reconnecting", then recovers by itself', async () => {
    await byTestId('system-status').waitFor();
    await server.halt();
    const banner = page.locator('[data-testid="live-banner"][data-state="reconnecting"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.innerText()).toContain('实时连接已断开 — 正在重连');
    expect(await byTestId('live-pill').getAttribute('data-state')).toBe('reconnecting');
    await shot('06b-status-reconnecting-zh');

    await server.resume();
    // Backoff retries find it again; the session survives the restart.
    await page.locator('[data-testid="live-pill"][data-state="open"]').waitFor({ timeout: 60_000 });
    expect(await byTestId('live-banner').count()).toBe(0);
    await page.locator('[data-testid="asterisk-connection"][data-connected="true"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/system/status');
  }, 150_000);

  it('placeholder areas say "coming in a later release" without fake data', async () => {
    await page.locator('[data-nav="/schedule"]').click();
    await byTestId('placeholder').waitFor();
    expect(await byTestId('placeholder').innerText()).toContain('此功能将在后续版本中提供');
    await page.locator('[data-nav="/system/status"]').click();
    await byTestId('system-status').waitFor();
  });

  it('the language switch changes visible texts and persists across reload', async () => {
    await visible('系统状态');
    await page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await page.locator('h1', { hasText: 'System status' }).waitFor();
    await waitLang('en');
    expect(await byTestId('asterisk-connection').innerText()).toBe('Connected');
    expect(await page.locator('[data-nav="/"]').innerText()).toBe('Dashboard');
    expect(await byTestId('logout').innerText()).toBe('Sign out');
    expect(await page.locator('h1', { hasText: '系统状态' }).count()).toBe(0);
    await shot('07-status-en');

    await page.reload();
    await page.locator('h1', { hasText: 'System status' }).waitFor();
    expect(await htmlLang()).toBe('en');
    await page.locator('[data-testid="asterisk-connection"][data-connected="true"]').waitFor();
    expect(await byTestId('asterisk-connection').innerText()).toBe('Connected');

    await page.locator('[data-nav="/schedule"]').click();
    expect(await byTestId('placeholder').innerText()).toContain('Coming in a later release');
    await shot('08-placeholder-en');

    // The sign-in page follows the stored choice too.
    await byTestId('logout').click();
    await byTestId('login-form').waitFor();
    await page.locator('h1', { hasText: 'Sign in' }).waitFor();
    await shot('09-login-en');

    // And back to Chinese, which also sticks.
    await page.locator('[data-testid="lang-switch"] [data-lang="zh-CN"]').click();
    await page.locator('h1', { hasText: '登录' }).waitFor();
    await waitLang('zh-CN');
    await page.reload();
    await page.locator('h1', { hasText: '登录' }).waitFor();
    expect(await htmlLang()).toBe('zh-CN');
    await login(ADMIN.username, ADMIN.password);
    await byTestId('user-name').waitFor();
    expect(await page.locator('[data-nav="/"]').innerText()).toBe('仪表盘');
  });

  it('repeated failures are rate-limited, with the wait time shown and the button held', async () => {
    await byTestId('logout').click();
    await byTestId('login-form').waitFor();
    // Another account, so the admin is not locked out; the agent locks an account after a few failures.
    const err = byTestId('login-error');
    let text = '';
    for (let i = 0; i < 12 && !text.includes('登录尝试次数过多'); i++) {
      await login('someone-else', `wrong-password-${i}`);
      await err.waitFor();
      await page.waitForFunction(() => !(document.querySelector('[data-testid="login-submit"]') as HTMLButtonElement | null)?.textContent?.includes('正在登录'));
      text = await err.innerText();
    }
    expect(text).toMatch(/^登录尝试次数过多，请在 \d+ 秒后重试。$/);
    expect(await byTestId('login-submit').isDisabled()).toBe(true);
    expect(await byTestId('login-submit').innerText()).toMatch(/^请等待 \d+ 秒$/);
    await shot('10-login-rate-limited-zh');
  });
});
