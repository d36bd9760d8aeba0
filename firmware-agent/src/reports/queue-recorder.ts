// Our own record of queue entries (table queue_calls) from per-call AMI events of app_queue:
// QueueCallerJoin (entered), AgentConnect (answered = bridged to an agent), AgentComplete
// (conversation over; Reason transfer), QueueCallerAbandon (caller hung up while waiting),
// QueueCallerLeave (left: after a connect, an abandon, or a timeout). We never read
// app_queue's counters (QueueSummary / QueueStatus completed/abandoned): they reset on reload
// and count differently. See docs/kpis.md.
import type { AmiMessage } from '../ami/types.js';
import type { Db } from '../db/database.js';
import { seatOfChannel } from './fold.js';

export class QueueRecorder {
  private readonly open = new Map<string, number>(); // `${uniqueid}|${queue}` -> queue_calls.id
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmts = {
      join: db.prepare('INSERT OR IGNORE INTO queue_calls (linkedid, uniqueid, queue, entered_at) VALUES (?, ?, ?, ?)'),
      find: db.prepare<[string, string], { id: number }>('SELECT id FROM queue_calls WHERE uniqueid = ? AND queue = ? ORDER BY entered_at DESC LIMIT 1'),
      agentAtSeat: db.prepare<[string, string, string], { agent_id: number; team: string | null }>(
        'SELECT s.agent_id, a.team FROM agent_sessions s JOIN agents a ON a.id = s.agent_id WHERE s.seat = ? AND s.login_at <= ? AND (s.logout_at IS NULL OR s.logout_at > ?) ORDER BY s.login_at DESC LIMIT 1',
      ),
      connect: db.prepare("UPDATE queue_calls SET answered_at = ?, seat = ?, agent_id = ?, team = ?, ring_ms = ?, outcome = 'answered', left_at = COALESCE(left_at, ?) WHERE id = ? AND answered_at IS NULL"),
      complete: db.prepare('UPDATE queue_calls SET ended_at = ?, transferred = ? WHERE id = ? AND ended_at IS NULL'),
      abandon: db.prepare("UPDATE queue_calls SET outcome = 'abandoned', left_at = COALESCE(left_at, ?), ended_at = COALESCE(ended_at, ?) WHERE id = ? AND answered_at IS NULL"),
      leave: db.prepare("UPDATE queue_calls SET left_at = COALESCE(left_at, ?) WHERE id = ?"),
      // Hung up after leaving the queue unanswered without an abandon: the queue timed out
      // (overflow, voicemail or callback came after it).
      timeout: db.prepare("UPDATE queue_calls SET outcome = 'timeout', ended_at = ? WHERE uniqueid = ? AND outcome IS NULL AND answered_at IS NULL AND left_at IS NOT NULL"),
      hangup: db.prepare("UPDATE queue_calls SET ended_at = ? WHERE uniqueid = ? AND ended_at IS NULL AND answered_at IS NOT NULL"),
      hangupWaiting: db.prepare("UPDATE queue_calls SET outcome = 'abandoned', left_at = COALESCE(left_at, ?), ended_at = ? WHERE uniqueid = ? AND outcome IS NULL AND answered_at IS NULL AND left_at IS NULL"),
    };
  }

  /**
   * Closes queue entries whose ending we missed (AMI down, agent restarted) from the call
   * record: the caller's leg in call_legs has hung up (the telephony resync marks vanished
   * channels). Answered rows get their end; waiting ones become abandons, left ones timeouts.
   * Looks back `days` (entries older than that were folded as they were). Returns the rows closed.
   */
  closeFromCallRecords(days = 2): number {
    const hung = `(SELECT l.hungup_at FROM call_legs l WHERE l.uniqueid = queue_calls.uniqueid AND l.hungup_at IS NOT NULL)`;
    const since = new Date(this.now().getTime() - days * 86_400_000).toISOString();
    return this.db.transaction(() => {
      let n = 0;
      n += this.db.prepare(`UPDATE queue_calls SET ended_at = ${hung} WHERE entered_at >= ? AND answered_at IS NOT NULL AND ended_at IS NULL AND ${hung} IS NOT NULL`).run(since).changes;
      n += this.db
        .prepare(`UPDATE queue_calls SET outcome = 'abandoned', left_at = ${hung}, ended_at = ${hung} WHERE entered_at >= ? AND outcome IS NULL AND answered_at IS NULL AND left_at IS NULL AND ${hung} IS NOT NULL`)
        .run(since).changes;
      n += this.db
        .prepare(`UPDATE queue_calls SET outcome = 'timeout', ended_at = ${hung} WHERE entered_at >= ? AND outcome IS NULL AND answered_at IS NULL AND left_at IS NOT NULL AND ${hung} IS NOT NULL`)
        .run(since).changes;
      return n;
    })();
  }

  private idOf(uniqueid: string, queue: string): number | undefined {
    const k = `${uniqueid}|${queue}`;
    const id = this.open.get(k) ?? this.stmts.find.get(uniqueid, queue)?.id;
    return id;
  }

  /** Handles one AMI event (others are ignored). */
  handle(msg: AmiMessage): void {
    const ev = msg.event;
    if (!ev) return;
    const uniqueid = msg.get('Uniqueid');
    const queue = msg.get('Queue');
    const at = this.now().toISOString();
    if (ev === 'Hangup' && uniqueid) {
      // A caller who hangs up while waiting (QueueCallerAbandon normally says so first), or the
      // end of an answered conversation when AgentComplete did not come.
      this.stmts.hangupWaiting.run(at, at, uniqueid);
      this.stmts.timeout.run(at, uniqueid);
      this.stmts.hangup.run(at, uniqueid);
      for (const k of [...this.open.keys()]) if (k.startsWith(`${uniqueid}|`)) this.open.delete(k);
      return;
    }
    if (!uniqueid || !queue) return;
    const key = `${uniqueid}|${queue}`;
    switch (ev) {
      case 'QueueCallerJoin': {
        const res = this.stmts.join.run(msg.get('Linkedid') ?? uniqueid, uniqueid, queue, at);
        if (res.changes) this.open.set(key, Number(res.lastInsertRowid));
        return;
      }
      case 'AgentConnect': {
        const id = this.idOf(uniqueid, queue);
        if (id === undefined) return;
        const seat = seatOfChannel(msg.get('Interface') ?? msg.get('DestChannel') ?? null) ?? seatOfChannel(msg.get('DestChannel') ?? null);
        const agent = seat ? this.stmts.agentAtSeat.get(seat, at, at) : undefined;
        const ringS = Number(msg.get('RingTime'));
        this.stmts.connect.run(at, seat, agent?.agent_id ?? null, agent?.team ?? null, Number.isFinite(ringS) ? Math.round(ringS * 1000) : null, at, id);
        return;
      }
      case 'AgentComplete': {
        const id = this.idOf(uniqueid, queue);
        if (id === undefined) return;
        this.stmts.complete.run(at, (msg.get('Reason') ?? '').toLowerCase() === 'transfer' ? 1 : 0, id);
        this.open.delete(key);
        return;
      }
      case 'QueueCallerAbandon': {
        const id = this.idOf(uniqueid, queue);
        if (id !== undefined) this.stmts.abandon.run(at, at, id);
        return;
      }
      case 'QueueCallerLeave': {
        // app_queue leaves the queue before it announces AgentConnect, so a leave decides
        // nothing: the outcome comes from the connect, the abandon, or the caller's hangup.
        const id = this.idOf(uniqueid, queue);
        if (id !== undefined) this.stmts.leave.run(at, id);
        return;
      }
    }
  }
}
