// Threat calls (issue 8): one button on the desk marks the call as a threat. The server takes
// seat, caller number and recording from its own state (never from the browser), keeps the
// call's recordings as evidence (also a recording that starts only after the button was
// pressed), alerts the duty lead (team lead of the agent's team) plus team leads, managers
// and admins at once (desk.threat + a critical alarm), and records acknowledgement and notes.
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { LiveAudience, LiveFeed } from '../http/live.js';
import type { LiveMessage, Role } from '../http/schemas.js';
import { maskPhone } from '../leads/lead-view.js';
import type { Logger } from '../logging.js';
import type { RecordingStore } from '../recording/recording-store.js';
import type { ThreatAlert } from './contract.js';
import { DeskRecordsError } from './identity.js';

export const THREAT_REASON = 'threat call';
/** Who sees full caller numbers in threat alerts (as for leads: lead-view.ts FULL_NUMBER_ROLES). */
const FULL: Role[] = ['manager', 'admin'];

/** Where an agent is now, from the agents module (engine.ofAgent). */
export interface AgentWhereabouts {
  seatOf(agentId: number): { seat: string; linkedid: string | null } | null;
}

export interface Actor {
  userId: number | null;
  username: string | null;
  ip?: string | null;
}

interface ThreatRow {
  id: number;
  at: string;
  agent_id: number | null;
  user_id: number | null;
  username: string | null;
  team: string | null;
  seat: string | null;
  caller_number: string | null;
  linkedid: string | null;
  notes: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export interface ThreatNote {
  id: number;
  at: string;
  username: string | null;
  note: string;
}

export class Threats {
  constructor(
    private readonly d: {
      db: Db;
      audit: AuditLog;
      live: LiveFeed;
      logger: Logger;
      recordings: RecordingStore;
      where: AgentWhereabouts;
      now: () => Date;
    },
  ) {}

  /** The customer's number of a call, from the call record (outbound: called; inbound: calling). */
  callerNumber(linkedid: string): string | null {
    const c = this.d.db.prepare<[string], { direction: string; from_num: string | null; to_num: string | null }>('SELECT direction, from_num, to_num FROM calls WHERE linkedid = ?').get(linkedid);
    if (c) {
      const n = c.direction === 'inbound' ? c.from_num : c.direction === 'outbound' ? c.to_num : c.from_num;
      if (n) return n;
    }
    // A call the call store has not written yet: its first leg's caller.
    const leg = this.d.db.prepare<[string], { caller_num: string | null }>("SELECT caller_num FROM call_legs WHERE linkedid = ? AND caller_num IS NOT NULL AND caller_num <> '' ORDER BY created_at LIMIT 1").get(linkedid);
    return leg?.caller_num ?? null;
  }

  /** The agent's call now (engine), else the last call in the agent's state history. */
  currentCall(agentId: number): { seat: string | null; linkedid: string | null } {
    const w = this.d.where.seatOf(agentId);
    if (w?.linkedid) return w;
    const h = this.d.db
      .prepare<[number], { seat: string; linkedid: string }>('SELECT seat, linkedid FROM agent_state_history WHERE agent_id = ? AND linkedid IS NOT NULL ORDER BY start_at DESC, id DESC LIMIT 1')
      .get(agentId);
    return { seat: w?.seat ?? h?.seat ?? null, linkedid: h?.linkedid ?? null };
  }

  /** True when the agent has (had) this call: engine state, state history or a recording at their seat. */
  agentHadCall(agentId: number, linkedid: string): boolean {
    if (this.d.where.seatOf(agentId)?.linkedid === linkedid) return true;
    if (this.d.db.prepare('SELECT 1 FROM agent_state_history WHERE agent_id = ? AND linkedid = ?').get(agentId, linkedid)) return true;
    return !!this.d.db.prepare('SELECT 1 FROM recordings WHERE agent_id = ? AND linkedid = ?').get(agentId, linkedid);
  }

