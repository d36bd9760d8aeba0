// Browser test of Outbound against the real `seatbox serve --demo` (Asterisk included): the
// seeded demo campaign's rules edited (a bad window refused with its path, then 00:00–23:59
// saved), a team lead's hand-over of leads to an agent on the custody page (history and
// fairness follow), a number put on do-not-call, and the lead queue explaining per lead why it
// is or is not due; then a new campaign ended and its data destroyed through the dialog.
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSignedIn, type BrowserSession } from '../support/browser.js';
import type { DemoServer } from '../support/demo-server.js';

const DEMO = '演示活动 Demo';
let ui: BrowserSession;
let server: DemoServer;
let page: Page;
const byTestId = (id: string) => page.getByTestId(id);
const api = (method: string, path: string, body?: unknown) => ui.api(method, path, body);
const shot = (name: string) => ui.shot(name);

describe('outbound campaigns, custody and lead queue in the web UI', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 0, acceptDialogs: true });
    ({ server, page } = ui);
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('edits the demo campaign rules: a bad window is refused with its path, then saved', async () => {
    await page.locator('[data-nav="/outbound/campaigns"]').click();
    await byTestId('campaigns-page').waitFor();
    const row = page.locator(`[data-testid="campaign-row"][data-name="${DEMO}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('进行中');
    expect(await row.innerText()).toContain('300');
    await row.click();
    await byTestId('settings-editor').waitFor();
    await byTestId('hours-mon-from').fill('22:00');
    await byTestId('hours-mon-to').fill('09:00');
    await byTestId('settings-save').click();
    await byTestId('settings-issues').waitFor();
    expect(await byTestId('settings-issues').innerText()).toContain('settings.hours.weekly.mon.0');
    // Open around the clock so the queue has leads due whenever the test runs.
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
      await byTestId(`hours-${d}-from`).fill('00:00');
      await byTestId(`hours-${d}-to`).fill('23:59');
    }
    await byTestId('settings-cap').fill('4');
    await byTestId('settings-save').click();
    await page.getByText('已保存。').waitFor();
    const c = (await api('GET', '/campaigns')).body.campaigns.find((x: { name: string }) => x.name === DEMO);
    expect(c.settings.hours.weekly.sun).toEqual([{ from: '00:00', to: '23:59' }]);
    expect(c.settings.dailyAttemptCap).toBe(4);
    await shot('outbound-campaign');
  });

  it('hands leads from the team pool to an agent; history and fairness follow', async () => {
    await page.locator('[data-nav="/outbound/custody"]').click();
    await byTestId('custody-page').waitFor();
    await byTestId('history-row').first().waitFor();
    expect(await byTestId('custody-agent').innerText()).toBe('240');
    expect(await byTestId('team-pool').innerText()).toContain('60');
    await byTestId('agent-pick-9101').check();
    await page.locator('[data-testid="agent-pick-9101"] >> xpath=ancestor::tr//input[@type="number"]').fill('10');
    await byTestId('to-agents-go').click();
    await byTestId('custody-note').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="custody-agent"]')?.textContent === '250');
    expect(await byTestId('team-pool').innerText()).toContain('50');
    const first = byTestId('history-row').first();
    expect(await first.getAttribute('data-kind')).toBe('to_agent');
    expect(await first.innerText()).toContain('10');
    expect(await first.innerText()).toContain('admin');
    expect(await first.innerText()).toContain('坐席 9101 演示坐席一');
    // Which leads: the hand-over's 10 leads, numbers in full for the admin.
    await first.getByTestId('history-leads').click();
    await byTestId('handover-leads').waitFor();
    expect(await byTestId('handover-leads').locator('tbody tr').count()).toBe(10);
    expect(await byTestId('handover-leads').innerText()).toMatch(/170\d{8}/);
    const fair = await byTestId('fair-table').innerText();
    expect(fair).toContain('9101');
    expect(fair).toContain('90'); // 80 from the demo split + 10 now
    const href = await byTestId('fair-csv').getAttribute('href');
    expect(href).toMatch(/fairness\?format=csv$/);
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv).toContain('9101,演示坐席一,一组,90');
    // The manager names the team lead of 一组.
    const team = page.locator('[data-testid="team-row"]', { hasText: '一组' });
    await team.locator('input').fill('admin');
    await team.getByRole('button').click();
    await page.waitForFunction(async () => {
      const r = await fetch('/api/v1/teams');
      return ((await r.json()).teams as Array<{ name: string; leadUsername: string | null }>).some((x) => x.name === '一组' && x.leadUsername === 'admin');
    });
    await shot('outbound-custody');
  });

  it('puts a demo number on do-not-call; the queue explains every lead', async () => {
    await page.locator('[data-nav="/outbound/dnc"]').click();
    await byTestId('dnc-page').waitFor();
    await byTestId('dnc-phone').fill('+86 170 1000 0000');
    await byTestId('dnc-add').click();
    await byTestId('dnc-note').waitFor();
    await page.locator('[data-testid="dnc-row"]', { hasText: '17010000000' }).waitFor();

    await page.locator('[data-nav="/outbound/campaigns"]').click();
    await page.locator(`[data-testid="campaign-row"][data-name="${DEMO}"]`).click();
    await byTestId('tab-queue').click();
    await byTestId('queue-row').first().waitFor();
    const rows = byTestId('queue-row');
    expect(await rows.count()).toBe(200);
    const why = await byTestId('queue-why').allInnerTexts();
    expect(why.every((w) => w.trim().length > 0)).toBe(true);
    expect(why[0]).toBe('在免打扰名单中（退订）');
    expect(why[1]).toMatch(/^现在可拨（第 1 次）$/);
    expect(await rows.nth(0).getAttribute('data-due')).toBe('0');
    expect(await rows.nth(1).getAttribute('data-due')).toBe('1');
    // Dialling order: only due leads, the DNC one left out.
    await byTestId('queue-due-only').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-row"]').length === 50);
    const due = await byTestId('queue-why').allInnerTexts();
    expect(due.every((w) => w.startsWith('现在可拨'))).toBe(true);
    expect(await byTestId('queue-table').innerText()).not.toContain('17010000000');
    await shot('outbound-queue');
    // The same explanations in English.
    await byTestId('lang-switch').getByText('English').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="queue-why"]')?.textContent?.startsWith('Due now'));
    expect((await byTestId('queue-why').allInnerTexts()).every((w) => /^Due now \(attempt \d+\)$/.test(w))).toBe(true);
    await byTestId('queue-due-only').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="queue-row"]').length === 200);
    expect((await byTestId('queue-why').allInnerTexts())[0]).toBe('On do-not-call list (Opt-out)');
    await byTestId('lang-switch').getByText('中文').click();
    await page.getByText('名单队列').waitFor();
  });

  it('ends a new campaign and destroys its personal data through the dialog', async () => {
    await byTestId('campaign-new-name').fill('浏览器测试活动');
    await byTestId('campaign-create').click();
    await page.locator('[data-testid="campaign-row"][data-name="浏览器测试活动"]').waitFor();
    expect(await byTestId('campaign-title').innerText()).toBe('浏览器测试活动');
    await byTestId('campaign-end').click();
    await byTestId('destroy-open').click();
    await byTestId('destroy-dialog').waitFor();
    expect(await byTestId('destroy-confirm').isDisabled()).toBe(true);
    await byTestId('destroy-name').fill('浏览器测试活动');
    await byTestId('destroy-confirm').click();
    await byTestId('destroy-done').waitFor({ timeout: 60_000 });
    expect(await byTestId('destroy-done').innerText()).toContain('核验无残留');
    const c = (await api('GET', '/campaigns')).body.campaigns.find((x: { name: string }) => x.name === '浏览器测试活动');
    expect(c.status).toBe('destroyed');
    await shot('outbound-destroyed');
  });
});
