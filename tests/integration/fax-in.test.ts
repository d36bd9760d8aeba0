// Fax in, for real: a simulated remote machine (res_fax_spandsp SendFAX on one half of a Local
// channel pair) sends a known 3-page document to a DID whose inbound route is "fax"; the box's
// seatbox-fax-in context receives it with ReceiveFAX (the other half) — real T.30 in real
// Asterisk 22. The inbox row must carry the sender's station ID, the page count, the rate, the
// DID and the route; the PDF the API serves must have the sent page count (ghostscript counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfPages, pdfsToFaxTiff, samplePdf } from '../../firmware-agent/src/fax/convert.js';
import type { FaxInboxItem } from '../../firmware-agent/src/fax/fax-store.js';
import { defaultRootDir, rootReady } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

const ready = rootReady(defaultRootDir());
const PAGES = 3;

describe.skipIf(!ready)('fax in: real T.30 through Asterisk 22 into the inbox', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it(`a ${PAGES}-page fax to a fax DID lands in the inbox as a ${PAGES}-page PDF`, async () => {
    const route = await t.api('POST', '/api/v1/routes/inbound', { name: 'Fax line', did: '88001', destination: 'fax' });
    expect(route.status, route.text).toBe(200);
    const ext = await t.agent.ami.command('dialplan show 88001@seatbox-from-trunk');
    expect(ext).toContain('seatbox-fax-in');

    const pdf = await samplePdf('Integration fax', PAGES);
    const { tiff, pages } = await pdfsToFaxTiff([{ name: 'doc.pdf', data: pdf }], undefined);
    expect(pages).toBe(PAGES);
    const file = t.agent.fax.stageSimDocument('it-3p.tif', tiff);

    await t.openLive();
    const started = Date.now();
    await t.agent.fax.sendSimulatedFax({ did: '88001', file, callerNumber: '02150009999' });
    const item = await waitFor('the fax in the inbox', async () => {
      const r = await t.api<{ items: FaxInboxItem[]; unread: number }>('GET', '/api/v1/fax/inbox');
      return r.body.items[0];
    }, 180_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`fax in: ${PAGES} pages in ${seconds.toFixed(1)} s (T.30 ${item.durationSeconds} s at ${item.rate} bit/s)`);

    expect(item.status, item.error ?? '').toBe('received');
    expect(item.pages).toBe(PAGES);
    expect(item.route).toBe('did');
    expect(item.did).toBe('88001');
    expect(item.callerNumber).toBe('02150009999');
    expect(item.remoteStation).toBe('+86 21 5000 1000');
    expect(item.rate).toBeGreaterThanOrEqual(2400);
    expect(item.resolution).toMatch(/^\d+×\d+ dpi$/);
    expect(item.durationSeconds).toBeGreaterThan(5);
    expect(item.hasPdf).toBe(true);
    expect(item.readAt).toBeNull();

    // The PDF as the API serves it, counted by ghostscript.
    const res = await fetch(`${t.base}/api/v1/fax/inbox/${item.id}/pdf?download=true`, { headers: { cookie: await cookieOf(t) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const body = Buffer.from(await res.arrayBuffer());
    expect(await pdfPages(body)).toBe(PAGES);

    // Live notification, read flag, audit.
    expect(t.frames.some((f) => f.type === 'fax.incoming')).toBe(true);
    const frame = t.frames.find((f) => f.type === 'fax.received');
    expect(frame && frame.type === 'fax.received' && frame.data.item.id).toBe(item.id);
    const read = await t.api<FaxInboxItem>('POST', `/api/v1/fax/inbox/${item.id}/read`, { read: true });
    expect(read.body.readAt).not.toBeNull();
    expect(read.body.readBy).toBe('admin');
    const actions = t.agent.audit.recent(50).map((a) => `${a.action} ${a.target}`);
    expect(actions).toContain(`fax.downloaded fax-in:${item.id}`);
    expect(actions).toContain(`fax.marked_read fax-in:${item.id}`);
  }, 240_000);

  it('the hotline\'s fax detection (CNG) hands a fax call to the receiver', async () => {
    const ivr = (await t.api('GET', '/api/v1/hotline/ivr')).body;
    Object.assign(ivr, { did: '4000000000', faxDetect: true, useBusinessHours: false });
    Object.assign(ivr.menus[0], { prompt: null, timeoutSeconds: 20, maxRetries: 1, options: [{ digit: '9', destination: { kind: 'hangup' } }], fallback: { kind: 'hangup' } });
    const put = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
    expect(put.status, put.text).toBe(200);
    expect(await t.agent.ami.command('dialplan show 4000000000@seatbox-from-trunk')).toContain('seatbox-hotline-');
    expect(await t.agent.ami.command('dialplan show')).toContain('FAXOPT(faxdetect)=cng');

    const pdf = await samplePdf('Hotline fax', 1);
    const { tiff } = await pdfsToFaxTiff([{ name: 'one.pdf', data: pdf }], undefined);
    const file = t.agent.fax.stageSimDocument('it-1p.tif', tiff);
    const before = (await t.api<{ items: FaxInboxItem[] }>('GET', '/api/v1/fax/inbox')).body.items.length;
    const started = Date.now();
    await t.agent.fax.sendSimulatedFax({ did: '4000000000', file, callerNumber: '075512345678' });
    const item = await waitFor('the hotline fax in the inbox', async () => {
      const items = (await t.api<{ items: FaxInboxItem[] }>('GET', '/api/v1/fax/inbox')).body.items;
      return items.length > before ? items[0] : undefined;
    }, 150_000);
    console.log(`fax via hotline CNG detection: 1 page in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(item).toMatchObject({ status: 'received', pages: 1, route: 'hotline', did: '4000000000', callerNumber: '075512345678' });
  }, 200_000);
});

/** The session cookie of the test client (fetch of a binary body). */
async function cookieOf(t: TestAgent): Promise<string> {
  let cookie = '';
  const orig = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    cookie = String((init?.headers as Record<string, string> | undefined)?.['cookie'] ?? '');
    return orig(input, init);
  }) as typeof fetch;
  try {
    await t.api('GET', '/api/v1/fax/settings');
  } finally {
    globalThis.fetch = orig;
  }
  return cookie;
}