  report(input: { agentId: number; team: string | null; agentName: string; linkedid?: string | null; notes: string }, actor: Actor): ThreatAlert {
    const now = this.d.now().toISOString();
    const cur = this.currentCall(input.agentId);
    const linkedid = input.linkedid || cur.linkedid;
    if (!linkedid) throw new DeskRecordsError('no_call', 'you have no call to mark as a threat', 409, 'linkedid');
    if (input.linkedid && !this.agentHadCall(input.agentId, input.linkedid)) throw new DeskRecordsError('not_your_call', `call ${input.linkedid} is not yours`, 403, 'linkedid');
    let seat = cur.seat;
    if (!seat) seat = this.d.db.prepare<[string], { seat: string | null }>('SELECT seat FROM recordings WHERE linkedid = ? AND seat IS NOT NULL LIMIT 1').get(linkedid)?.seat ?? null;
    const caller = this.callerNumber(linkedid);
    const id = Number(
      this.d.db
        .prepare('INSERT INTO desk_threats (at, agent_id, user_id, username, team, seat, caller_number, linkedid, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(now, input.agentId, actor.userId, actor.username, input.team, seat, caller, linkedid, input.notes.trim()).lastInsertRowid,
    );
    const marked = this.markEvidence(linkedid, actor.username);
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'threat.reported', target: `threat:${id}`, detail: { linkedid, seat, agentId: input.agentId, recordings: marked } });
    const alert = this.get(id)!;
    this.alert(alert, input.team, input.agentName);
    return alert;
  }

  /** Keeps every recording of the call as evidence; returns the ids newly marked. */
  markEvidence(linkedid: string, by: string | null): number[] {
    const rows = this.d.db.prepare<[string], { id: number }>("SELECT id FROM recordings WHERE linkedid = ? AND evidence = 0 AND state <> 'deleted'").all(linkedid);
    for (const r of rows) {
      this.d.recordings.setEvidence(r.id, true, THREAT_REASON, by);
      this.d.audit.write({ username: by, action: 'recording.evidence_set', target: `recording:${r.id}`, detail: { reason: THREAT_REASON, linkedid } });
    }
    return rows.map((r) => r.id);
  }

  /** A recording appeared or finished: a threat call's recording is evidence too. */
  onRecording(linkedid: string): void {
    const t = this.d.db.prepare<[string], { username: string | null }>('SELECT username FROM desk_threats WHERE linkedid = ? ORDER BY id LIMIT 1').get(linkedid);
    if (!t) return;
    const ids = this.markEvidence(linkedid, t.username);
    if (ids.length) this.d.logger.info({ linkedid, recordings: ids }, 'late recording of a threat call kept as evidence');
  }

  /** On start: recordings of threat calls written while the module was down. */
  sweep(): number {
    const rows = this.d.db.prepare<[], { linkedid: string }>("SELECT DISTINCT t.linkedid FROM desk_threats t JOIN recordings r ON r.linkedid = t.linkedid WHERE r.evidence = 0 AND r.state <> 'deleted'").all();
    let n = 0;
    for (const r of rows) n += this.markEvidence(r.linkedid, 'system').length;
    return n;
  }

  /** The duty lead: the team lead of the agent's team. */
  dutyLead(team: string | null): number | null {
    if (!team) return null;
    return this.d.db.prepare<[string], { lead_user_id: number | null }>('SELECT lead_user_id FROM teams WHERE name = ?').get(team)?.lead_user_id ?? null;
  }

  private alert(a: ThreatAlert, team: string | null, agentName: string): void {
    const lead = this.dutyLead(team);
    const masked: ThreatAlert = { ...a, callerNumber: maskPhone(a.callerNumber) };
    // Managers/admins get the full number; team leads the masked one (docs/leads.md "Masking").
    const full: LiveAudience = { roles: FULL };
    const leads: LiveAudience = { roles: ['team_lead'], ...(lead !== null ? { userIds: [lead] } : {}) };
    this.d.live.publish({ type: 'desk.threat', data: a }, full);
    this.d.live.publish({ type: 'desk.threat', data: masked }, leads);
    const msg = (n: string | null): LiveMessage => ({
      type: 'alarm',
      data: { source: 'desk.threat', severity: 'critical', message: `Threat call: seat ${a.seat ?? '?'}, agent ${agentName}, caller ${n ?? 'unknown'} (威胁来电)`, at: a.at },
    });
    this.d.live.publish(msg(a.callerNumber), full);
    this.d.live.publish(msg(masked.callerNumber), leads);
  }

