// Browser test (Chromium via playwright-core) of the Sampling and Monthly assessment pages,
// served by the real HTTP server on a real SQLite file with the UI built by vite into a temp
// dir (no Asterisk needed: these pages read only the store). A QA reviewer sees their three
// sampled calls and opens the scoring screen from one; the manager sees February's assessment
// with the "below 60" flag; an agent sees only their own row.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { QaSamplingModule } from '../../firmware-agent/src/qa/qa-sampling-module.js';
import { DEFAULT_REPORT_PARAMS } from '../../firmware-agent/src/reports/kpi.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { cleanupDbs, tempDb } from './agents-support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'Quiet-Harbor-4821';
let uiDir = '';
let db: Db;
let app: App;
let url = '';
let browser: Browser;
const agentIds: number[] = [];

async function signIn(username: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' });
  const p = await ctx.newPage();
  p.setDefaultTimeout(20_000);
  await p.goto(url + '/login');
  await p.getByTestId('login-form').waitFor();
  await p.fill('#login-username', username);
  await p.fill('#login-password', PASSWORD);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('user-name').waitFor();
  return p;
}

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'seatbox-qs-ui-'));
  execFileSync('npx', ['vite', 'build', '--config', 'web-ui/vite.config.ts', '--outDir', uiDir, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'pipe' });
  db = tempDb();
  const users = new UserStore(db);
  const audit = new AuditLog(db);
  const mod = new QaSamplingModule({ db, settings: new SettingsStore(db), audit, logger: silentLogger(), reportParams: () => DEFAULT_REPORT_PARAMS, schedules: false });
  await users.create({ username: 'mgr', password: PASSWORD, roles: ['manager'], language: 'en' });
  await users.create({ username: 'qa1', password: PASSWORD, roles: ['qa'], language: 'en' });
  const lead = await users.create({ username: 'lead', password: PASSWORD, roles: ['team_lead'], language: 'en' });
  const agentUser = await users.create({ username: 'agent1', password: PASSWORD, roles: ['agent'], language: 'en' });
  db.prepare("INSERT INTO teams (name, lead_user_id) VALUES ('A', ?)").run(lead.id);
  for (let i = 0; i < 2; i++) agentIds.push(Number(db.prepare("INSERT INTO agents (number, name, team) VALUES (?, ?, 'A')").run(String(7001 + i), `Agent ${i}`).lastInsertRowid));
  db.prepare('UPDATE agents SET user_id = ? WHERE id = ?').run(agentUser.id, agentIds[0]);
  let n = 0;
  for (const a of agentIds) {
    for (let i = 0; i < 15; i++) {
      n++;
      const at = `2026-02-${String(2 + (i % 10)).padStart(2, '0')}T03:00:00.000Z`;
      db.prepare("INSERT INTO calls (linkedid, direction, state, created_at) VALUES (?, 'outbound', 'ended', ?)").run(`C${n}`, at);
      db.prepare("INSERT INTO recordings (linkedid, uniqueid, agent_id, path, format, state, started_at) VALUES (?, ?, ?, ?, 'wav', 'complete', ?)").run(`C${n}`, `U${n}`, a, `x/${n}.wav`, at);
    }
  }
  // February: 15 calls per agent → ⌈10 % of 15⌉ = 2 QA calls each, 4 for the one QA reviewer.
  mod.runSampling('2026-02-10', { username: 'test' });
  // Agent 0: 100 of 160 h → 62.5 (pass); agent 1: 50 h → 31.3 (below 60).
  const s = db.prepare("INSERT INTO agent_sessions (agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, 'ui')");
  for (let d = 2; d <= 11; d++) s.run(agentIds[0], '8001', `2026-02-${String(d).padStart(2, '0')}T00:00:00.000Z`, `2026-02-${String(d).padStart(2, '0')}T10:00:00.000Z`);
  for (let d = 2; d <= 11; d++) s.run(agentIds[1], '8002', `2026-02-${String(d).padStart(2, '0')}T00:00:00.000Z`, `2026-02-${String(d).padStart(2, '0')}T05:00:00.000Z`);
  mod.runAssessment('2026-02', { username: 'test' });
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(),
    health: () => ({ status: 'ok', version: 'test', uptime: 1, db: { ok: true, schemaVersion: 18, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox', version: 'test', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }) as never,
    calls: () => [], qaSampling: mod, live: new LiveFeed(), cookieSecret: 'y'.repeat(32), uiDir, logger: silentLogger(),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  cleanupDbs();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

describe('QA sampling pages in Chromium', () => {
  it("a QA reviewer's work queue lists their sampled calls and opens the scoring screen", async () => {
    const p = await signIn('qa1');
    await p.goto(url + '/qa/sampling');
    await p.getByTestId('qa-sampling-page').waitFor();
    await p.getByTestId('qs-queue-row').first().waitFor();
    expect(await p.getByTestId('qs-queue-row').count()).toBe(4);
    expect(await p.getByTestId('qs-queue-row').first().textContent()).toContain('QA');
    await p.getByTestId('qs-queue-row').first().getByRole('button').click();
    await p.waitForURL(/\/qa\/score\?recording=\d+$/);
    await p.context().close();
  });

  it('the manager sees the month with the below-60 flag; the agent only their own row', async () => {
    const m = await signIn('mgr');
    await m.goto(url + '/qa/assessments');
    await m.getByTestId('qa-assessment-page').waitFor();
    await m.fill('input[type=month]', '2026-02');
    await m.getByTestId('as-show').click();
    await m.getByTestId('as-row').nth(1).waitFor();
    const rows = await m.getByTestId('as-row').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.includes('7002'))).toContain('Below 60');
    expect(rows.find((r) => r.includes('7001'))).toContain('62.5');
    expect(rows.find((r) => r.includes('7001'))).not.toContain('Below 60');
    await m.context().close();
    const a = await signIn('agent1');
    await a.goto(url + '/qa/assessments');
    await a.getByTestId('qa-assessment-page').waitFor();
    await a.fill('input[type=month]', '2026-02');
    await a.getByTestId('as-show').click();
    await a.getByTestId('as-row').first().waitFor();
    const own = await a.getByTestId('as-row').allTextContents();
    expect(own).toHaveLength(1);
    expect(own[0]).toContain('7001');
    await a.context().close();
  });
});
