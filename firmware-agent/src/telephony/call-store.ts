import type { Db } from '../db/database.js';
import type { Call, CallSink, Leg } from './call-model.js';

interface CallRow {
  linkedid: string;
  direction: Call['direction'];
  state: Call['state'];
  from_num: string | null;
  to_num: string | null;
  created_at: string;
  answered_at: string | null;
  bridged_at: string | null;
  ended_at: string | null;
  cause: number | null;
  cause_txt: string | null;
  end_reason: Call['endReason'];
}

interface LegRow {
  uniqueid: string;
  linkedid: string;
  channel: string;
  endpoint: string | null;
  caller_num: string | null;
  caller_name: string | null;
  connected_num: string | null;
  context: string | null;
  exten: string | null;
  state: string;
  created_at: string;
  ringing_at: string | null;
  answered_at: string | null;
  bridged_at: string | null;
  bridge_id: string | null;
  hungup_at: string | null;
  cause: number | null;
  cause_txt: string | null;
}

/**
 * Persists call records. Changes are coalesced per row and written in one transaction at
 * the end of the current event-loop turn: a burst of events for one call costs one write,
 * and the AMI reader never waits on the disk.
 */
export class CallStore implements CallSink {
  private readonly pendingCalls = new Map<string, Call>();
  private readonly pendingLegs = new Map<string, Leg>();
  private scheduled = false;
  private readonly upsertCall;
  private readonly upsertLeg;
  private readonly flushTx;
  /** Rows written so far (for benchmarks and health). */
  written = 0;

  constructor(private readonly db: Db) {
    this.upsertCall = db.prepare(
      `INSERT INTO calls (linkedid, direction, state, from_num, to_num, created_at, answered_at, bridged_at, ended_at, cause, cause_txt, end_reason)
       VALUES (@linkedid, @direction, @state, @from, @to, @createdAt, @answeredAt, @bridgedAt, @endedAt, @cause, @causeTxt, @endReason)
       ON CONFLICT(linkedid) DO UPDATE SET state = excluded.state, from_num = excluded.from_num, to_num = excluded.to_num,
         answered_at = excluded.answered_at, bridged_at = excluded.bridged_at, ended_at = excluded.ended_at,
         cause = excluded.cause, cause_txt = excluded.cause_txt, end_reason = excluded.end_reason`,
    );
    this.upsertLeg = db.prepare(
      `INSERT INTO call_legs (uniqueid, linkedid, channel, endpoint, caller_num, caller_name, connected_num, context, exten, state,
         created_at, ringing_at, answered_at, bridged_at, bridge_id, hungup_at, cause, cause_txt)
       VALUES (@uniqueid, @linkedid, @channel, @endpoint, @callerNum, @callerName, @connectedNum, @context, @exten, @state,
         @createdAt, @ringingAt, @answeredAt, @bridgedAt, @bridgeId, @hungupAt, @cause, @causeTxt)
       ON CONFLICT(uniqueid) DO UPDATE SET channel = excluded.channel, caller_num = excluded.caller_num, caller_name = excluded.caller_name,
         connected_num = excluded.connected_num, state = excluded.state, ringing_at = excluded.ringing_at, answered_at = excluded.answered_at,
         bridged_at = excluded.bridged_at, bridge_id = excluded.bridge_id, hungup_at = excluded.hungup_at, cause = excluded.cause, cause_txt = excluded.cause_txt`,
    );
    this.flushTx = db.transaction(() => {
      // Calls first: legs reference them.
      for (const c of this.pendingCalls.values()) {
        this.upsertCall.run({
          linkedid: c.linkedid, direction: c.direction, state: c.state, from: c.from, to: c.to, createdAt: c.createdAt,
          answeredAt: c.answeredAt, bridgedAt: c.bridgedAt, endedAt: c.endedAt, cause: c.cause, causeTxt: c.causeTxt, endReason: c.endReason,
        });
      }
      for (const l of this.pendingLegs.values()) {
        this.upsertLeg.run({
          uniqueid: l.uniqueid, linkedid: l.linkedid, channel: l.channel, endpoint: l.endpoint, callerNum: l.callerNum, callerName: l.callerName,
          connectedNum: l.connectedNum, context: l.context, exten: l.exten, state: l.state, createdAt: l.createdAt, ringingAt: l.ringingAt,
          answeredAt: l.answeredAt, bridgedAt: l.bridgedAt, bridgeId: l.bridgeId, hungupAt: l.hungupAt, cause: l.cause, causeTxt: l.causeTxt,
        });
      }
      this.written += this.pendingCalls.size + this.pendingLegs.size;
      this.pendingCalls.clear();
      this.pendingLegs.clear();
    });
  }

  saveCall(call: Call): void {
    this.pendingCalls.set(call.linkedid, call);
    this.schedule();
  }

  saveLeg(leg: Leg): void {
    this.pendingLegs.set(leg.uniqueid, leg);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes everything pending now (also called on shutdown). */
  flush(): void {
    this.scheduled = false;
    if (this.pendingCalls.size === 0 && this.pendingLegs.size === 0) return;
    this.flushTx();
  }

  openCalls(): Omit<Call, 'legs'>[] {
    return this.db
      .prepare<[], CallRow>("SELECT * FROM calls WHERE state <> 'ended'")
      .all()
      .map((r) => ({
        linkedid: r.linkedid, direction: r.direction, state: r.state, from: r.from_num, to: r.to_num, createdAt: r.created_at,
        answeredAt: r.answered_at, bridgedAt: r.bridged_at, endedAt: r.ended_at, cause: r.cause, causeTxt: r.cause_txt, endReason: r.end_reason,
      }));
  }

  openLegs(): Leg[] {
    return this.db.prepare<[], LegRow>('SELECT * FROM call_legs WHERE hungup_at IS NULL').all().map(rowToLeg);
  }

  legsOf(linkedid: string): Leg[] {
    return this.db.prepare<[string], LegRow>('SELECT * FROM call_legs WHERE linkedid = ? ORDER BY created_at, uniqueid').all(linkedid).map(rowToLeg);
  }

  call(linkedid: string): CallRow | undefined {
    return this.db.prepare<[string], CallRow>('SELECT * FROM calls WHERE linkedid = ?').get(linkedid);
  }
}

function rowToLeg(r: LegRow): Leg {
  return {
    uniqueid: r.uniqueid, linkedid: r.linkedid, channel: r.channel, endpoint: r.endpoint ?? r.channel, callerNum: r.caller_num,
    callerName: r.caller_name, connectedNum: r.connected_num, context: r.context, exten: r.exten, state: r.state, createdAt: r.created_at,
    ringingAt: r.ringing_at, answeredAt: r.answered_at, bridgedAt: r.bridged_at, bridgeId: r.bridge_id, hungupAt: r.hungup_at,
    cause: r.cause, causeTxt: r.cause_txt,
  };
}