  get(id: number): ThreatAlert | null {
    const r = this.d.db.prepare<[number], ThreatRow & { agent_name: string | null }>('SELECT t.*, a.name AS agent_name FROM desk_threats t LEFT JOIN agents a ON a.id = t.agent_id WHERE t.id = ?').get(id);
    return r ? this.toAlert(r) : null;
  }

  private toAlert(r: ThreatRow & { agent_name: string | null }): ThreatAlert {
    const rec = r.linkedid ? this.d.db.prepare<[string], { id: number }>("SELECT id FROM recordings WHERE linkedid = ? AND state <> 'deleted' ORDER BY id LIMIT 1").get(r.linkedid) : undefined;
    return {
      id: r.id,
      at: r.at,
      seat: r.seat,
      agentId: r.agent_id,
      agentName: r.agent_name,
      callerNumber: r.caller_number,
      linkedid: r.linkedid,
      notes: r.notes,
      recordingId: rec?.id ?? null,
      acknowledgedAt: r.acknowledged_at,
      acknowledgedBy: r.acknowledged_by,
    };
  }

  list(q: { from?: string; to?: string; unacknowledged?: boolean; agentId?: number; limit?: number }): Array<ThreatAlert & { team: string | null; reportedBy: string | null; notesLog: ThreatNote[] }> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.from) (where.push('t.at >= ?'), args.push(q.from));
    if (q.to) (where.push('t.at < ?'), args.push(q.to));
    if (q.unacknowledged) where.push('t.acknowledged_at IS NULL');
    if (q.agentId !== undefined) (where.push('t.agent_id = ?'), args.push(q.agentId));
    const rows = this.d.db
      .prepare(`SELECT t.*, a.name AS agent_name FROM desk_threats t LEFT JOIN agents a ON a.id = t.agent_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY t.id DESC LIMIT ?`)
      .all(...args, q.limit ?? 200) as Array<ThreatRow & { agent_name: string | null }>;
    return rows.map((r) => ({ ...this.toAlert(r), team: r.team, reportedBy: r.username, notesLog: this.notes(r.id) }));
  }

  notes(id: number): ThreatNote[] {
    return this.d.db.prepare<[number], ThreatNote>('SELECT id, at, username, note FROM threat_notes WHERE threat_id = ? ORDER BY id').all(id);
  }

  acknowledge(id: number, actor: Actor): ThreatAlert {
    const t = this.get(id);
    if (!t) throw new DeskRecordsError('not_found', `no threat ${id}`, 404);
    if (t.acknowledgedAt) return t;
    this.d.db.prepare('UPDATE desk_threats SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_user_id = ? WHERE id = ? AND acknowledged_at IS NULL').run(this.d.now().toISOString(), actor.username, actor.userId, id);
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'threat.acknowledged', target: `threat:${id}` });
    const out = this.get(id)!;
    // Every lead's pop-up closes once one of them took it.
    const team = this.d.db.prepare<[number], { team: string | null }>('SELECT team FROM desk_threats WHERE id = ?').get(id)?.team ?? null;
    const lead = this.dutyLead(team);
    this.d.live.publish({ type: 'desk.threat', data: out }, { roles: FULL });
    this.d.live.publish({ type: 'desk.threat', data: { ...out, callerNumber: maskPhone(out.callerNumber) } }, { roles: ['team_lead'], ...(lead !== null ? { userIds: [lead] } : {}) });
    return out;
  }

  addNote(id: number, note: string, actor: Actor): ThreatNote[] {
    if (!this.get(id)) throw new DeskRecordsError('not_found', `no threat ${id}`, 404);
    if (!note.trim()) throw new DeskRecordsError('invalid_note', 'note: write something', 400, 'note');
    this.d.db.prepare('INSERT INTO threat_notes (threat_id, at, user_id, username, note) VALUES (?, ?, ?, ?, ?)').run(id, this.d.now().toISOString(), actor.userId, actor.username, note.trim());
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'threat.note_added', target: `threat:${id}` });
    return this.notes(id);
  }

  /** The reporter of a threat (agents may add notes to their own). */
  reporter(id: number): number | null {
    return this.d.db.prepare<[number], { user_id: number | null }>('SELECT user_id FROM desk_threats WHERE id = ?').get(id)?.user_id ?? null;
  }
}
