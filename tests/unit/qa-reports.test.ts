// QA reports (docs/qa-sampling.md): per agent / team / reviewer averages and failure
// rates, the per-agent-per-day failure rate flagged at >= 30 % (29.x % is not), most-failed
// items, read from the scoring tables of 0017_qa.sql through sqlEvaluationSource; CSV/XLSX.
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { AGENT_DAY_QA_COLUMNS, GROUP_COLUMNS, qaReport, reachesFlag } from '../../firmware-agent/src/qa/qa-reports.js';
import { sqlEvaluationSource } from '../../firmware-agent/src/qa/qa-sampling-source.js';
import { tableCsv, tableXlsx } from '../../firmware-agent/src/reports/export.js';
import { cleanupDbs, tempDb } from './agents-support.js';

afterAll(() => cleanupDbs());
const TZ = 'Asia/Shanghai';

/** A form with three items and evaluations written the way the scoring tables hold them. */
function setup(): { db: Db; add: (o: { agent: number; reviewer: number; day: string; passed: boolean; score: number; lost?: number[]; kind?: string; status?: string }) => void; agents: number[]; reviewers: number[]; items: number[] } {
  const db = tempDb();
  const user = db.prepare("INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x')");
  const reviewers = [Number(user.run('qa1', 'Reviewer One').lastInsertRowid), Number(user.run('lead1', 'Lead One').lastInsertRowid)];
  const agents = [
    Number(db.prepare("INSERT INTO agents (number, name, team) VALUES ('5001', 'Zhou', 'A')").run().lastInsertRowid),
    Number(db.prepare("INSERT INTO agents (number, name, team) VALUES ('5002', 'Wu', 'A')").run().lastInsertRowid),
    Number(db.prepare("INSERT INTO agents (number, name, team) VALUES ('5003', 'Zheng', 'B')").run().lastInsertRowid),
  ];
  const form = Number(db.prepare("INSERT INTO qa_forms (name_zh, name_en) VALUES ('外呼', 'Outbound')").run().lastInsertRowid);
  const version = Number(db.prepare('INSERT INTO qa_form_versions (form_id, version) VALUES (?, 1)').run(form).lastInsertRowid);
  const section = Number(db.prepare("INSERT INTO qa_form_sections (version_id, position, title_zh, title_en) VALUES (?, 1, '开场', 'Opening')").run(version).lastInsertRowid);
  const item = db.prepare('INSERT INTO qa_form_items (version_id, section_id, position, text_zh, text_en, weight, max_points) VALUES (?, ?, ?, ?, ?, 1, 5)');
  const items = [item.run(version, section, 1, '问候', 'Greeting'), item.run(version, section, 2, '核实身份', 'Identity check'), item.run(version, section, 3, '结束语', 'Closing')].map((r) => Number(r.lastInsertRowid));
  let n = 0;
  const add = (o: { agent: number; reviewer: number; day: string; passed: boolean; score: number; lost?: number[]; kind?: string; status?: string }) => {
    n++;
    const rec = Number(db.prepare("INSERT INTO recordings (linkedid, uniqueid, agent_id, path, format, state, started_at) VALUES (?, ?, ?, ?, 'wav', 'complete', ?)").run(`L${n}`, `U${n}`, o.agent, `p/${n}.wav`, `${o.day}T02:00:00.000Z`).lastInsertRowid);
    const ev = Number(
      db
        .prepare("INSERT INTO qa_evaluations (recording_id, agent_id, reviewer_user_id, form_version_id, kind, score, raw_score, passed, critical_failed, status, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)")
        .run(rec, o.agent, o.reviewer, version, o.kind ?? 'review', o.score, o.score, o.passed ? 1 : 0, o.status ?? 'submitted', `${o.day}T03:00:00.000Z`).lastInsertRowid,
    );
    for (const it of items) db.prepare('INSERT INTO qa_evaluation_answers (evaluation_id, item_id, points, na) VALUES (?, ?, ?, 0)').run(ev, it, o.lost?.includes(it) ? 2 : 5);
  };
  return { db, add, agents, reviewers, items };
}

describe('failure-rate flag', () => {
  it('flags at 30 % exactly, not at 29.x %', () => {
    expect(reachesFlag(3, 10)).toBe(true);
    expect(reachesFlag(30, 100)).toBe(true);
    expect(reachesFlag(29, 100)).toBe(false);
    expect(reachesFlag(299, 1000)).toBe(false);
    expect(reachesFlag(2, 7)).toBe(false); // 28.6 %
    expect(reachesFlag(0, 0)).toBe(false);
  });
});

