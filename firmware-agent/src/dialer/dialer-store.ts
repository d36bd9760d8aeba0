// The dialer's log (migrations/0010_dialer.sql): decisions and calls, so the drop rate is auditable.
import type { Db } from '../db/database.js';
import type { DialOutcome } from '../leads/lead-source.js';
import type { PacingDecision } from './pacing.js';

const iso = (ms: number) => new Date(ms).toISOString();

export class DialerStore {
  constructor(private readonly db: Db) {}

  logDecision(campaignId: number, atMs: number, d: PacingDecision, placed: number, reason: string | null): void {
    this.db
      .prepare(
        `INSERT INTO dialer_decisions (campaign_id, at, dials, placed, mode, why, reason, ready, talking, wrap, paused, ringing, waiting, theta, answer_probability, drops_24h, answers_24h)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(campaignId, iso(atMs), d.dials, placed, d.mode, d.progressiveWhy, reason, d.ready, d.talking, d.wrap, d.paused, d.ringing, d.waiting, d.theta, d.answerProbability, d.drop24h.drops, d.drop24h.answers);
  }

  newCall(campaignId: number, leadId: number | null, atMs: number): number {
    return Number(this.db.prepare('INSERT INTO dialer_calls (campaign_id, lead_id, dialed_at) VALUES (?, ?, ?)').run(campaignId, leadId, iso(atMs)).lastInsertRowid);
  }

  answered(id: number, atMs: number, ringSeconds: number, channel: string): void {
    this.db.prepare('UPDATE dialer_calls SET answered_at = ?, ring_seconds = ?, channel = ? WHERE id = ?').run(iso(atMs), ringSeconds, channel, id);
  }

  connected(id: number, atMs: number, agentId: number | null, seat: string): void {
    this.db.prepare("UPDATE dialer_calls SET connected_at = ?, agent_id = ?, seat = ?, outcome = 'connected', live_answer = 1 WHERE id = ?").run(iso(atMs), agentId, seat, id);
  }

  dropped(id: number, atMs: number, amdSuspect = false): void {
    this.db
      .prepare("UPDATE dialer_calls SET outcome = 'dropped', live_answer = 1, dropped = 1, amd_suspect = ?, answered_at = coalesce(answered_at, ?) WHERE id = ?")
      .run(amdSuspect ? 1 : 0, iso(atMs), id);
  }

  failed(id: number, atMs: number, outcome: DialOutcome, ringSeconds: number): void {
    this.db.prepare('UPDATE dialer_calls SET outcome = ?, ended_at = ?, ring_seconds = ? WHERE id = ?').run(outcome, iso(atMs), ringSeconds, id);
  }

  ended(id: number, atMs: number): void {
    this.db.prepare('UPDATE dialer_calls SET ended_at = coalesce(ended_at, ?) WHERE id = ?').run(iso(atMs), id);
  }

  /** Per-minute answers and drops of the last 30 days (seeds the pacing's windows). */
  windowSeed(campaignId: number, nowMs: number): Array<{ at: number; answers: number; drops: number }> {
    const rows = this.db
      .prepare(
        `SELECT substr(answered_at, 1, 16) AS minute, sum(live_answer) AS answers, sum(dropped) AS drops FROM dialer_calls
         WHERE campaign_id = ? AND live_answer = 1 AND answered_at >= ? GROUP BY minute`,
      )
      .all(campaignId, iso(nowMs - 30 * 86_400_000)) as Array<{ minute: string; answers: number; drops: number }>;
    return rows.map((r) => ({ at: Date.parse(`${r.minute}:00Z`) / 1000, answers: r.answers, drops: r.drops }));
  }

  /** Audit figures straight from the rows. */
  counts(campaignId: number, sinceMs: number): { dials: number; liveAnswers: number; drops: number } {
    const r = this.db
      .prepare('SELECT count(*) AS dials, coalesce(sum(live_answer), 0) AS liveAnswers, coalesce(sum(dropped), 0) AS drops FROM dialer_calls WHERE campaign_id = ? AND dialed_at >= ?')
      .get(campaignId, iso(sinceMs)) as { dials: number; liveAnswers: number; drops: number };
    return r;
  }

  recentDecisions(campaignId: number, limit: number): unknown[] {
    return this.db
      .prepare('SELECT at, dials, placed, mode, why, reason, ready, talking, wrap, paused, ringing, waiting, theta, answer_probability, drops_24h, answers_24h FROM dialer_decisions WHERE campaign_id = ? ORDER BY id DESC LIMIT ?')
      .all(campaignId, limit);
  }
}
