// Outbound → Import in Chromium against the real `seatbox serve --demo`: download the messy GBK
// sample from the page, upload it, see the detected encoding and mapping, the refused lines
// with their reasons, import the valid rows only; a 110,000-row file shows the progress bar.
// Needs `npm run build` first.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messyLeadsCsv } from '../../firmware-agent/src/leads/import/sample.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'Lantern-Orbit-7731' };
const SAMPLE = join(__dirname, '..', 'fixtures', 'leads', 'sample-messy-gbk.csv');
let server: DemoServer;
let browser: Browser;
let page: Page;
let tmp: string;
let campaignId: number;
let bigCampaignId: number;

const db = () => new Database(join(server.dataDir, 'seatbox.db'));

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'seatbox-leads-browser-'));
  server = await startDemoServer({ demoIntervalSeconds: 0 });
  // Campaigns are made on the campaign page (another module); here they are rows.
  const d = db();
  try {
    campaignId = Number(d.prepare("INSERT INTO campaigns (name, status) VALUES ('双十一回访', 'active')").run().lastInsertRowid);
    bigCampaignId = Number(d.prepare("INSERT INTO campaigns (name, status) VALUES ('大名单', 'active')").run().lastInsertRowid);
  } finally {
    d.close();
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true })).newPage();
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
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('lead import from the web UI', () => {
  it('offers the messy GBK sample, shows its refused lines and reasons, imports the valid rows', async () => {
    await page.goto(server.url + '/outbound/import');
    await page.getByTestId('leads-import-page').waitFor();

    // The sample file the page offers is the shipped fixture, byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('leads-import-sample').click()]);
    const saved = join(tmp, download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toBe('sample-messy-gbk.csv');
    expect(readFileSync(saved).equals(readFileSync(SAMPLE))).toBe(true);

    await page.getByTestId('leads-import-campaign').selectOption(String(campaignId));
    await page.getByTestId('leads-import-source').fill('某数据公司');
    await page.getByTestId('leads-import-file').setInputFiles(saved);
    await page.getByTestId('leads-import-upload').click();
    await page.getByTestId('leads-import-report').waitFor();

    expect(await page.getByTestId('leads-import-encoding').innerText()).toBe('GBK');
    expect(await page.getByTestId('leads-import-map-1').inputValue()).toBe('phone');
    expect(await page.getByTestId('leads-import-count-rows').innerText()).toBe('17');
    expect(await page.getByTestId('leads-import-count-valid').innerText()).toBe('9');
    expect(await page.getByTestId('leads-import-count-duplicates').innerText()).toBe('2');
    expect(await page.getByTestId('leads-import-count-invalid').innerText()).toBe('6');
    const refused = page.getByTestId('leads-import-report').getByTestId('leads-import-refused-row');
    expect(await refused.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-line')}:${r.getAttribute('data-code')}`))).toEqual([
      '9:scientific_notation', '10:invalid_phone', '11:duplicate_in_file', '14:missing_area_code', '16:invalid_phone', '17:duplicate_in_file', '18:invalid_phone', '19:missing_phone',
    ]);
    expect(await refused.nth(1).innerText()).toContain('invalid_phone: "1381234567" has 10 digits, a mobile number needs 11');

    // All or nothing (the default) refuses the whole file and writes nothing.
    await page.getByTestId('leads-import-go').click();
    await page.getByTestId('leads-import-result-refused').waitFor();
    const d = db();
    try {
      expect(d.prepare('SELECT count(*) FROM leads WHERE campaign_id = ?').pluck().get(campaignId)).toBe(0);
    } finally {
      d.close();
    }

    // Valid rows only: the 9 valid numbers land in the campaign.
    await page.getByTestId('leads-import-mode-valid').check();
    await page.getByTestId('leads-import-go').click();
    await page.getByTestId('leads-import-result-imported').waitFor();
    expect(await page.getByTestId('leads-import-result').getByTestId('leads-import-refused-row').count()).toBe(8);
    const d2 = db();
    try {
      const lines = d2.prepare('SELECT source_line FROM leads WHERE campaign_id = ? ORDER BY source_line').pluck().all(campaignId);
      expect(lines).toEqual([2, 3, 4, 6, 7, 8, 12, 15, 20]);
    } finally {
      d2.close();
    }
    await expect.poll(() => page.getByTestId('leads-import-job').count()).toBe(2);
  });

  it('imports a 110,000-row messy GBK file with a progress bar', async () => {
    const big = messyLeadsCsv(110_000);
    const path = join(tmp, '十一月名单.csv');
    writeFileSync(path, big.bytes);
    await page.goto(server.url + '/outbound/import');
    await page.getByTestId('leads-import-page').waitFor();
    await page.getByTestId('leads-import-campaign').selectOption(String(bigCampaignId));
    await page.getByTestId('leads-import-source').fill('大供应商');
    await page.getByTestId('leads-import-file').setInputFiles(path);
    await page.getByTestId('leads-import-upload').click();
    await page.getByTestId('leads-import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('leads-import-count-rows').innerText()).toBe('110000');
    await page.getByTestId('leads-import-mode-valid').check();
    await page.getByTestId('leads-import-go').click();
    await page.getByTestId('leads-import-progress').waitFor();
    // The bar follows the server's leads.import.progress frames (checking, then writing).
    await expect
      .poll(() => page.getByTestId('leads-import-progress').innerText().catch(() => ''), { interval: 50, timeout: 30_000 })
      .toMatch(/检查号码|写入数据库/);
    await page.getByTestId('leads-import-result-imported').waitFor({ timeout: 60_000 });
    const d = db();
    try {
      expect(d.prepare('SELECT count(*) FROM leads WHERE campaign_id = ?').pluck().get(bigCampaignId)).toBe(big.expected.valid);
    } finally {
      d.close();
    }
  }, 120_000);
});
