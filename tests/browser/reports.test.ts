// Browser test of the Reports page (issue 9) against the real `seatbox serve --demo`.
// A small known data set is written into the server's real SQLite file while it is stopped
// (agents, sessions, state intervals, queue entries, surveys, transfers on 2026-11-16, 10:00
// Asia/Shanghai), then a manager reads it: the queue's answer rate 2 / (5 − 1 short abandon)
// = 50.0 % shown as a missed target (≥ 96 %), ASA (10 + 30) / 2 = 0:20, the agents' talk
// targets by seniority (120 s ≤ 150 met for the senior one, 180 s > 170 missed for the junior
// one), the uPlot chart's canvas, CSV and XLSX downloads (XLSX opened with exceljs), the agents'
// day with the < 50 % flag, the English switch; a kept daily report generated and published
// from the page, and the agent sees only their own published figures.
//
// Needs `npm run build` first. SEATBOX_UI_SHOTS=/some/dir saves screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { startDemoServer, type DemoServer } from '../support/demo-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.SEATBOX_UI_SHOTS;
const ADMIN = { username: 'admin', password: 'Lantern-Orbit-7731' };
const MANAGER = { username: 'baobiao', password: 'Copper-Willow-8264' };
const AGENT = { username: 'hanmeimei', password: 'Maple-Rocket-5190' };
const DAY = '2026-11-16'; // a Monday; 02:00Z is 10:00 in Asia/Shanghai
const PREV = '2026-11-15';
const T = (hms: string) => `${DAY}T${hms}.000Z`;
const QUEUE = 'rpt-hotline';
const TEAM = '报表一组';

