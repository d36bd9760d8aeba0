// Monthly 100-point assessment (docs/qa-sampling.md): the weighted total, pass at
// 60, flags at their boundaries (59/60 once; 79/80 two calendar months running vs once vs
// non-consecutive months, across a year end), retraining handed over once, and the parts
// measured from a real store (QA evaluations, KPI targets from reports/, login time).
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { AssessmentService, DEFAULT_ASSESSMENT, combine, flagFor, validateAssessment, type Parts } from '../../firmware-agent/src/qa/assessment.js';
import type { EvaluationFact, EvaluationSource } from '../../firmware-agent/src/qa/qa-sampling-source.js';
import { DEFAULT_REPORT_PARAMS } from '../../firmware-agent/src/reports/kpi.js';
import { kpiReport } from '../../firmware-agent/src/reports/query.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { AFTER, seed } from './reports-support.js';

afterAll(() => cleanupDbs());

const none: EvaluationSource = { between: () => [], doneBy: () => new Set() };
const flat = (v: number): Parts => ({ qa: v, kpi: v, attendance: v });

function setup(): { db: Db; svc: AssessmentService; calls: Array<{ agentId: number; reason: string }>; ids: Record<string, number> } {
  const db = tempDb();
  const ids: Record<string, number> = {};
  for (const [i, name] of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].entries()) ids[name] = Number(db.prepare('INSERT INTO agents (number, name) VALUES (?, ?)').run(String(3001 + i), `Agent ${name}`).lastInsertRowid);
  const calls: Array<{ agentId: number; reason: string }> = [];
  const svc = new AssessmentService({
    db,
    settings: () => DEFAULT_ASSESSMENT,
    reportParams: () => DEFAULT_REPORT_PARAMS,
    evaluations: none,
    retraining: (agentId, reason) => {
      calls.push({ agentId, reason });
      return `retraining #${calls.length}`;
    },
    now: () => new Date('2026-07-01T00:00:00Z'),
  });
  return { db, svc, calls, ids };
}

describe('assessment total and flags', () => {
  it('weights the parts present (default 50/30/20)', () => {
    expect(combine({ qa: 90, kpi: 50, attendance: 100 }, DEFAULT_ASSESSMENT.weights)).toBe(80); // 45 + 15 + 20
    expect(combine({ qa: 70, kpi: null, attendance: 40 }, DEFAULT_ASSESSMENT.weights)).toBe(61.4); // (3500 + 800) / 70
    expect(combine({ qa: null, kpi: null, attendance: null }, DEFAULT_ASSESSMENT.weights)).toBeNull();
    expect(() => validateAssessment({ ...DEFAULT_ASSESSMENT, weights: { qa: 0, kpi: 0, attendance: 0 } })).toThrow(/weights/);
  });

  it('flags at the boundaries: 59 once, 79 twice; not 60, not 80, not 79 once', () => {
    expect(flagFor(59, null)).toBe('below_60');
    expect(flagFor(59.9, 95)).toBe('below_60');
    expect(flagFor(60, null)).toBe('');
    expect(flagFor(79, 79)).toBe('below_80_twice');
    expect(flagFor(79.9, 79.9)).toBe('below_80_twice');
    expect(flagFor(80, 79)).toBe('');
    expect(flagFor(79, 80)).toBe('');
    expect(flagFor(79, null)).toBe('');
  });

  it('stores months, flags 59/60 and 79/80 twice vs once vs non-consecutive, hands retraining over once', () => {
    const { svc, calls, ids } = setup();
    const A = ids.A!, B = ids.B!, C = ids.C!, D = ids.D!, E = ids.E!, F = ids.F!, G = ids.G!, H = ids.H!;
    const month = (m: string, parts: Array<[number, number]>) => svc.run(m, new Map(parts.map(([id, v]) => [id, flat(v)])));
    // H: December 79, January 79 → two months running across the year end.
    month('2025-12', [[H, 79]]);
    const jan = month('2026-01', [[A, 59], [B, 60], [C, 79], [D, 79], [E, 80], [F, 79], [G, 79], [H, 79]]);
    const flagOf = (rows: typeof jan, id: number) => rows.find((r) => r.agentId === id)!.flag;
    expect(flagOf(jan, A)).toBe('below_60');
    expect(jan.find((r) => r.agentId === A)!.passed).toBe(false);
    expect(flagOf(jan, B)).toBe('');
    expect(jan.find((r) => r.agentId === B)!.passed).toBe(true);
    for (const id of [C, D, E, F, G]) expect(flagOf(jan, id)).toBe(''); // 79 / 80 once
    expect(flagOf(jan, H)).toBe('below_80_twice');
    // February: C 79 again (flag), D 80 (none), E 79 after 80 (none), F 85, G not assessed.
    const feb = month('2026-02', [[C, 79], [D, 80], [E, 79], [F, 85]]);
    expect(flagOf(feb, C)).toBe('below_80_twice');
    expect(flagOf(feb, D)).toBe('');
    expect(flagOf(feb, E)).toBe('');
    expect(flagOf(feb, F)).toBe('');
    expect(feb.some((r) => r.agentId === G)).toBe(false);
    // March: F and G at 79 again: January's 79 is not the previous month → no flag.
    const mar = month('2026-03', [[F, 79], [G, 79], [E, 79.9]]);
    expect(flagOf(mar, F)).toBe('');
    expect(flagOf(mar, G)).toBe('');
    expect(flagOf(mar, E)).toBe('below_80_twice'); // February 79, March 79.9
    expect(calls.map((c) => c.agentId)).toEqual([A, H, C, E]);
    expect(calls[0]!.reason).toContain('59 < 60');
    expect(calls[2]!.reason).toContain('two months running');
    // A recompute of March keeps the hand-over and does not assign again.
    const again = month('2026-03', [[F, 79], [G, 79], [E, 79.9]]);
    expect(calls).toHaveLength(4);
    expect(again.find((r) => r.agentId === E)!.retraining).toBe('retraining #4');
    // Kept and listed (an agent reads their own).
    const listed = svc.list({ agentId: E });
    expect(listed.map((r) => [r.month, r.total, r.flag])).toEqual([['2026-03', 79.9, 'below_80_twice'], ['2026-02', 79, ''], ['2026-01', 80, '']]);
    expect(svc.list({ month: '2026-01', flaggedOnly: true }).map((r) => r.agentId).sort()).toEqual([A, H].sort());
  });

  it('records the flag when retraining cannot be assigned', () => {
    const db = tempDb();
    const id = Number(db.prepare("INSERT INTO agents (number, name) VALUES ('4001', 'X')").run().lastInsertRowid);
    const svc = new AssessmentService({ db, settings: () => DEFAULT_ASSESSMENT, reportParams: () => DEFAULT_REPORT_PARAMS, evaluations: none, retraining: () => { throw new Error('the training module is not running'); } });
    const [row] = svc.run('2026-01', new Map([[id, flat(40)]]));
    expect(row!.flag).toBe('below_60');
    expect(row!.retraining).toBe('not assigned: the training module is not running');
    expect(svc.list({ agentId: id })[0]!.retraining).toBe('not assigned: the training module is not running');
  });
});

