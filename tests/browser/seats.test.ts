// Browser tests of the Seats, Trunks & Routes and Telephony cards pages against the real
// `seatbox serve --demo` (Asterisk included; the demo's simulated cards: a D130 E1 span and a
// TDM2400P with FXS and FXO ports). Needs `npm run build` first.
// SEATBOX_UI_SHOTS=/some/dir saves a screenshot of each step there.
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
let firstSecrets: string[] = [];

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(250);
  // A dialog is fixed to the viewport: a full-page shot would show it over a stretched page.
  const modal = (await page.locator('.st-overlay').count()) > 0;
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: !modal });
}

const byTestId = (id: string) => page.getByTestId(id);

describe('seats, trunks and cards in the web UI', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    server = await startDemoServer({ demoIntervalSeconds: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  it('creates 48 seats in one step and shows every secret once, with provisioning details', async () => {
    await page.locator('[data-nav="/agents/seats"]').click();
    await byTestId('seats-page').waitFor();
    await byTestId('seats-empty').waitFor();
    expect(await byTestId('seats-empty').innerText()).toContain('还没有分机');
    await byTestId('bulk-create').click();
    await byTestId('bulk-dialog').waitFor();
    expect(await page.inputValue('#bulk-from')).toBe('8001');
    expect(await page.inputValue('#bulk-to')).toBe('8048');
    expect(await page.inputValue('#bulk-pattern')).toBe('坐席 {n}');
    expect(await byTestId('bulk-preview').innerText()).toBe('将创建 48 个分机：8001 – 8048，例如“坐席 8001”');
    await shot('seats-01-bulk-dialog');
    await byTestId('bulk-submit').click();

    const dialog = byTestId('provisioning-dialog');
    await dialog.waitFor();
    await expect.poll(() => byTestId('prov-row').count()).toBe(48);
    firstSecrets = await byTestId('prov-row-secret').allInnerTexts();
    expect(firstSecrets).toHaveLength(48);
    for (const s of firstSecrets) expect(s).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(new Set(firstSecrets).size).toBe(48);
    expect(await byTestId('prov-once').innerText()).toContain('密码只显示这一次');
    expect(await byTestId('phone-hints').innerText()).toContain('账号 → 注册');
    // Closing needs the acknowledgement: the secrets are gone afterwards.
    expect(await byTestId('prov-done').isDisabled()).toBe(true);
    expect(await byTestId('modal-close').count()).toBe(0);
    await shot('seats-02-provisioning-48');
    await byTestId('prov-ack').check();
    await byTestId('prov-done').click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => byTestId('seat-row').count()).toBe(48);
    expect(await byTestId('seats-total').innerText()).toBe('48');
    expect(await page.locator('[data-testid="seat-row"][data-extension="8048"] td').nth(2).innerText()).toBe('坐席 8048');
    expect(await page.locator('[data-testid="seat-status"][data-state="unregistered"]').count()).toBe(48);
    await shot('seats-03-list');

    // The list the browser got has no secret in it.
    const listed = await page.evaluate(async () => (await fetch('/api/v1/seats')).text());
    for (const s of firstSecrets) expect(listed).not.toContain(s);
  }, 120_000);

  it('a new secret for one seat comes with copy buttons and per-brand hints', async () => {
    await page.locator('[data-testid="seat-row"][data-extension="8001"] [data-testid="seat-regenerate"]').click();
    await byTestId('confirm-ok').click();
    await byTestId('provisioning-dialog').waitFor();
    const secret = await byTestId('prov-secret').innerText();
    expect(secret).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(secret).not.toBe(firstSecrets[0]);
    expect(await byTestId('prov-username').innerText()).toBe('8001');
    expect(await byTestId('prov-server').innerText()).toBe('127.0.0.1');
    expect(await byTestId('prov-details').innerText()).toContain('PCMA, PCMU');
    await page.locator('[data-testid="brand"] [data-value="fanvil"]').click();
    expect(await byTestId('phone-hints').innerText()).toContain('线路 → SIP');
    await shot('seats-04-provisioning-one');
    await byTestId('prov-ack').check();
    await byTestId('prov-done').click();
  });

  it('refuses bad input with the reason next to the field', async () => {
    await byTestId('seat-create').click();
    await byTestId('seat-dialog').waitFor();
    await page.fill('#seat-ext', '0801');
    await page.fill('#seat-name', '零号');
    await byTestId('seat-submit').click();
    expect(await byTestId('seat-ext-error').innerText()).toBe('分机号须为 3–6 位数字，且不能以 0、1、9 开头。');
    await page.fill('#seat-ext', '8001');
    await byTestId('seat-submit').click();
    await byTestId('seat-ext-error').filter({ hasText: '已存在' }).waitFor();
    expect(await byTestId('seat-ext-error').innerText()).toBe('分机 8001 已存在，未做任何更改。');
    await shot('seats-05-duplicate');
    await byTestId('modal-close').click();
  });

  it('creates a SIP trunk (inline error for a bad host first) and a mobile route with its trunk', async () => {
    await page.locator('[data-nav="/system/trunks"]').click();
    await byTestId('trunks-page').waitFor();
    await byTestId('trunks-empty').waitFor();
    await byTestId('trunk-create').click();
    await byTestId('trunk-dialog').waitFor();
    await page.fill('#trunk-name', '中国电信');
    await page.fill('#trunk-host', 'sip..carrier.cn');
    await page.locator('[data-testid="trunk-auth"] [data-value="ip"]').click();
    await page.fill('#trunk-callerIdNumber', '02161234567');
    // Asterisk staggers the first keep-alive randomly within the interval: keep it short here.
    await page.fill('#trunk-qualifySeconds', '5');
    await byTestId('trunk-submit').click();
    await byTestId('trunk-host-error').waitFor();
    expect(await byTestId('trunk-host-error').innerText()).toBe('设备拒绝了此更改：trunk "中国电信": host must be an IPv4 address or a DNS host name');
    await shot('trunks-01-bad-host');
    await page.fill('#trunk-host', '203.0.113.10');
    await byTestId('trunk-submit').click();
    await byTestId('trunk-dialog').waitFor({ state: 'detached' });
    const row = page.locator('[data-testid="trunk-row"][data-trunk="中国电信"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('203.0.113.10:5060');
    expect(await row.innerText()).toContain('02161234567');
    // Nobody answers at 203.0.113.10: the live status turns "unreachable".
    await row.locator('[data-testid="trunk-status"][data-state="unreachable"]').waitFor({ timeout: 30_000 });
    await shot('trunks-02-list');

    await byTestId('tab-outbound').click();
    await byTestId('emergency-note').waitFor();
    expect(await byTestId('emergency-note').innerText()).toContain('110 / 119 / 120 / 122');
    await byTestId('route-create').click();
    await byTestId('route-dialog').waitFor();
    await page.fill('#route-name', '手机');
    await byTestId('preset-mobile').click();
    expect(await page.inputValue('#route-patterns')).toBe('1[3-9]XXXXXXXXX');
    await byTestId('route-submit').click();
    await byTestId('route-trunks-error').waitFor();
    expect(await byTestId('route-trunks-error').innerText()).toBe('请至少选择一个中继。');
    await byTestId('route-trunk-pick').selectOption({ label: '中国电信' });
    await byTestId('route-trunk-add').click();
    await page.fill('#route-test', '13800138000');
    expect(await byTestId('route-test-result').innerText()).toBe('匹配规则 1[3-9]XXXXXXXXX，实际拨出 13800138000');
    await shot('trunks-03-route-editor');
    await byTestId('route-submit').click();
    await byTestId('route-dialog').waitFor({ state: 'detached' });
    const route = page.locator('[data-testid="route-row"][data-route="手机"]');
    await route.waitFor();
    expect(await route.innerText()).toContain('中国电信');
    await shot('trunks-04-routes');
  }, 90_000);

  it('shows the telephony cards, spans with alarm badges and ports; an inconsistent E1 setting is refused', async () => {
    await page.locator('[data-nav="/system/cards"]').click();
    await byTestId('hardware-page').waitFor();
    await expect.poll(() => byTestId('hw-card').count()).toBe(2);
    expect(await byTestId('hw-cards').innerText()).toContain('D130P/D130E');
    expect(await page.locator('[data-testid="hw-span"][data-span="1"] [data-testid="hw-span-alarms"]').getAttribute('data-alarms')).toBe('OK');
    expect(await byTestId('hw-port').count()).toBe(24);
    // Port 20 of the TDM2400P (channel 51) has no line: red alarm.
    expect(await page.locator('[data-testid="hw-port"][data-channel="51"]').getAttribute('data-alarm')).toBe('true');
    await shot('cards-01-overview');

    await page.locator('[data-testid="hw-span"][data-span="1"] [data-testid="hw-span-configure"]').click();
    await byTestId('span-dialog').waitFor();
    await page.selectOption('#span-framing', 'esf');
    await byTestId('span-submit').click();
    await byTestId('span-framing-error').waitFor();
    expect(await byTestId('span-framing-error').innerText()).toContain('framing "esf" is a T1 framing');
    await shot('cards-02-span-error');
    await byTestId('modal-close').click();
  });

  it('the pages read in English too', async () => {
    await page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await page.locator('[data-nav="/agents/seats"]').click();
    await page.locator('h1', { hasText: 'Seats' }).waitFor();
    await expect.poll(() => byTestId('seats-count').innerText()).toBe('48 seats');
    await shot('seats-06-list-en');
    await page.locator('[data-nav="/system/trunks"]').click();
    await page.locator('h1', { hasText: 'Trunks & routes' }).waitFor();
    await shot('trunks-05-en');
    await page.locator('[data-nav="/system/cards"]').click();
    await page.locator('h1', { hasText: 'Telephony cards' }).waitFor();
    await shot('cards-03-en');
    await page.locator('[data-testid="lang-switch"] [data-lang="zh-CN"]').click();
  });
});