let server: DemoServer;
let browser: Browser;
let page: Page;
let agentPage: Page;
let cookie = '';
let csrf = '';
const ids = { a1: 0, a2: 0, a3: 0 };

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(server.url + '/api/v1' + path, {
    method,
    headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    const name = pair.split('=')[0]!;
    cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
  }
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function shot(p: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(p: Page, user: { username: string; password: string }): Promise<void> {
  await p.goto(server.url + '/login');
  await p.getByTestId('login-form').waitFor();
  await p.fill('#login-username', user.username);
  await p.fill('#login-password', user.password);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('user-name').waitFor();
}

/** The known data set (see the file comment), written with the server stopped. */
async function seed(db: Database.Database): Promise<number> {
  const users = new UserStore(db);
  await users.create({ username: MANAGER.username, password: MANAGER.password, displayName: '报表经理', language: 'zh-CN', roles: ['manager'] });
  const agentUser = await users.create({ username: AGENT.username, password: AGENT.password, displayName: '韩梅梅', language: 'zh-CN', roles: ['agent'] });
  const agent = db.prepare('INSERT INTO agents (number, name, team, level, user_id, created_at) VALUES (?, ?, ?, 1, ?, ?)');
  ids.a1 = Number(agent.run('7701', '李雷', TEAM, null, '2024-01-01T00:00:00.000Z').lastInsertRowid); // over one year of service
  ids.a2 = Number(agent.run('7702', '韩梅梅', TEAM, agentUser.id, '2026-06-01T00:00:00.000Z').lastInsertRowid); // newer
  ids.a3 = Number(agent.run('7703', '张伟', TEAM, null, '2025-01-01T00:00:00.000Z').lastInsertRowid);
  const session = db.prepare("INSERT INTO agent_sessions (agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, 'ui')");
  const st = db.prepare('INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, linkedid, start_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const states = (agentId: number, seat: string, rows: Array<[string, string | null, string, string]>) => {
    const sid = Number(session.run(agentId, seat, T('02:00:00'), T('02:10:00')).lastInsertRowid);
    for (const [state, linkedid, from, to] of rows) st.run(agentId, sid, seat, state, null, linkedid, T(from), T(to));
  };
  // A1: ring 4 s, talk 120 s, wrap-up 15 s on L1.  A2: ring 6 s, talk 180 s, wrap-up 30 s on L2.
  // A3: logged in, no conversation (0 of the team average 2/3 → flagged below 50 %).
  states(ids.a1, '8101', [['ready', null, '02:00:00', '02:00:06'], ['ringing', 'L1', '02:00:06', '02:00:10'], ['talking', 'L1', '02:00:10', '02:02:10'], ['wrap_up', 'L1', '02:02:10', '02:02:25'], ['ready', null, '02:02:25', '02:10:00']]);
  states(ids.a2, '8102', [['ready', null, '02:00:00', '02:01:24'], ['ringing', 'L2', '02:01:24', '02:01:30'], ['talking', 'L2', '02:01:30', '02:04:30'], ['wrap_up', 'L2', '02:04:30', '02:05:00'], ['ready', null, '02:05:00', '02:10:00']]);
  states(ids.a3, '8103', [['ready', null, '02:00:00', '02:10:00']]);
  const q = db.prepare(
    'INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at, answered_at, seat, agent_id, team, ring_ms, left_at, ended_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // 5 offered: 2 answered (waits 10 s and 30 s), 1 short abandon (3 s), 1 abandon (40 s), 1 timeout.
  q.run('L1', 'L1', QUEUE, T('02:00:00'), T('02:00:10'), '8101', ids.a1, TEAM, 4000, T('02:00:10'), T('02:02:10'), 'answered');
  q.run('L2', 'L2', QUEUE, T('02:01:00'), T('02:01:30'), '8102', ids.a2, TEAM, 6000, T('02:01:30'), T('02:04:30'), 'answered');
  q.run('L3', 'L3', QUEUE, T('02:02:00'), null, null, null, null, null, T('02:02:03'), T('02:02:03'), 'abandoned');
  q.run('L4', 'L4', QUEUE, T('02:03:00'), null, null, null, null, null, T('02:03:40'), T('02:03:40'), 'abandoned');
  q.run('L5', 'L5', QUEUE, T('02:05:00'), null, null, null, null, null, T('02:06:00'), T('02:06:30'), 'timeout');
  db.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)').run('L1', 5, T('02:02:20'));
  db.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)').run('L2', 3, T('02:04:40'));
  const tr = db.prepare('INSERT INTO call_transfers (linkedid, kind, result, transferer, target, at) VALUES (?, ?, ?, ?, ?, ?)');
  tr.run('L1', 'blind', 'Fail', 'PJSIP/8101-00000001', '8109', T('02:02:00'));
  tr.run('L2', 'attended', 'Success', 'PJSIP/8102-00000002', '8109', T('02:04:00'));
  // The server already folded up to "now": forget the watermark so the next fold starts again
  // from the earliest detail (these rows are days old; a live system records them as they happen).
  db.prepare('DELETE FROM report_fold_state').run();
  return agentUser.id;
}

const cell = (p: Page, key: string, metric: string, period = DAY) => p.locator(`[data-testid="kpi-cell"][data-key="${key}"][data-period="${period}"][data-metric="${metric}"]`);

async function showRange(p: Page, from: string, to: string, dimension: string, period: string): Promise<void> {
  await p.getByTestId('reports-dimension').selectOption(dimension);
  await p.getByTestId('reports-period').selectOption(period);
  await p.getByTestId('reports-from').fill(from);
  await p.getByTestId('reports-to').fill(to);
  await p.locator(`[data-testid="reports-result"][data-dimension="${dimension}"][data-period="${period}"][data-from="${from}"][data-to="${to}"]`).waitFor();
}

describe('reports page against seatbox serve --demo', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    server = await startDemoServer({ demoIntervalSeconds: 0 });
    csrf = (await ok('GET', '/auth/csrf')).token;
    await ok('POST', '/setup', ADMIN);
    await server.halt();
    const db = new Database(join(server.dataDir, 'seatbox.db'));
    db.pragma('busy_timeout = 5000');
    try {
      await seed(db);
    } finally {
      db.close();
    }
    await server.resume();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const agentCtx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    agentPage = await agentCtx.newPage();
    agentPage.setDefaultTimeout(20_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  it('a manager reads the queue KPIs of the seeded day: hand-computed figures, a missed target in red', async () => {
    await signIn(page, MANAGER);
    await page.goto(server.url + '/reports');
    await page.getByTestId('reports-page').waitFor();
    await showRange(page, DAY, DAY, 'queue', 'day');
    expect(await page.locator('[data-testid="reports-row"]').count()).toBe(1);
    const ar = cell(page, QUEUE, 'answerRate');
    expect(Number(await ar.getAttribute('data-value'))).toBe(0.5); // 2 / (5 − 1)
    expect(await ar.innerText()).toContain('50.0%');
    expect(await ar.getAttribute('data-met')).toBe('false');
    expect(await ar.getAttribute('class')).toContain('kpi-missed');
    expect(await ar.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(198, 40, 40)');
    expect(await ar.innerText()).toContain('≥ 96.0%');
    expect(await ar.getAttribute('title')).toContain('96.0%');
    expect(await cell(page, QUEUE, 'offered').innerText()).toBe('5');
    expect(await cell(page, QUEUE, 'shortAbandoned').innerText()).toBe('1');
    expect(await cell(page, QUEUE, 'serviceLevel').innerText()).toBe('25.0%'); // 1 within 20 s / 4
    expect(await cell(page, QUEUE, 'abandonRate').innerText()).toBe('25.0%');
    expect(await cell(page, QUEUE, 'asaSeconds').innerText()).toBe('0:20');
    expect(await cell(page, QUEUE, 'avgTalkSeconds').innerText()).toBe('2:30');
    expect((await cell(page, QUEUE, 'satisfactionRate').innerText()).split('\n')[0]).toBe('50.0%');
    expect(await cell(page, QUEUE, 'satisfactionRate').getAttribute('data-met')).toBe('false');
    expect((await cell(page, QUEUE, 'transferRate').innerText()).split('\n')[0]).toBe('50.0%');
    // Queue rows carry no agent time: those columns are left out.
    expect(await cell(page, QUEUE, 'occupancy').count()).toBe(0);
    // The chart of the chosen KPI renders (uPlot canvas, one series for the one queue).
    await page.getByTestId('reports-chart-metric').selectOption('answerRate');
    await page.locator('[data-testid="reports-chart"] canvas').waitFor();
    expect(await page.getByTestId('reports-chart').getAttribute('data-series')).toBe('1');
    expect(await page.locator('[data-testid="reports-chart"] canvas').evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(100);
    await shot(page, 'reports-01-queue');
  }, 90_000);

  it('agents: talk targets by seniority (senior 2:00 ≤ 150 s met, junior 3:00 > 170 s missed); chart with one series per agent', async () => {
    await showRange(page, DAY, DAY, 'agent', 'day');
    const a1 = cell(page, String(ids.a1), 'avgTalkSeconds');
    const a2 = cell(page, String(ids.a2), 'avgTalkSeconds');
    expect((await a1.innerText()).split('\n')[0]).toBe('2:00');
    expect(await a1.getAttribute('data-met')).toBe('true');
    expect(await a1.innerText()).toContain('≤ 2:30');
    expect((await a2.innerText()).split('\n')[0]).toBe('3:00');
    expect(await a2.getAttribute('data-met')).toBe('false');
    expect(await a2.innerText()).toContain('≤ 2:50');
    // Occupancy of A1: (4 + 120 + 15) / (4 + 120 + 15 + 6 + 455) = 139 / 600.
    expect(Number(await cell(page, String(ids.a1), 'occupancy').getAttribute('data-value'))).toBeCloseTo(139 / 600, 10);
    expect(await cell(page, String(ids.a1), 'loginSeconds').innerText()).toBe('10:00');
    await page.getByTestId('reports-chart-metric').selectOption('conversations');
    await page.locator('[data-testid="reports-chart"] canvas').waitFor();
    expect(await page.getByTestId('reports-chart').getAttribute('data-series')).toBe('3');
    await shot(page, 'reports-02-agents');
    // A day without data says so; a half-hour report over 40 days is refused with the limit.
    await showRange(page, PREV, PREV, 'agent', 'day');
    await page.getByTestId('reports-empty').waitFor();
    expect(await page.getByTestId('reports-chart').count()).toBe(0);
    await page.getByTestId('reports-period').selectOption('halfhour');
    await page.getByTestId('reports-from').fill('2026-10-01');
    await page.getByTestId('reports-error').waitFor();
    expect(await page.getByTestId('reports-error').innerText()).toContain('最多 31 天');
    expect(await page.getByTestId('reports-result').count()).toBe(0);
  }, 60_000);

  it('CSV and XLSX exports download with the figures (XLSX opened with exceljs)', async () => {
    await showRange(page, DAY, DAY, 'queue', 'day');
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('reports-export-csv').click()]);
    const csv = readFileSync((await csvDl.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r\n/).map((l) => l.split(','));
    const header = lines[0]!;
    const row = lines.find((l) => l.includes(QUEUE))!;
    expect(row).toBeDefined();
    expect(Number(row[header.indexOf('接通率 %')])).toBe(50);
    expect(Number(row[header.indexOf('服务水平 %')])).toBe(25);
    expect(Number(row[header.indexOf('平均应答速度 秒')])).toBe(20);
    expect(Number(row[header.indexOf('呼入量')])).toBe(5);

    const [xDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('reports-export-xlsx').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xDl.path())!);
    const ws = wb.worksheets[0]!;
    const xh = (ws.getRow(1).values as unknown[]).slice(1);
    const r2 = ws.getRow(2);
    expect(r2.getCell(xh.indexOf('编号') + 1).value).toBe(QUEUE);
    expect(r2.getCell(xh.indexOf('接通率 %') + 1).value).toBe(0.5);
    expect(r2.getCell(xh.indexOf('接通率 %') + 1).numFmt).toBe('0.00%');
    expect(r2.getCell(xh.indexOf('呼入量') + 1).value).toBe(5);
  }, 60_000);

  it('agents by day: the agent below 50 % of the team average is flagged; English switch', async () => {
    await page.getByTestId('reports-tab-daily').click();
    await page.getByTestId('reports-from').fill(DAY);
    await page.getByTestId('reports-to').fill(DAY);
    await page.locator(`[data-testid="daily-row"][data-agent="${ids.a3}"]`).waitFor();
    expect(await page.locator(`[data-testid="daily-row"][data-agent="${ids.a3}"]`).getAttribute('data-flagged')).toBe('true');
    expect(await page.locator(`[data-testid="daily-row"][data-agent="${ids.a1}"]`).getAttribute('data-flagged')).toBe('false');
    expect(await page.locator('[data-testid="daily-row"]').count()).toBe(3);
    const [dailyDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('daily-export-csv').click()]);
    const daily = readFileSync((await dailyDl.path())!, 'utf8');
    expect(daily).toContain('7703 张伟');
    expect(daily.split(/\r\n/).filter((l) => l.startsWith(DAY)).length).toBe(3);
    await shot(page, 'reports-03-daily');

    await page.locator('[data-testid="lang-switch"] [data-lang="en"]').click();
    await page.getByTestId('reports-tab-kpis').click();
    await page.getByText('Answer rate', { exact: true }).first().waitFor();
    await showRange(page, DAY, DAY, 'queue', 'day');
    expect((await cell(page, QUEUE, 'answerRate').getAttribute('title')) ?? '').toContain('Target ≥ 96.0%');
    expect(await page.getByTestId('reports-export-csv').getAttribute('href')).toContain('lang=en');
    expect(await page.getByTestId('reports-tab-runs').innerText()).toBe('Kept reports');
    await shot(page, 'reports-04-english');
    await page.locator('[data-testid="lang-switch"] [data-lang="zh-CN"]').click();
    await page.getByText('接通率', { exact: true }).first().waitFor();
  }, 60_000);

  it('targets: a bad value is refused at its field; settings validate the time zone', async () => {
    await page.getByTestId('reports-tab-targets').click();
    await page.locator('[data-testid="target-row"]').first().waitFor();
    const n = await page.locator('[data-testid="target-row"]').count();
    expect(n).toBe(5);
    await page.getByTestId('targets-add').click();
    await page.getByTestId(`target-key-${n}`).fill(TEAM);
    await page.getByTestId(`target-value-${n}`).fill('140'); // answer rate in percent: > 100
    await page.getByTestId('targets-save').click();
    await page.getByTestId(`target-error-${n}.value`).waitFor();
    await page.getByTestId(`target-value-${n}`).fill('40');
    await page.getByTestId('targets-save').click();
    await page.getByTestId('targets-saved').waitFor();
    const saved = (await page.evaluate(async () => (await fetch('/api/v1/reports/targets')).json())) as Array<{ scope: string; scopeKey: string; metric: string; value: number }>;
    expect(saved.find((x) => x.scope === 'team' && x.scopeKey === TEAM && x.metric === 'answerRate')?.value).toBeCloseTo(0.4, 10);

    await page.getByTestId('settings-timeZone').fill('Mars/Olympus');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-error-timeZone').waitFor();
    expect(await page.getByTestId('settings-error-timeZone').innerText()).toContain('时区');
  }, 60_000);

  it('kept reports: generate the daily report of the day and publish it; the agent sees only their own figures', async () => {
    await page.getByTestId('reports-tab-runs').click();
    await page.getByTestId('runs-gen-kind').selectOption('daily');
    for (const d of [PREV, DAY]) {
      await page.getByTestId('runs-gen-from').fill(d);
      await page.getByTestId('runs-generate').click();
      await page.locator(`[data-testid="run-row"][data-kind="daily"][data-from="${d}"]`).waitFor();
    }
    const row = page.locator(`[data-testid="run-row"][data-kind="daily"][data-from="${DAY}"]`);
    await row.getByTestId('run-publish').click();
    await page.locator(`[data-testid="run-row"][data-kind="daily"][data-from="${DAY}"][data-published="true"]`).waitFor();
    expect(await page.locator(`[data-testid="run-row"][data-from="${PREV}"]`).getAttribute('data-published')).toBe('false');
    // The kept report downloads too.
    const [dl] = await Promise.all([page.waitForEvent('download'), row.getByTestId('run-csv').click()]);
    expect(readFileSync((await dl.path())!, 'utf8')).toContain('韩梅梅');
    await shot(page, 'reports-05-runs');

    await signIn(agentPage, AGENT);
    await agentPage.goto(server.url + '/reports');
    await agentPage.getByTestId('reports-page').waitFor();
    await agentPage.getByTestId('mine-run').first().waitFor();
    // Only the agent's tab, only the published run, only their row.
    expect(await agentPage.locator('[data-testid^="reports-tab-"]').count()).toBe(0);
    expect(await agentPage.getByTestId('mine-run').count()).toBe(1);
    expect(await agentPage.getByTestId('mine-run').getAttribute('data-from')).toBe(DAY);
    const text = await agentPage.getByTestId('mine-run').innerText();
    expect(text).toContain('韩梅梅');
    expect(text).not.toContain('李雷');
    expect(text).not.toContain('张伟');
    expect((await agentPage.locator(`[data-testid="kpi-cell"][data-key="${ids.a2}"][data-metric="avgTalkSeconds"]`).innerText()).split('\n')[0]).toBe('3:00');
    expect(await agentPage.locator(`[data-testid="kpi-cell"][data-key="${ids.a2}"][data-metric="avgTalkSeconds"]`).getAttribute('data-met')).toBe('false');
    // The API refuses the agent the manager's views.
    const r = await agentPage.evaluate(async () => (await fetch('/api/v1/reports/runs')).status);
    expect(r).toBe(403);
    await shot(agentPage, 'reports-06-mine');
  }, 90_000);
});
