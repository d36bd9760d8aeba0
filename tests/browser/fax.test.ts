// Browser test of the Fax page against the real `seatbox serve --demo` (Asterisk included):
// the simulated remote machine sends a 3-page fax (real T.30); the toast and the unread badge
// appear, the inbox row shows 3 pages and its PDF opens; then the user queues an outbound fax
// (a PDF upload + cover page) to the simulated PSTN's fax machine and watches it go to "sent".
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePdf } from '../../firmware-agent/src/fax/convert.js';
import type { Page } from 'playwright-core';
import { openSignedIn, type BrowserSession } from '../support/browser.js';
import type { DemoServer } from '../support/demo-server.js';

let ui: BrowserSession;
let server: DemoServer;
let page: Page;
const byTestId = (id: string) => page.getByTestId(id);
const api = (method: string, path: string, body?: unknown) => ui.api(method, path, body);
const shot = (name: string) => ui.shot(name);

describe('fax in the web UI', () => {
  beforeAll(async () => {
    ui = await openSignedIn({ demoIntervalSeconds: 3600 });
    ({ server, page } = ui);
    // Only the faxes this test asks for (the periodic demo fax is turned off).
    const s = await api('PUT', '/fax/settings', { channels: 4, maxAttempts: 3, retryIntervalSeconds: 30, stationId: '+86 21 5555 0100', header: 'SeatBox', demoIntervalSeconds: 0 });
    expect(s.status).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('a fax arriving shows a toast, a badge and a 3-page inbox row whose PDF opens', async () => {
    await page.locator('[data-nav="/fax-sms"]').click();
    await byTestId('fax-page').waitFor();
    expect(await byTestId('fax-inbox').innerText()).toContain('还没有收到传真');
    await byTestId('fax-demo').click();
    await byTestId('fax-note').waitFor();
    await byTestId('fax-arriving').waitFor({ timeout: 30_000 });
    await byTestId('fax-toast').waitFor({ timeout: 150_000 });
    expect(await byTestId('fax-toast').innerText()).toContain('收到传真：3 页');
    await shot('fax-inbox');
    const row = byTestId('fax-in-row').first();
    await row.waitFor();
    expect(await row.getAttribute('data-pages')).toBe('3');
    expect(await row.getAttribute('data-read')).toBe('false');
    expect(await byTestId('fax-unread').innerText()).toBe('1');
    // The PDF the "view" link points to.
    const href = await row.getByTestId('fax-view').getAttribute('href');
    const pdf = await page.evaluate(async (u) => {
      const r = await fetch(u!);
      const b = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...b.slice(0, 5)) };
    }, href);
    expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
    await row.getByTestId('fax-read').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="fax-in-row"]')?.getAttribute('data-read') === 'true');
    expect(await byTestId('fax-unread').count()).toBe(0);
  }, 200_000);

  it('queues an outbound fax (PDF + cover) and shows it sent', async () => {
    await byTestId('fax-tab-outbox').click();
    await byTestId('fax-number').fill('02150001000');
    expect(await byTestId('fax-trunk').inputValue()).toBe('pstn-sim');
    const pdf = await samplePdf('Browser fax', 1);
    await byTestId('fax-files').setInputFiles({ name: 'offer.pdf', mimeType: 'application/pdf', buffer: pdf });
    await byTestId('fax-cover').check();
    await byTestId('fax-cover-from').fill('SeatBox demo');
    await byTestId('fax-send').click();
    await byTestId('fax-note').waitFor();
    expect(await byTestId('fax-note').innerText()).toMatch(/传真 #\d+ 已加入队列/);
    const row = byTestId('fax-job-row').first();
    await row.waitFor();
    await shot('fax-outbox-queued');
    await page.waitForFunction(() => document.querySelector('[data-testid="fax-job-row"]')?.getAttribute('data-status') === 'sent', undefined, { timeout: 150_000 });
    expect(await row.getByTestId('fax-job-status').innerText()).toBe('已发送');
    expect(await row.innerText()).toContain('已发 2 页');
    await shot('fax-outbox-sent');
    // A renamed image is refused with the reason shown.
    await byTestId('fax-number').fill('02150001000');
    await byTestId('fax-files').setInputFiles({ name: 'photo.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]) });
    await byTestId('fax-cover').uncheck();
    await byTestId('fax-send').click();
    await page.getByText('photo.pdf: the file is not a PDF').waitFor();
  }, 200_000);
});
