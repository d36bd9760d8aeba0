// Browser test of the wallboard (/wallboard) on the real Asterisk 22 (whole agent in-process,
// SIPp phone and carrier, Chromium): agent 1001 (team 一组) at seat 8001, the hotline queue.
// A SIPp caller enters the queue; 8001 rings 4 s, then answers. The board shows the caller
// waiting (longest wait ticking in the page), then the answered figures and the agent talking.
// Latency: every 'wallboard.update' frame carries trigger.at = when the agent received the first
// AMI event folded into it; the test stamps each frame when Chromium receives it (same host
// clock) and asserts frame arrival − trigger.at < 1 s for the frame that first shows the answer.
// No request to /api/v1/wallboard after the first load (no polling).
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots there.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallboardSnapshot } from '../../firmware-agent/src/reports/wallboard.js';
import { ADMIN, startTestAgent, type TestAgent } from '../support/agent.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, stopAllSipp, type SippProcess } from '../support/sipp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;
const CARRIER = '127.0.0.2';
const DID = '4008009999';

let t: TestAgent;
let browser: Browser;
let page: Page;
let carrierPort: number;
const secrets = new Map<string, string>();
const wallboardRequests: string[] = [];
const frames: Array<{ recvAt: number; data: WallboardSnapshot }> = [];

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const remote = () => `127.0.0.1:${t.agent.opts.asterisk.sipPort}`;
const queueTile = () => page.locator('[data-testid="wb-queue"][data-queue="hotline"]');
const countOf = async (testid: string) => Number(await queueTile().getByTestId(testid).getAttribute('data-count'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
  carrierPort = await freeUdpPortFor(CARRIER);
  t = await startTestAgent();
  const seats = await t.api<{ provisioning: Array<{ extension: string; secret: string }> }>('POST', '/api/v1/seats/bulk', { from: '8001', to: '8002', namePattern: '坐席 {n}', kind: 'agent' });
  expect(seats.status, seats.text).toBe(200);
  for (const p of seats.body.provisioning) secrets.set(p.extension, p.secret);
  const trunk = await t.api('POST', '/api/v1/trunks', { name: '运营商', kind: 'sip', host: CARRIER, port: carrierPort, register: false, qualifySeconds: 0, dtmfMode: 'info' });
  expect(trunk.status, trunk.text).toBe(200);
  const queues = (await t.api('GET', '/api/v1/hotline/queues')).body;
  Object.assign(queues.queues[0], { strategy: 'linear', ringTimeoutSeconds: 15, members: [{ seat: '8001', penalty: 0 }], survey: false, maxWaitSeconds: 40 });
  const q = await t.api('PUT', '/api/v1/hotline/queues', queues);
  expect(q.status, q.text).toBe(200);
  const ivr = (await t.api('GET', '/api/v1/hotline/ivr')).body;
  Object.assign(ivr, { did: DID, useBusinessHours: false });
  Object.assign(ivr.menus[0], { timeoutSeconds: 5, maxRetries: 1, options: [{ digit: '1', destination: { kind: 'queue', target: 'hotline' } }], fallback: { kind: 'hangup' } });
  const i = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
  expect(i.status, i.text).toBe(200);
  const a = await t.api('POST', '/api/v1/agents', { number: '1001', name: '张三', team: '一组' });
  expect(a.status, a.text).toBe(200);
  const login = await t.api('POST', `/api/v1/agents/${a.body.agent.id}/login`, { seat: '8001' });
  expect(login.status, login.text).toBe(200);
  // Targets the board colours: answer rate ≥ 96 %, SL ≥ 80 %.
  const tg = await t.api('PUT', '/api/v1/reports/targets', {
    targets: [
      { scope: 'center', scopeKey: '', metric: 'answerRate', op: 'min', value: 0.96 },
      { scope: 'center', scopeKey: '', metric: 'serviceLevel', op: 'min', value: 0.8 },
    ],
  });
  expect(tg.status, tg.text).toBe(200);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/wallboard') wallboardRequests.push(r.url());
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => {
      const recvAt = Date.now();
      if (typeof f.payload !== 'string' || !f.payload.includes('"wallboard.update"')) return;
      const m = JSON.parse(f.payload) as { type: string; data: WallboardSnapshot };
      if (m.type === 'wallboard.update') frames.push({ recvAt, data: m.data });
    });
  });
}, 150_000);

