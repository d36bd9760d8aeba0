// Browser test of the QA pages in Chromium against the real API (in-process fastify, real
// SQLite, a real WAV file behind the Range endpoint): a QA user builds a form in the editor,
// scores a call from the work queue while the recording plays (a comment stamped with the
// playback position; clicking it seeks), the agent opens the result and appeals, the QA
// manager rejects the appeal. Needs the built UI: dist/web-ui (npm run build) or
// SEATBOX_QA_UI_DIR=<vite outDir>.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { QaModule } from '../../firmware-agent/src/qa/qa-module.js';
import type { RecordingModule } from '../../firmware-agent/src/recording/recording-module.js';
import { RecordingStore, type RecordingRow } from '../../firmware-agent/src/recording/recording-store.js';
import { REPO_ROOT } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI_DIR = process.env.SEATBOX_QA_UI_DIR ?? join(REPO_ROOT, 'dist', 'web-ui');
const PW = 'Quiet-Harbor-4821';

let dir: string;
let db: Db;
let app: App;
let base: string;
let browser: Browser;
let recId = 0;

/** 6 s of a 440 Hz tone, 8 kHz 16-bit mono PCM. */
function wav(seconds: number): Buffer {
  const rate = 8000;
  const n = rate * seconds;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

const SHOTS = process.env.SEATBOX_UI_SHOTS;
async function shot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function login(username: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  await ctx.addInitScript(() => localStorage.setItem('seatbox.language', 'en'));
  const p = await ctx.newPage();
  p.setDefaultTimeout(15_000);
  await p.goto(`${base}/login`);
  await p.getByTestId('login-form').waitFor();
  await p.fill('#login-username', username);
  await p.fill('#login-password', PW);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('user-name').waitFor();
  return p;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  if (!existsSync(join(UI_DIR, 'index.html'))) throw new Error(`no built UI in ${UI_DIR}: run npm run build (or set SEATBOX_QA_UI_DIR)`);
  dir = mkdtempSync(join(tmpdir(), 'seatbox-qa-ui-'));
  db = openDatabase(join(dir, 'data'));
  const users = new UserStore(db);
  const qaUser = await users.create({ username: 'qa1', password: PW, displayName: 'QA One', roles: ['qa'] });
  void qaUser;
  await users.create({ username: 'boss', password: PW, displayName: 'Boss', roles: ['manager'] });
  await users.create({ username: 'qa2', password: PW, displayName: 'QA Two', roles: ['qa'] });
  const ag = await users.create({ username: 'ag1', password: PW, displayName: 'Li Lei', roles: ['agent'] });
  const agentId = Number(db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('1001', 'Li Lei', ?)").run(ag.id).lastInsertRowid);
  mkdirSync(join(dir, 'rec'), { recursive: true });
  writeFileSync(join(dir, 'rec', 'call1.wav'), wav(6));
  recId = Number(
    db
      .prepare("INSERT INTO recordings (linkedid, uniqueid, seat, agent_id, path, format, state, started_at, duration_ms) VALUES ('L1', 'U1', '8001', ?, 'call1.wav', 'wav', 'complete', '2026-11-20T03:00:00.000Z', 6000)")
      .run(agentId).lastInsertRowid,
  );
  // The recordings API's audio route needs the store and the file path only.
  const store = new RecordingStore(db);
  const recording = { store, fileOf: (row: RecordingRow) => join(dir, 'rec', row.path) } as unknown as RecordingModule;
  app = await buildServer({
    users,
    sessions: new SessionStore(db),
    audit: new AuditLog(db),
    throttle: new LoginThrottle(),
    health: () => ({}) as never,
    status: () => ({}) as never,
    calls: () => [],
    live: new LiveFeed(),
    qa: new QaModule({ db }),
    recording,
    uiDir: UI_DIR,
    cookieSecret: 'x'.repeat(32),
    loginRateLimit: 100,
    logger: silentLogger(),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'] });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await app?.close();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('QA in the browser', () => {
  it('form editor → score while listening → agent appeals → QA manager rejects', async () => {
    const qa = await login('qa1');
    // Build a two-item form: one weighted item (max 5), one critical item.
    await qa.goto(`${base}/qa/forms`);
    await qa.getByTestId('qa-form-new').click();
    await qa.getByTestId('qa-form-name-zh').fill('测试质检表');
    await qa.getByTestId('qa-form-name-en').fill('Test form');
    await qa.getByTestId('qa-form-s0-title-zh').fill('通话');
    await qa.getByTestId('qa-form-s0-title-en').fill('Call');
    await qa.getByTestId('qa-form-s0-i0-zh').fill('问候');
    await qa.getByTestId('qa-form-s0-i0-en').fill('Greeting');
    await qa.getByTestId('qa-form-s0-i0-weight').fill('3');
    await qa.getByTestId('qa-form-s0-i0-max').fill('5');
    await qa.getByTestId('qa-form-s0-add-item').click();
    await qa.getByTestId('qa-form-s0-i1-zh').fill('告知录音');
    await qa.getByTestId('qa-form-s0-i1-en').fill('Recording notice');
    await qa.getByTestId('qa-form-s0-i1-critical').check();
    await qa.getByTestId('qa-form-save').click();
    await qa.getByTestId('qa-form-saved').waitFor();
    const form = db.prepare<[], { id: number }>('SELECT id FROM qa_forms').get()!;
    expect(await qa.getByTestId(`qa-form-${form.id}`).innerText()).toContain('Test form');

    // Score from the queue.
    await qa.goto(`${base}/qa/score`);
    await qa.getByTestId(`qa-queue-open-${recId}`).click();
    await qa.getByTestId('qa-score-sheet').waitFor();
    const items = db.prepare<[], { id: number }>('SELECT id FROM qa_form_items ORDER BY position').all();
    await qa.getByTestId(`qa-item-${items[0]!.id}-4`).waitFor(); // the only active form is picked
    await qa.waitForFunction(() => {
      const a = document.querySelector('[data-testid="qa-audio"]') as HTMLAudioElement | null;
      return !!a && Number.isFinite(a.duration) && a.duration > 5;
    });
    // Listen to 2.5 s, then comment: the comment carries the position.
    await qa.getByTestId('qa-audio').evaluate((a: HTMLAudioElement) => (a.currentTime = 2.5));
    await qa.waitForFunction(() => !(document.querySelector('[data-testid="qa-audio"]') as HTMLAudioElement).seeking);
    await qa.getByTestId('qa-comment-text').fill('Greeting was rushed');
    await qa.getByTestId('qa-comment-add').click();
    expect(await qa.getByTestId('qa-comments').innerText()).toContain('0:02');
    // Clicking the comment seeks back to it after moving away.
    await qa.getByTestId('qa-audio').evaluate((a: HTMLAudioElement) => (a.pause(), (a.currentTime = 5)));
    await qa.getByTestId('qa-comment-seek-0').click();
    await qa.waitForFunction(() => {
      const a = document.querySelector('[data-testid="qa-audio"]') as HTMLAudioElement;
      return a.currentTime >= 2.4 && a.currentTime < 4.5;
    });
    await qa.getByTestId(`qa-item-${items[0]!.id}-4`).click();
    await qa.getByTestId(`qa-item-${items[1]!.id}-1`).click();
    // (4/5 × 3 + 1 × 1) / 4 = 85
    expect(await qa.getByTestId('qa-preview').innerText()).toContain('85.00');
    await shot(qa, 'qa-score');
    await qa.getByTestId('qa-submit').click();
    await qa.getByTestId('qa-score-done').waitFor();
    const ev = db.prepare<[], { id: number; score: number; passed: number }>('SELECT id, score, passed FROM qa_evaluations').get()!;
    expect(ev).toMatchObject({ score: 85, passed: 1 });
    const comment = db.prepare<[], { position_ms: number; text: string }>('SELECT position_ms, text FROM qa_evaluation_comments').get()!;
    expect(comment.text).toBe('Greeting was rushed');
    expect(comment.position_ms).toBeGreaterThanOrEqual(2400);
    expect(comment.position_ms).toBeLessThan(2700);

    // The agent sees it (menu: QA → Evaluations), listens and appeals.
    const agent = await login('ag1');
    await agent.goto(`${base}/qa`);
    await agent.getByTestId('qa-evaluations-page').waitFor();
    await agent.getByTestId(`qa-eval-open-${ev.id}`).click();
    await agent.getByTestId('qa-eval-detail').waitFor();
    await agent.waitForFunction(() => {
      const a = document.querySelector('[data-testid="qa-audio"]') as HTMLAudioElement | null;
      return !!a && Number.isFinite(a.duration) && a.duration > 5;
    });
    // The agent listened through the evaluation (not the staff-only recordings API): audited.
    const listen = db.prepare<[], { username: string; detail: string }>("SELECT username, detail FROM audit_log WHERE action = 'recording.listen' AND username = 'ag1'").all();
    expect(listen).toHaveLength(1);
    expect(JSON.parse(listen[0]!.detail)).toMatchObject({ via: `qa_evaluation:${ev.id}` });
    await agent.getByTestId('qa-appeal').click();
    await agent.getByTestId('qa-appeal-reason').fill('I greeted properly at 0:01');
    await agent.getByTestId('qa-appeal-send').click();
    await agent.waitForFunction(() => document.querySelector('[data-testid="qa-eval-status"]')?.textContent === 'Appealed');

    // The QA manager rejects it.
    const boss = await login('boss');
    await boss.goto(`${base}/qa/appeals`);
    const ap = db.prepare<[], { id: number }>('SELECT id FROM qa_appeals').get()!;
    await boss.getByTestId(`qa-appeal-reject-${ap.id}`).click();
    await boss.getByTestId(`qa-appeal-${ap.id}`).waitFor({ state: 'detached' });
    expect(db.prepare<[], { status: string }>('SELECT status FROM qa_evaluations').get()!.status).toBe('appeal_rejected');
    await shot(boss, 'qa-appeals');
  }, 120_000);

  it('calibration: the manager starts a session, two reviewers score, the spread shows', async () => {
    const boss = await login('boss');
    const ids = db.prepare<[], { id: number; username: string }>("SELECT id, username FROM users WHERE username IN ('qa1', 'qa2')").all();
    await boss.goto(`${base}/qa/calibration`);
    await boss.getByTestId('qa-cal-title').fill('Week 47');
    await boss.getByTestId('qa-cal-recording').fill(String(recId));
    const version = db.prepare<[], { id: number }>('SELECT id FROM qa_form_versions ORDER BY id DESC').get()!;
    await boss.getByTestId('qa-cal-form-version').selectOption(String(version.id));
    for (const u of ids) await boss.getByTestId(`qa-cal-reviewer-${u.id}`).check();
    await boss.getByTestId('qa-cal-create').click();
    await boss.getByTestId('qa-cal-view').waitFor();
    const session = db.prepare<[], { id: number }>('SELECT id FROM qa_calibration_sessions').get()!;
    const items = db.prepare<[number], { id: number }>('SELECT id FROM qa_form_items WHERE version_id = ? ORDER BY position').all(version.id);

    // Greeting 5/5 and 3/5, notice passed by both: (3 + 1)/4 = 100 and (1.8 + 1)/4 = 70.
    for (const [who, greeting] of [['qa1', 5], ['qa2', 3]] as const) {
      const p = await login(who);
      await p.goto(`${base}/qa/calibration`);
      await p.getByTestId(`qa-cal-open-${session.id}`).click();
      await p.getByTestId('qa-cal-score').click();
      await p.getByTestId('qa-score-sheet').waitFor();
      await p.getByTestId(`qa-item-${items[0]!.id}-${greeting}`).click();
      await p.getByTestId(`qa-item-${items[1]!.id}-1`).click();
      await p.getByTestId('qa-submit').click();
      await p.getByTestId('qa-score-done').waitFor();
    }
    await boss.goto(`${base}/qa/calibration`);
    await boss.getByTestId(`qa-cal-open-${session.id}`).click();
    await boss.getByTestId('qa-cal-spread').waitFor();
    // min 70, max 100, mean 85, population SD 15.
    expect(await boss.getByTestId('qa-cal-total').innerText()).toMatch(/70\.00\s+100\.00\s+85\.00\s+15\.00/);
    const qa1 = ids.find((u) => u.username === 'qa1')!;
    expect(await boss.getByTestId(`qa-cal-reviewer-row-${qa1.id}`).innerText()).toContain('+15.00');
    await shot(boss, 'qa-calibration');
  }, 120_000);
});