describe('QA report from the scoring tables', () => {
  const { db, add, agents, reviewers, items } = setup();
  const [a1, a2, a3] = agents as [number, number, number];
  const [r1, r2] = reviewers as [number, number];
  // a1 on 2026-03-02: 3 of 10 failed → 30 % flagged. a1 on 2026-03-03: 29 of 100 → not flagged.
  for (let i = 0; i < 10; i++) add({ agent: a1, reviewer: r1, day: '2026-03-02', passed: i >= 3, score: i >= 3 ? 90 : 50, lost: i < 3 ? [items[1]!] : [] });
  for (let i = 0; i < 100; i++) add({ agent: a1, reviewer: r2, day: '2026-03-03', passed: i >= 29, score: 80, lost: i < 29 ? [items[2]!] : [] });
  // a2: 1 of 3 failed (33 %), a3 (team B): 2 of 7 failed (28.6 %).
  for (let i = 0; i < 3; i++) add({ agent: a2, reviewer: r1, day: '2026-03-02', passed: i > 0, score: i > 0 ? 100 : 40, lost: i === 0 ? [items[0]!, items[1]!] : [] });
  for (let i = 0; i < 7; i++) add({ agent: a3, reviewer: r1, day: '2026-03-04', passed: i >= 2, score: 70 });
  // Not counted: calibration scoring, a superseded evaluation, one outside the range.
  add({ agent: a1, reviewer: r1, day: '2026-03-02', passed: false, score: 0, kind: 'calibration', status: 'calibration', lost: items });
  add({ agent: a1, reviewer: r1, day: '2026-03-02', passed: false, score: 0, status: 'superseded', lost: items });
  add({ agent: a1, reviewer: r1, day: '2026-04-01', passed: false, score: 0, lost: items });
  const rep = qaReport(db, sqlEvaluationSource(db), TZ, { from: '2026-03-01', to: '2026-03-31' });

  it('per agent per day: failure rate and the >= 30 % flag', () => {
    const day = (id: number, d: string) => rep.agentDays.find((r) => r.agentId === id && r.day === d)!;
    expect(day(a1, '2026-03-02')).toMatchObject({ evaluations: 10, failures: 3, flagged: true });
    expect(day(a1, '2026-03-03')).toMatchObject({ evaluations: 100, failures: 29, flagged: false });
    expect(day(a2, '2026-03-02')).toMatchObject({ evaluations: 3, failures: 1, flagged: true });
    expect(day(a3, '2026-03-04')).toMatchObject({ evaluations: 7, failures: 2, flagged: false });
    expect(rep.agentDays).toHaveLength(4);
  });

  it('per agent, team and reviewer: evaluations, average score, failure rate', () => {
    const agent1 = rep.agents.find((r) => r.key === String(a1))!;
    expect(agent1.evaluations).toBe(110);
    expect(agent1.failures).toBe(32);
    expect(agent1.averageScore).toBe(Math.round(((7 * 90 + 3 * 50 + 100 * 80) / 110) * 10) / 10);
    const teamA = rep.teams.find((r) => r.key === 'A')!;
    expect(teamA).toMatchObject({ evaluations: 113, failures: 33 });
    expect(rep.teams.find((r) => r.key === 'B')).toMatchObject({ evaluations: 7, failures: 2, averageScore: 70 });
    expect(rep.reviewers.find((r) => r.key === String(r1))).toMatchObject({ label: 'Reviewer One', evaluations: 20, failures: 6 });
    expect(rep.reviewers.find((r) => r.key === String(r2))).toMatchObject({ label: 'Lead One', evaluations: 100, failures: 29 });
  });

  it('most-failed items: items scored below full marks, most first', () => {
    expect(rep.items.map((i) => [i.key, i.failures])).toEqual([
      [String(items[2]), 29],
      [String(items[1]), 4],
      [String(items[0]), 1],
    ]);
    expect(rep.items[0]!.label).toBe('Closing / 结束语');
  });

  it('scopes to a team or a reviewer', () => {
    expect(qaReport(db, sqlEvaluationSource(db), TZ, { from: '2026-03-01', to: '2026-03-31', teams: ['B'] }).agents.map((r) => r.key)).toEqual([String(a3)]);
    expect(qaReport(db, sqlEvaluationSource(db), TZ, { from: '2026-03-01', to: '2026-03-31', reviewerUserId: r2 }).agents).toEqual([expect.objectContaining({ evaluations: 100 })]);
    expect(() => qaReport(db, sqlEvaluationSource(db), TZ, { from: '2026-03-31', to: '2026-03-01' })).toThrow(/before/);
  });

  it('work queue "done" reads the same tables', () => {
    const rec = db.prepare<[number], { r: number }>('SELECT recording_id AS r FROM qa_evaluations WHERE reviewer_user_id = ? ORDER BY id LIMIT 2').all(r2).map((x) => x.r);
    expect([...sqlEvaluationSource(db).doneBy(r2, [...rec, 999999])].sort()).toEqual(rec.sort());
    expect(sqlEvaluationSource(db).doneBy(r1, rec).size).toBe(0);
  });

  it('exports CSV and XLSX', async () => {
    const csv = tableCsv(AGENT_DAY_QA_COLUMNS, rep.agentDays, 'zh-CN');
    expect(csv.startsWith('\uFEFF日期,坐席')).toBe(true);
    expect(csv).toContain('2026-03-02,5001 Zhou,10,3,30,yes');
    expect(csv).toContain('2026-03-03,5001 Zhou,100,29,29,\r\n');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await tableXlsx(GROUP_COLUMNS, rep.agents, 'agents', 'en')) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('Name');
    expect(ws.rowCount).toBe(4);
  });
});