afterAll(async () => {
  await stopAllSipp();
  await browser?.close().catch(() => undefined);
  await t?.stop();
}, 60_000);

async function phone(ext: string, answer: string, holdMs = 30_000): Promise<SippProcess> {
  const p = await startSipp({
    label: `wallboard-phone-${ext}`,
    scenario: scenario('seat-phone.xml', { HOLD_MS: holdMs }),
    outOfCallScenario: answer,
    csv: csvFile([[ext, { user: ext, password: secrets.get(ext)! }]]),
    remote: remote(),
    calls: 1,
    autoAnswer: true,
    timeoutSeconds: Math.ceil(holdMs / 1000) + 10,
  });
  await p.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
  return p;
}

function caller(label: string, number: string, talkMs: number): Promise<SippProcess> {
  const steps = `  <pause milliseconds="800"/>
  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 10 INFO
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=1
      Duration=160
    ]]>
  </send>
  <recv response="200"/>`;
  return startSipp({
    label,
    scenario: scenario('hotline-caller.xml', { STEPS: steps, TALK_MS: talkMs }),
    csv: csvFile([[number, '0', DID]]),
    localIp: CARRIER,
    localPort: carrierPort,
    remote: remote(),
    calls: 1,
    timeoutSeconds: 40,
  });
}