describe('parts measured from the store', () => {
  it('QA average, KPI targets met from reports/, login time against expected hours', () => {
    const db = tempDb();
    seed(db); // the reports' hand-worked day: 2026-03-02, agents 1-4, targets
    const evals: EvaluationFact[] = [
      { id: 1, recordingId: 1, agentId: 1, reviewerUserId: null, score: 90, passed: true, at: '2026-03-05T03:00:00.000Z', failedItems: [] },
      { id: 2, recordingId: 2, agentId: 1, reviewerUserId: null, score: 70, passed: false, at: '2026-03-20T03:00:00.000Z', failedItems: [] },
      // The evening of March 31st in Shanghai is still March; April 1st local is not.
      { id: 3, recordingId: 3, agentId: 1, reviewerUserId: null, score: 50, passed: false, at: '2026-03-31T15:00:00.000Z', failedItems: [] },
      { id: 4, recordingId: 4, agentId: 1, reviewerUserId: null, score: 10, passed: false, at: '2026-03-31T16:00:00.000Z', failedItems: [] },
    ];
    const source: EvaluationSource = { between: (a, b) => evals.filter((e) => e.at >= a && e.at < b), doneBy: () => new Set() };
    const svc = new AssessmentService({ db, settings: () => DEFAULT_ASSESSMENT, reportParams: () => DEFAULT_REPORT_PARAMS, evaluations: source, now: () => new Date(AFTER) });
    const parts = svc.parts([1, 2, 3, 4], '2026-03');
    const a1 = parts.get(1)!;
    expect(a1.details.evaluations).toBe(3);
    expect(a1.parts.qa).toBe(70);
    // KPI: the same target checks the reports page shows for agent 1 in March.
    const rep = kpiReport(db, DEFAULT_REPORT_PARAMS, { dimension: 'agent', period: 'month', from: '2026-03-01', to: '2026-03-31', agentIds: [1] }, AFTER);
    const checks = rep.rows[0]!.targets.filter((t) => t.met !== null);
    expect(checks.length).toBeGreaterThan(0);
    expect(a1.details.targetsChecked).toBe(checks.length);
    expect(a1.parts.kpi).toBe(Math.round((1000 * checks.filter((t) => t.met).length) / checks.length) / 10);
    // Attendance: 35 min of login in March against 22 working days × 8 h.
    expect(a1.details.expectedHours).toBe(176);
    expect(a1.parts.attendance).toBe(Math.round((35 / 60 / 176) * 1000) / 10);
    // Agent 4 (no evaluations): no QA part; the total uses the parts present.
    expect(parts.get(4)!.parts.qa).toBeNull();
    const rows = svc.run('2026-03');
    const r1 = rows.find((r) => r.agentId === 1)!;
    expect(r1.total).toBe(combine(a1.parts, DEFAULT_ASSESSMENT.weights));
    expect(r1.flag).toBe(r1.total < 60 ? 'below_60' : '');
    expect(r1.retraining).toBe(r1.flag ? 'flagged (training module not running)' : null);
  });
});
