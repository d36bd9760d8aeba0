// What sampling, QA reports and the assessment read from the QA scoring helper's tables
// (migration 0017_qa.sql): finished evaluations with their score, pass/fail and failed items.
// Kept behind this small interface so the three can be tested on their own data and adapt to
// the scoring schema in one place (sqlEvaluationSource).
import type { Db } from '../db/database.js';

export interface EvaluationFact {
  id: number;
  recordingId: number;
  agentId: number;
  reviewerUserId: number | null;
  /** 0-100 */
  score: number;
  passed: boolean;
  /** ISO instant the evaluation was finished */
  at: string;
  /** items answered "failed" (key + label) */
  failedItems: Array<{ key: string; label: string }>;
}

export interface EvaluationSource {
  /** Finished evaluations with `at` in [fromIso, toIso). */
  between(fromIso: string, toIso: string): EvaluationFact[];
  /** Recording ids of `recordingIds` that `reviewerUserId` has evaluated (the work queue's "done"). */
  doneBy(reviewerUserId: number, recordingIds: number[]): Set<number>;
}

const hasTable = (db: Db, name: string): boolean => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);

/** Evaluations that count: not calibration scoring, not replaced by a rescore or adjustment. */
const COUNTS = "e.kind <> 'calibration' AND e.status NOT IN ('superseded', 'calibration')";

/**
 * Reads the scoring helper's tables (0017_qa.sql): qa_evaluations (score, passed,
 * submitted_at) and qa_evaluation_answers + qa_form_items. An item is "failed" in an
 * evaluation when it scored below its full marks (points < max_points; N/A answers never
 * fail), so "most-failed items" are the items most often marked down. Without the tables
 * (0017 not applied) it reads as "no evaluations".
 */
export function sqlEvaluationSource(db: Db): EvaluationSource {
  const none: EvaluationSource = { between: () => [], doneBy: () => new Set() };
  if (!hasTable(db, 'qa_evaluations')) return none;
  const evals = db.prepare<[string, string], { id: number; recordingId: number; agentId: number | null; reviewerUserId: number; score: number; passed: number; at: string }>(
    `SELECT e.id, e.recording_id AS recordingId, e.agent_id AS agentId, e.reviewer_user_id AS reviewerUserId, e.score, e.passed, e.submitted_at AS at
     FROM qa_evaluations e WHERE e.submitted_at >= ? AND e.submitted_at < ? AND ${COUNTS}`,
  );
  const failed = db.prepare<[string, string], { e: number; k: number; l: string }>(
    `SELECT a.evaluation_id AS e, i.id AS k, i.text_en || ' / ' || i.text_zh AS l
     FROM qa_evaluation_answers a JOIN qa_form_items i ON i.id = a.item_id JOIN qa_evaluations e ON e.id = a.evaluation_id
     WHERE e.submitted_at >= ? AND e.submitted_at < ? AND ${COUNTS} AND a.na = 0 AND a.points < i.max_points`,
  );
  return {
    between(fromIso, toIso) {
      const items = new Map<number, Array<{ key: string; label: string }>>();
      for (const r of failed.iterate(fromIso, toIso)) {
        const l = items.get(r.e) ?? [];
        l.push({ key: String(r.k), label: r.l });
        items.set(r.e, l);
      }
      return evals
        .all(fromIso, toIso)
        .filter((r): r is typeof r & { agentId: number } => r.agentId !== null)
        .map((r) => ({ ...r, passed: r.passed === 1, failedItems: items.get(r.id) ?? [] }));
    },
    doneBy(reviewerUserId, recordingIds) {
      const out = new Set<number>();
      for (let i = 0; i < recordingIds.length; i += 500) {
        const chunk = recordingIds.slice(i, i + 500);
        const q = db.prepare(`SELECT e.recording_id AS r FROM qa_evaluations e WHERE e.reviewer_user_id = ? AND e.recording_id IN (${chunk.map(() => '?').join(',')}) AND e.kind <> 'calibration'`);
        for (const r of q.all(reviewerUserId, ...chunk) as Array<{ r: number }>) out.add(r.r);
      }
      return out;
    },
  };
}