describe('wallboard in Chromium on the real Asterisk (SIPp)', () => {
  it('opens full-screen without the console shell, in Chinese', async () => {
    await page.goto(t.base + '/wallboard');
    await page.getByTestId('login-form').waitFor();
    await page.fill('#login-username', ADMIN.username);
    await page.fill('#login-password', ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('wallboard').waitFor();
    expect(new URL(page.url()).pathname).toBe('/wallboard');
    // No nav, no header of the console.
    expect(await page.locator('[data-nav]').count()).toBe(0);
    expect(await page.getByTestId('user-name').count()).toBe(0);
    await page.locator('[data-testid="wb-conn"][data-conn="open"]').waitFor();
    expect(await page.locator('h1').innerText()).toBe('呼叫中心实时大屏');
    await queueTile().waitFor();
    expect(await countOf('wb-waiting')).toBe(0);
    expect(await countOf('wb-offered')).toBe(0);
    const agent = page.locator('[data-testid="wb-team"][data-team="一组"] [data-testid="wb-agent"][data-agent="1001"]');
    expect(await agent.getAttribute('data-state')).toBe('ready');
    // The Fullscreen API: the button puts the whole page full screen.
    await page.getByTestId('wb-fullscreen').click();
    await page.waitForFunction(() => document.fullscreenElement !== null, null, { timeout: 5000 });
    expect(await page.getByTestId('wb-fullscreen').innerText()).toBe('退出全屏');
    await shot('wb-01-idle-zh');
    expect(wallboardRequests).toHaveLength(1);
  });

  it('a SIPp caller waits, then the agent answers: the board follows within 1 s of the AMI event, no polling', async () => {
    const p1 = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 4000, TALK_MS: 3000 }));
    const c1 = await caller('wallboard-answered', '13812340001', 12_000);
    // Waiting: the caller is in the queue while 8001 rings.
    await page.locator('[data-testid="wb-queue"][data-queue="hotline"] [data-testid="wb-waiting"][data-count="1"]').waitFor({ timeout: 20_000 });
    expect(await countOf('wb-offered')).toBe(1);
    expect(await countOf('wb-answered')).toBe(0);
    // The longest wait ticks in the page (no frame needed for that).
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="wb-queue"][data-queue="hotline"] [data-testid="wb-longest"]')?.getAttribute('data-seconds')) >= 2, null, { timeout: 10_000 });
    await shot('wb-02-waiting-zh');
    // After an AMI reconnect the waiting list comes from app_queue itself (QueueStatus): forget
    // it, resync from the real Asterisk, and the caller is back with (about) the same entry time.
    const wb = t.agent.wallboard;
    const before = wb.snapshot().queues.find((x) => x.name === 'hotline')!;
    wb.applyQueueStatus([]);
    expect(wb.snapshot().center.waiting).toBe(0);
    await wb.resync();
    const after = wb.snapshot().queues.find((x) => x.name === 'hotline')!;
    expect(after.waiting).toBe(1);
    expect(Math.abs(Date.parse(after.oldestSince!) - Date.parse(before.oldestSince!))).toBeLessThan(1500); // Wait is whole seconds
    // Answered.
    await page.locator('[data-testid="wb-queue"][data-queue="hotline"] [data-testid="wb-answered"][data-count="1"]').waitFor({ timeout: 20_000 });
    const shownAt = Date.now();
    expect(await countOf('wb-waiting')).toBe(0);
    expect(await queueTile().getByTestId('wb-answer-rate').getAttribute('data-tone')).toBe('met'); // 1/1 ≥ 96 %
    expect(await queueTile().getByTestId('wb-sl').getAttribute('data-tone')).toBe('met'); // answered after ~4-5 s ≤ 20 s
    await page.locator('[data-testid="wb-team"][data-team="一组"] [data-testid="wb-agent"][data-agent="1001"][data-state="talking"]').waitFor({ timeout: 10_000 });
    await shot('wb-03-answered-zh');

    const first = frames.find((f) => f.data.queues.find((q) => q.name === 'hotline')?.today.answered === 1);
    expect(first, 'a frame with the answer').toBeTruthy();
    expect(first!.data.trigger).not.toBeNull();
    const latencyMs = first!.recvAt - Date.parse(first!.data.trigger!.at);
    const row = t.agent.db.prepare("SELECT answered_at FROM queue_calls WHERE queue = 'hotline' AND answered_at IS NOT NULL").get() as { answered_at: string };
    const fromAnswerMs = first!.recvAt - Date.parse(row.answered_at);
    console.log(`wallboard latency: AMI event (trigger ${first!.data.trigger!.source}) → frame in Chromium ${latencyMs} ms; AgentConnect recorded → frame ${fromAnswerMs} ms; frame → DOM seen by the test ≤ ${shownAt - first!.recvAt} ms`);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(1000);
    expect(fromAnswerMs).toBeLessThan(1000);

    const r1 = await c1.done;
    expect(r1.code, describeRun(r1)).toBe(0);
    cleanSipp(await p1.stop());
    cleanSipp(r1);
    // After the call: the agent leaves talking (wrap-up or ready), over the feed again.
    await page.locator('[data-testid="wb-team"][data-team="一组"] [data-testid="wb-agent"][data-agent="1001"]:not([data-state="talking"])').waitFor({ timeout: 20_000 });
    // The conversation is over (the phone hung up after 3 s): average talk now shows it.
    await page.waitForFunction(() => document.querySelector('[data-testid="wb-queue"][data-queue="hotline"] [data-testid="wb-avg-talk"]')?.getAttribute('data-value') !== '', null, { timeout: 10_000 });
    const avgTalk = Number(await queueTile().getByTestId('wb-avg-talk').getAttribute('data-value'));
    expect(avgTalk).toBeGreaterThan(2);
    expect(avgTalk).toBeLessThan(6);
    // Everything came over the websocket: /wallboard was fetched once, at the first load.
    expect(wallboardRequests).toHaveLength(1);
  }, 90_000);

  it('switches to English', async () => {
    await page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await page.locator('h1', { hasText: 'Call center wallboard' }).waitFor();
    expect(await queueTile().getByTestId('wb-answered').innerText()).toContain('Answered');
    await shot('wb-04-answered-en');
  });
});
