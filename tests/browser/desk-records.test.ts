// Browser test of the desk records' manager side against the real `seatbox serve --demo`:
// the campaign editor's desk sections (identity check, targets, registration form: a bad value
// refused with its path, a new form field saved), the complaint tickets page (list, detail,
// follow-up with status → timeline, status filter, XLSX export) and the threat alert that pops
// for a manager until acknowledged (then the threats page shows who acknowledged), and the
// registrations page (form values as columns, export).
// (The agent side — identity panel, threat button — is in tests/browser/desk.test.ts.)
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignedIn, type BrowserSession } from '../support/browser.js';

const DEMO = '演示活动 Demo';
let ui: BrowserSession;
let page: Page;
const byTestId = (id: string) => page.getByTestId(id);
const api = (method: string, path: string, body?: unknown) => ui.api(method, path, body);

describe('desk records in the web UI (manager side)', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 0, acceptDialogs: true });
    page = ui.page;
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('campaign editor: identity, targets and the registration form; errors by path', async () => {
    await page.locator('[data-nav="/outbound/campaigns"]').click();
    await byTestId('campaigns-page').waitFor();
    await page.locator(`[data-testid="campaign-row"][data-name="${DEMO}"]`).click();
    await byTestId('desk-settings').waitFor();
    expect(await byTestId('settings-sensitive-fields').inputValue()).toBe('id_number, address');
    expect(await byTestId('settings-form-fields').locator('tbody tr').count()).toBe(5);
    await byTestId('settings-max-attempts').fill('0');
    await byTestId('settings-save').click();
    await byTestId('settings-issues').waitFor();
    expect(await byTestId('settings-issues').innerText()).toContain('settings.identity.maxAttempts');
    await byTestId('settings-max-attempts').fill('2');
    await byTestId('settings-target-callsPerDay').fill('150');
    await byTestId('settings-form-add').click();
    await byTestId('form-field-key-5').fill('invoice_title');
    await byTestId('settings-save').click();
    await page.getByText('已保存。').waitFor();
    const c = (await api('GET', '/campaigns')).body.campaigns.find((x: { name: string }) => x.name === DEMO);
    expect(c.settings.identity.maxAttempts).toBe(2);
    expect(c.settings.targets.callsPerDay).toBe(150);
    expect(c.settings.registrationForm.fields.map((f: { key: string }) => f.key)).toEqual(['product', 'quantity', 'delivery_address', 'contact_phone', 'note', 'invoice_title']);
    await ui.shot('desk-records-settings');
  }, 90_000);

  it('tickets: list, detail, follow-up with status → timeline; filter; export', async () => {
    const a = await api('POST', '/tickets', { category: 'billing', severity: 'urgent', description: '客户来信：重复扣费 58 元', request: '退还多扣费用', callerNumber: '13912345678' });
    expect(a.status).toBe(200);
    await api('POST', '/tickets', { category: 'service', severity: 'normal', description: '安装师傅迟到' });
    await page.locator('[data-nav="/tickets"]').click();
    await byTestId('tickets-page').waitFor();
    await byTestId(`ticket-row-${a.body.id}`).waitFor();
    expect(await byTestId('tickets-table').locator('tbody tr').count()).toBe(2);
    expect(await byTestId(`ticket-row-${a.body.id}`).innerText()).toContain('紧急');
    await byTestId(`ticket-row-${a.body.id}`).getByText(`#${a.body.id}`).click();
    await byTestId('ticket-detail').waitFor();
    expect(await byTestId('ticket-detail').innerText()).toContain('重复扣费 58 元');
    await byTestId('followup-note').fill('已致电客户，财务核实中');
    await byTestId('followup-contact').check();
    await byTestId('followup-status').selectOption('in_progress');
    await byTestId('followup-save').click();
    await byTestId('ticket-timeline').waitFor();
    const tl = await byTestId('ticket-timeline').innerText();
    expect(tl).toContain('已致电客户，财务核实中');
    expect(tl).toContain('已联系客户');
    expect(tl).toContain('待处理 → 处理中');
    expect((await api('GET', `/tickets/${a.body.id}`)).body.ticket.status).toBe('in_progress');
    await ui.shot('desk-records-ticket');
    await page.getByText('返回列表').click();
    await byTestId('tickets-status').selectOption('in_progress');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tickets-table"] tbody tr').length === 1);
    const href = await byTestId('tickets-export-xlsx').getAttribute('href');
    expect(href).toContain('status=in_progress');
    const xlsx = await page.evaluate(async (u) => {
      const r = await fetch(u!);
      return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
    }, href);
    expect(xlsx).toMatchObject({ status: 200, type: expect.stringContaining('spreadsheetml') });
    expect(xlsx.size).toBeGreaterThan(1000);
  }, 90_000);

  it('registrations page: the form values as columns; a bad value refused by path; export', async () => {
    const c = (await api('GET', '/campaigns')).body.campaigns.find((x: { name: string }) => x.name === DEMO);
    const leadId = (await api('GET', `/campaigns/${c.id}/leads?limit=1`)).body.leads[0].id;
    const bad = await api('POST', '/registrations', { campaignId: c.id, leadId, values: { product: 'gold', quantity: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['values.product', 'values.quantity', 'values.delivery_address', 'values.contact_phone']);
    const ok = await api('POST', '/registrations', { campaignId: c.id, leadId, values: { product: 'standard', quantity: 2, delivery_address: '上海市徐汇区中山路 1 号', contact_phone: '139 1234 5678', invoice_title: '华夏商贸' } });
    expect(ok.status).toBe(200);
    await page.locator('[data-nav="/tickets/registrations"]').click();
    await byTestId('registrations-page').waitFor();
    await byTestId(`reg-row-${ok.body.id}`).waitFor();
    const row = await byTestId(`reg-row-${ok.body.id}`).innerText();
    expect(row).toContain('标准套餐');
    expect(row).toContain('13912345678');
    expect(row).toContain('华夏商贸');
    const href = await byTestId('regs-export-csv').getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), href);
    expect(csv).toContain('13912345678');
    await ui.shot('desk-records-registrations');
  }, 60_000);

  it('a threat call pops up for the manager until acknowledged', async () => {
    // A threat as the desk writes it (the agent flow itself is tested in desk.test.ts).
    const db = new Database(join(ui.server.dataDir, 'seatbox.db'));
    try {
      db.prepare(`INSERT INTO desk_threats (at, seat, caller_number, linkedid, notes) VALUES (?, '8005', '13800001111', '1700000000.42', '来电者扬言报复')`).run(new Date().toISOString());
    } finally {
      db.close();
    }
    await page.reload();
    await byTestId('threat-alert').waitFor();
    const body = await byTestId('threat-alert').innerText();
    expect(body).toContain('8005');
    expect(body).toContain('13800001111');
    expect(body).toContain('来电者扬言报复');
    await ui.shot('desk-records-threat-alert');
    await byTestId('threat-alert-ack').click();
    await byTestId('threat-alert').waitFor({ state: 'detached' });
    expect((await api('GET', '/threats?unacknowledged=true')).body.threats).toHaveLength(0);
    await page.locator('[data-nav="/tickets/threats"]').click();
    await byTestId('threats-page').waitFor();
    // The table renders its empty row until the list arrives: wait for the threat's row.
    const rowLoc = byTestId('threats-table').locator('tbody tr', { hasText: '来电者扬言报复' }).first();
    await rowLoc.waitFor();
    const row = await rowLoc.innerText();
    expect(row).toContain('admin');
    expect(row).toContain('来电者扬言报复');
  }, 60_000);
});
