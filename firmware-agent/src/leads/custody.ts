// Chain of custody: the data manager receives an imported list and checks a random sample;
// hands batches to team leads; team leads hand leads to their agents (by count or even split).
// Every hand-over is recorded with its leads. Also the fairness report and the destruction of
// a campaign's personal data (counts kept; the database file scrubbed, WAL included).
import { readFileSync, statSync } from 'node:fs';
import type { Db } from '../db/database.js';
import { CampaignError, type CampaignStore } from '../campaigns/campaign-store.js';
import type { LeadRow } from './lead-view.js';
import { destroyDeskRecords } from '../desk/desk-records-destroy.js';
import { destroySmsRecords } from '../sms/sms-destroy.js';

export interface Actor {
  userId: number | null;
  username: string | null;
}

export interface Handover {
  id: number;
  campaignId: number;
  at: string;
  byUsername: string | null;
  kind: 'receive' | 'to_team' | 'to_agent' | 'return';
  fromRef: string | null;
  toRef: string;
  count: number;
}

export interface ListCustody {
  listId: number;
  campaignId: number;
  source: string;
  fileName: string;
  importedAt: string;
  rowsImported: number;
  receivedAt: string | null;
  receivedBy: string | null;
  sampleSize: number;
  sampleResult: 'pass' | 'fail' | null;
  sampleBad: number | null;
  sampleNote: string | null;
  sampleCheckedBy: string | null;
  /** Leads of this list per custody stage. */
  counts: { imported: number; received: number; team: number; agent: number };
}

export interface FairnessRow {
  agentId: number;
  agentNumber: string;
  agentName: string;
  team: string | null;
  received: number;
  held: number;
  worked: number;
  attempts: number;
  contacts: number;
  sales: number;
  /** sales / worked, 0..1 */
  conversion: number;
}

export interface DestructionResult {
  campaignId: number;
  leads: number;
  counts: DestructionCounts;
  /** Personal values still found in the raw database file or WAL after the scrub (0 = clean). */
  remaining: number;
  verified: boolean;
}

export interface DestructionCounts {
  perList: Array<{ listId: number; leads: number }>;
  perAgent: Array<{ agentId: number | null; leads: number }>;
  perDisposition: Array<{ disposition: string | null; status: string; leads: number }>;
}

export class CustodyError extends CampaignError {}

export class Custody {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignStore,
  ) {}

  // ---- teams ----

  teams(): Array<{ name: string; leadUserId: number | null; leadUsername: string | null; agents: number }> {
    return this.db
      .prepare(
        `SELECT t.name, t.lead_user_id AS leadUserId, u.username AS leadUsername, (SELECT count(*) FROM agents a WHERE a.team = t.name AND a.active = 1) AS agents
         FROM (SELECT name, lead_user_id FROM teams UNION SELECT DISTINCT team, NULL FROM agents WHERE team IS NOT NULL AND team NOT IN (SELECT name FROM teams)) t
         LEFT JOIN users u ON u.id = t.lead_user_id ORDER BY t.name`,
      )
      .all() as Array<{ name: string; leadUserId: number | null; leadUsername: string | null; agents: number }>;
  }

  setTeamLead(team: string, leadUserId: number | null): void {
    if (!team || team.length > 64) throw new CustodyError('invalid_team', 'team: 1–64 characters', 400, 'team');
    if (leadUserId !== null && !this.db.prepare(`SELECT 1 FROM user_roles WHERE user_id = ? AND role IN ('team_lead', 'manager', 'admin')`).get(leadUserId)) {
      throw new CustodyError('not_team_lead', `user ${leadUserId} has no team_lead role`, 400, 'leadUserId');
    }
    this.db.prepare('INSERT INTO teams (name, lead_user_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET lead_user_id = excluded.lead_user_id').run(team, leadUserId);
  }

  /** Teams a user leads (teams.lead_user_id). */
  teamsLedBy(userId: number): string[] {
    return (this.db.prepare('SELECT name FROM teams WHERE lead_user_id = ?').all(userId) as Array<{ name: string }>).map((r) => r.name);
  }

  agentOfUser(userId: number): { agentId: number; team: string | null; number: string; name: string } | null {
    const r = this.db.prepare('SELECT id, team, number, name FROM agents WHERE user_id = ? AND active = 1').get(userId) as { id: number; team: string | null; number: string; name: string } | undefined;
    return r ? { agentId: r.id, team: r.team, number: r.number, name: r.name } : null;
  }

  // ---- lists: receipt and quality sample ----

  lists(campaignId: number): ListCustody[] {
    const rows = this.db
      .prepare(
        `SELECT l.id, l.campaign_id, l.source, l.file_name, l.imported_at, l.rows_imported, c.received_at, c.received_by, c.sample_lead_ids, c.sample_result, c.sample_bad, c.sample_note, c.sample_checked_by
         FROM lead_lists l LEFT JOIN lead_list_custody c ON c.list_id = l.id WHERE l.campaign_id = ? ORDER BY l.id`,
      )
      .all(campaignId) as Array<Record<string, unknown>>;
    const counts = this.db.prepare(`SELECT custody, count(*) AS n FROM leads WHERE list_id = ? GROUP BY custody`);
    return rows.map((r) => {
      const c = { imported: 0, received: 0, team: 0, agent: 0 };
      for (const x of counts.all(r.id) as Array<{ custody: keyof typeof c; n: number }>) c[x.custody] = x.n;
      return {
        listId: r.id as number,
        campaignId: r.campaign_id as number,
        source: r.source as string,
        fileName: r.file_name as string,
        importedAt: r.imported_at as string,
        rowsImported: r.rows_imported as number,
        receivedAt: (r.received_at as string | null) ?? null,
        receivedBy: (r.received_by as string | null) ?? null,
        sampleSize: r.sample_lead_ids ? (JSON.parse(r.sample_lead_ids as string) as number[]).length : 0,
        sampleResult: (r.sample_result as 'pass' | 'fail' | null) ?? null,
        sampleBad: (r.sample_bad as number | null) ?? null,
        sampleNote: (r.sample_note as string | null) ?? null,
        sampleCheckedBy: (r.sample_checked_by as string | null) ?? null,
        counts: c,
      };
    });
  }

  private list(listId: number): { id: number; campaign_id: number } {
    const l = this.db.prepare('SELECT id, campaign_id FROM lead_lists WHERE id = ?').get(listId) as { id: number; campaign_id: number } | undefined;
    if (!l) throw new CustodyError('not_found', `no lead list ${listId}`, 404);
    return l;
  }

  private openCampaign(id: number) {
    const c = this.campaigns.require(id);
    if (c.status === 'ended' || c.status === 'destroyed') throw new CustodyError('campaign_closed', `campaign "${c.name}" is ${c.status}`, 409);
    return c;
  }

  /** The data manager takes an imported list into custody. */
  receive(listId: number, actor: Actor, now: Date): { received: number; handoverId: number } {
    const l = this.list(listId);
    this.openCampaign(l.campaign_id);
    return this.db
      .transaction(() => {
        if (this.db.prepare('SELECT 1 FROM lead_list_custody WHERE list_id = ?').get(listId)) throw new CustodyError('already_received', `list ${listId} was already received`, 409);
        this.db.prepare('INSERT INTO lead_list_custody (list_id, received_at, received_by) VALUES (?, ?, ?)').run(listId, now.toISOString(), actor.username);
        const ids = (this.db.prepare(`SELECT id FROM leads WHERE list_id = ? AND custody = 'imported' AND destroyed_at IS NULL`).all(listId) as Array<{ id: number }>).map((r) => r.id);
        this.db.prepare(`UPDATE leads SET custody = 'received' WHERE list_id = ? AND custody = 'imported'`).run(listId);
        const handoverId = this.recordHandover(l.campaign_id, 'receive', `list:${listId}`, 'data_manager', ids, actor, now);
        return { received: ids.length, handoverId };
      })
      .immediate();
  }

  /** Draws a random quality sample of n leads of a received list (replaces an unchecked one). */
  drawSample(listId: number, n: number, actor: Actor, now: Date): LeadRow[] {
    this.list(listId);
    const cur = this.db.prepare('SELECT sample_result FROM lead_list_custody WHERE list_id = ?').get(listId) as { sample_result: string | null } | undefined;
    if (!cur) throw new CustodyError('not_received', `list ${listId} must be received before sampling`, 409);
    if (cur.sample_result) throw new CustodyError('sample_checked', `the sample of list ${listId} was already checked (${cur.sample_result})`, 409);
    const rows = this.db.prepare('SELECT * FROM leads WHERE list_id = ? AND destroyed_at IS NULL ORDER BY random() LIMIT ?').all(listId, Math.max(1, Math.min(n, 500))) as LeadRow[];
    this.db.prepare('UPDATE lead_list_custody SET sample_lead_ids = ?, sample_taken_at = ?, sample_checked_by = ? WHERE list_id = ?').run(JSON.stringify(rows.map((r) => r.id)), now.toISOString(), actor.username, listId);
    return rows;
  }

  sample(listId: number): LeadRow[] {
    const cur = this.db.prepare('SELECT sample_lead_ids FROM lead_list_custody WHERE list_id = ?').get(listId) as { sample_lead_ids: string | null } | undefined;
    if (!cur?.sample_lead_ids) return [];
    const ids = JSON.parse(cur.sample_lead_ids) as number[];
    const get = this.db.prepare<[number], LeadRow>('SELECT * FROM leads WHERE id = ?');
    return ids.map((id) => get.get(id)).filter((x): x is LeadRow => !!x);
  }

  recordSampleResult(listId: number, result: { ok: boolean; bad: number; note?: string | null }, actor: Actor, now: Date): void {
    const cur = this.db.prepare('SELECT sample_lead_ids FROM lead_list_custody WHERE list_id = ?').get(listId) as { sample_lead_ids: string | null } | undefined;
    if (!cur?.sample_lead_ids) throw new CustodyError('no_sample', `draw a sample of list ${listId} first`, 409);
    const size = (JSON.parse(cur.sample_lead_ids) as number[]).length;
    if (result.bad < 0 || result.bad > size) throw new CustodyError('invalid_bad', `bad must be between 0 and the sample size ${size}`, 400, 'bad');
    this.db
      .prepare('UPDATE lead_list_custody SET sample_result = ?, sample_bad = ?, sample_note = ?, sample_checked_by = ?, sample_checked_at = ? WHERE list_id = ?')
      .run(result.ok ? 'pass' : 'fail', result.bad, result.note ?? null, actor.username, now.toISOString(), listId);
  }

  // ---- hand-overs ----

  private recordHandover(campaignId: number, kind: Handover['kind'], from: string | null, to: string, leadIds: number[], actor: Actor, now: Date): number {
    const id = Number(
      this.db
        .prepare('INSERT INTO lead_handovers (campaign_id, at, by_user_id, by_username, kind, from_ref, to_ref, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(campaignId, now.toISOString(), actor.userId, actor.username, kind, from, to, leadIds.length).lastInsertRowid,
    );
    const ins = this.db.prepare('INSERT INTO lead_handover_items (handover_id, lead_id) VALUES (?, ?)');
    for (const l of leadIds) ins.run(id, l);
    return id;
  }

  private teamExists(team: string): boolean {
    return !!(this.db.prepare('SELECT 1 FROM teams WHERE name = ?').get(team) ?? this.db.prepare('SELECT 1 FROM agents WHERE team = ?').get(team));
  }

  /** Data manager → team lead: `count` received leads (optionally of one list; 0/undefined = all). */
  handToTeam(campaignId: number, input: { team: string; count?: number; listId?: number }, actor: Actor, now: Date): { handoverId: number; count: number } {
    this.openCampaign(campaignId);
    if (!this.teamExists(input.team)) throw new CustodyError('unknown_team', `no team "${input.team}" (no team row and no agent in it)`, 400, 'team');
    return this.db
      .transaction(() => {
        const args: unknown[] = [campaignId];
        let sql = `SELECT id FROM leads WHERE campaign_id = ? AND custody = 'received' AND destroyed_at IS NULL`;
        if (input.listId !== undefined) {
          sql += ' AND list_id = ?';
          args.push(input.listId);
        }
        sql += ' ORDER BY id';
        if (input.count) {
          sql += ' LIMIT ?';
          args.push(input.count);
        }
        const ids = (this.db.prepare(sql).all(...args) as Array<{ id: number }>).map((r) => r.id);
        if (!ids.length) throw new CustodyError('nothing_to_hand', 'no received leads to hand over (receive the list first)', 409);
        if (input.count && ids.length < input.count) throw new CustodyError('not_enough', `only ${ids.length} received leads left; asked for ${input.count}`, 409, 'count');
        const upd = this.db.prepare(`UPDATE leads SET custody = 'team', team = ?, agent_id = NULL WHERE id = ?`);
        for (const id of ids) upd.run(input.team, id);
        const handoverId = this.recordHandover(campaignId, 'to_team', 'data_manager', `team:${input.team}`, ids, actor, now);
        return { handoverId, count: ids.length };
      })
      .immediate();
  }

  /**
   * Team lead → agents: explicit counts per agent, or an even split of `total` (all when absent)
   * over the given agents. Only open, unclaimed leads in the team pool move. One hand-over per agent.
   */
  handToAgents(campaignId: number, team: string, input: { assignments?: Array<{ agentId: number; count: number }>; split?: { agentIds: number[]; total?: number } }, actor: Actor, now: Date): Array<{ agentId: number; count: number; handoverId: number }> {
    this.openCampaign(campaignId);
    return this.db
      .transaction(() => {
        const pool = (
          this.db
            .prepare(`SELECT id FROM leads WHERE campaign_id = ? AND custody = 'team' AND team = ? AND claimed_by IS NULL AND status IN ('new', 'retry', 'recontact') AND destroyed_at IS NULL ORDER BY id`)
            .all(campaignId, team) as Array<{ id: number }>
        ).map((r) => r.id);
        let plan: Array<{ agentId: number; count: number }>;
        if (input.assignments?.length) plan = input.assignments;
        else if (input.split?.agentIds.length) {
          const ids = input.split.agentIds;
          const total = Math.min(input.split.total ?? pool.length, pool.length);
          plan = ids.map((agentId, i) => ({ agentId, count: Math.floor(total / ids.length) + (i < total % ids.length ? 1 : 0) }));
        } else throw new CustodyError('nothing_planned', 'give assignments or agents to split among', 400, 'assignments');
        const wanted = plan.reduce((a, p) => a + p.count, 0);
        if (wanted > pool.length) throw new CustodyError('not_enough', `team ${team} has ${pool.length} leads to hand out; asked for ${wanted}`, 409, 'count');
        const agentTeam = this.db.prepare('SELECT team FROM agents WHERE id = ? AND active = 1');
        const seen = new Set<number>();
        for (const p of plan) {
          const a = agentTeam.get(p.agentId) as { team: string | null } | undefined;
          if (!a) throw new CustodyError('unknown_agent', `no active agent ${p.agentId}`, 400, 'agentId');
          if (a.team !== team) throw new CustodyError('other_team', `agent ${p.agentId} is not in team ${team}`, 400, 'agentId');
          if (seen.has(p.agentId)) throw new CustodyError('duplicate_agent', `agent ${p.agentId} twice`, 400, 'agentId');
          if (!Number.isInteger(p.count) || p.count < 0) throw new CustodyError('invalid_count', 'counts are whole numbers ≥ 0', 400, 'count');
          seen.add(p.agentId);
        }
        const upd = this.db.prepare(`UPDATE leads SET custody = 'agent', agent_id = ? WHERE id = ?`);
        let at = 0;
        const out: Array<{ agentId: number; count: number; handoverId: number }> = [];
        for (const p of plan) {
          if (!p.count) continue;
          const ids = pool.slice(at, at + p.count);
          at += p.count;
          for (const id of ids) upd.run(p.agentId, id);
          out.push({ agentId: p.agentId, count: ids.length, handoverId: this.recordHandover(campaignId, 'to_agent', `team:${team}`, `agent:${p.agentId}`, ids, actor, now) });
        }
        return out;
      })
      .immediate();
  }

  /** Agent → team pool: the agent's open, unclaimed leads go back (e.g. absent agent). */
  returnToTeam(campaignId: number, agentId: number, actor: Actor, now: Date): { count: number; team: string | null } {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare(`SELECT id, team FROM leads WHERE campaign_id = ? AND custody = 'agent' AND agent_id = ? AND claimed_by IS NULL AND status IN ('new', 'retry', 'recontact') ORDER BY id`)
          .all(campaignId, agentId) as Array<{ id: number; team: string | null }>;
        if (!rows.length) return { count: 0, team: null };
        this.db.prepare(`UPDATE leads SET custody = 'team', agent_id = NULL WHERE campaign_id = ? AND custody = 'agent' AND agent_id = ? AND claimed_by IS NULL AND status IN ('new', 'retry', 'recontact')`).run(campaignId, agentId);
        const team = rows[0]!.team;
        this.recordHandover(campaignId, 'return', `agent:${agentId}`, `team:${team ?? ''}`, rows.map((r) => r.id), actor, now);
        return { count: rows.length, team };
      })
      .immediate();
  }

  history(campaignId: number, limit = 500): Handover[] {
    return this.db
      .prepare('SELECT id, campaign_id AS campaignId, at, by_username AS byUsername, kind, from_ref AS fromRef, to_ref AS toRef, count FROM lead_handovers WHERE campaign_id = ? ORDER BY id DESC LIMIT ?')
      .all(campaignId, limit) as Handover[];
  }

  handoverLeadIds(handoverId: number): number[] {
    return (this.db.prepare('SELECT lead_id FROM lead_handover_items WHERE handover_id = ? ORDER BY lead_id').all(handoverId) as Array<{ lead_id: number }>).map((r) => r.lead_id);
  }

  /** Leads per custody stage / team / agent (for the custody page). */
  summary(campaignId: number): { byCustody: Record<string, number>; byTeam: Array<{ team: string; pool: number; withAgents: number }>; byAgent: Array<{ agentId: number; leads: number; open: number }> } {
    const byCustody: Record<string, number> = { imported: 0, received: 0, team: 0, agent: 0 };
    for (const r of this.db.prepare('SELECT custody, count(*) AS n FROM leads WHERE campaign_id = ? GROUP BY custody').all(campaignId) as Array<{ custody: string; n: number }>) byCustody[r.custody] = r.n;
    const byTeam = this.db
      .prepare(`SELECT team, sum(custody = 'team') AS pool, sum(custody = 'agent') AS withAgents FROM leads WHERE campaign_id = ? AND team IS NOT NULL GROUP BY team ORDER BY team`)
      .all(campaignId) as Array<{ team: string; pool: number; withAgents: number }>;
    const byAgent = this.db
      .prepare(`SELECT agent_id AS agentId, count(*) AS leads, sum(status IN ('new', 'retry', 'callback', 'recontact')) AS open FROM leads WHERE campaign_id = ? AND custody = 'agent' GROUP BY agent_id ORDER BY agent_id`)
      .all(campaignId) as Array<{ agentId: number; leads: number; open: number }>;
    return { byCustody, byTeam, byAgent };
  }

  // ---- fairness ----

  /** Per agent: leads received, worked, contacts, sales/registrations, conversion. */
  fairness(campaignId: number, range: { from?: string; to?: string } = {}): FairnessRow[] {
    const c = this.campaigns.require(campaignId);
    const flags = new Map(c.settings.dispositions.map((d) => [d.code, d]));
    const from = range.from ?? '0000';
    const to = range.to ?? '9999';
    const agents = this.db.prepare('SELECT id, number, name, team FROM agents ORDER BY team, number').all() as Array<{ id: number; number: string; name: string; team: string | null }>;
    const received = new Map(
      (
        this.db
          .prepare(`SELECT CAST(substr(h.to_ref, 7) AS INTEGER) AS agentId, count(DISTINCT i.lead_id) AS n FROM lead_handovers h JOIN lead_handover_items i ON i.handover_id = h.id
                    WHERE h.campaign_id = ? AND h.kind = 'to_agent' AND h.at >= ? AND h.at < ? GROUP BY agentId`)
          .all(campaignId, from, to) as Array<{ agentId: number; n: number }>
      ).map((r) => [r.agentId, r.n]),
    );
    const held = new Map((this.db.prepare(`SELECT agent_id AS agentId, count(*) AS n FROM leads WHERE campaign_id = ? AND custody = 'agent' GROUP BY agent_id`).all(campaignId) as Array<{ agentId: number; n: number }>).map((r) => [r.agentId, r.n]));
    const work = new Map(
      (
        this.db
          .prepare(`SELECT agent_id AS agentId, count(DISTINCT lead_id) AS worked, sum(counts) AS attempts FROM lead_attempts WHERE campaign_id = ? AND agent_id IS NOT NULL AND at >= ? AND at < ? GROUP BY agent_id`)
          .all(campaignId, from, to) as Array<{ agentId: number; worked: number; attempts: number }>
      ).map((r) => [r.agentId, r]),
    );
    const disp = this.db
      .prepare(`SELECT agent_id AS agentId, disposition, count(DISTINCT lead_id) AS n FROM lead_attempts WHERE campaign_id = ? AND agent_id IS NOT NULL AND disposition IS NOT NULL AND at >= ? AND at < ? GROUP BY agent_id, disposition`)
      .all(campaignId, from, to) as Array<{ agentId: number; disposition: string; n: number }>;
    const contacts = new Map<number, number>();
    const sales = new Map<number, number>();
    for (const d of disp) {
      const f = flags.get(d.disposition);
      if (f?.contact || f?.sale) contacts.set(d.agentId, (contacts.get(d.agentId) ?? 0) + d.n);
      if (f?.sale) sales.set(d.agentId, (sales.get(d.agentId) ?? 0) + d.n);
    }
    return agents
      .filter((a) => received.has(a.id) || held.has(a.id) || work.has(a.id))
      .map((a) => {
        const w = work.get(a.id);
        const worked = w?.worked ?? 0;
        const s = sales.get(a.id) ?? 0;
        return {
          agentId: a.id,
          agentNumber: a.number,
          agentName: a.name,
          team: a.team,
          received: received.get(a.id) ?? 0,
          held: held.get(a.id) ?? 0,
          worked,
          attempts: w?.attempts ?? 0,
          contacts: contacts.get(a.id) ?? 0,
          sales: s,
          conversion: worked ? s / worked : 0,
        };
      });
  }

  // ---- destruction ----

  /**
   * Deletes the personal data of an ended campaign's leads (phone, name, extension, area code,
   * fields), its consent list and matching numbers in call records; keeps the rows and counts.
   * Then scrubs the file: secure_delete zeroes freed cells, the WAL is checkpointed and
   * truncated, VACUUM rewrites the file without free pages; finally the raw bytes of the
   * database and WAL are scanned for the destroyed numbers.
   */
  destroy(campaignId: number, confirmName: string, actor: Actor, now: Date): DestructionResult {
    const c = this.campaigns.require(campaignId);
    if (c.status === 'destroyed') throw new CustodyError('already_destroyed', `campaign "${c.name}" was already destroyed`, 409);
    if (c.status !== 'ended') throw new CustodyError('not_ended', `campaign "${c.name}" must be ended before its leads are destroyed (it is ${c.status})`, 409, 'status');
    if (confirmName !== c.name) throw new CustodyError('confirm_mismatch', 'type the campaign name exactly to confirm', 400, 'confirm');
    const phones = (this.db.prepare('SELECT phone FROM leads WHERE campaign_id = ? AND phone IS NOT NULL').all(campaignId) as Array<{ phone: string }>).map((r) => r.phone);
    const counts: DestructionCounts = {
      perList: this.db.prepare('SELECT list_id AS listId, count(*) AS leads FROM leads WHERE campaign_id = ? GROUP BY list_id').all(campaignId) as DestructionCounts['perList'],
      perAgent: this.db.prepare('SELECT agent_id AS agentId, count(*) AS leads FROM leads WHERE campaign_id = ? GROUP BY agent_id').all(campaignId) as DestructionCounts['perAgent'],
      perDisposition: this.db.prepare('SELECT disposition, status, count(*) AS leads FROM leads WHERE campaign_id = ? GROUP BY disposition, status').all(campaignId) as DestructionCounts['perDisposition'],
    };
    const total = counts.perList.reduce((a, r) => a + r.leads, 0);
    let compacted = false;
    this.db.pragma('secure_delete = ON');
    try {
      this.db
        .transaction(() => {
          this.db
            .prepare(`UPDATE leads SET phone = NULL, name = NULL, extension = NULL, area_code = NULL, fields_json = '{}', claimed_by = NULL, claimed_at = NULL, callback_at = NULL, destroyed_at = ? WHERE campaign_id = ?`)
            .run(now.toISOString(), campaignId);
          this.db.prepare('DELETE FROM campaign_consent WHERE campaign_id = ?').run(campaignId);
          // The import reports quote refused rows (numbers, names): the counts stay, the rows go.
          this.db.prepare("UPDATE lead_import_jobs SET refused_json = '[]' WHERE campaign_id = ?").run(campaignId);
          this.db.prepare('UPDATE lead_list_custody SET sample_lead_ids = NULL WHERE list_id IN (SELECT id FROM lead_lists WHERE campaign_id = ?)').run(campaignId);
          // Call records of these numbers (dialled with or without a 1–2 digit outside prefix) lose the number.
          const kept = this.keptPhones();
          this.db.exec('CREATE TEMP TABLE IF NOT EXISTS destroyed_phones (phone TEXT PRIMARY KEY); DELETE FROM temp.destroyed_phones');
          const ins = this.db.prepare('INSERT OR IGNORE INTO temp.destroyed_phones (phone) VALUES (?)');
          for (const p of phones) if (!kept.has(p)) ins.run(p);
          const hit = (col: string) => `(${col} IN (SELECT phone FROM temp.destroyed_phones) OR substr(${col}, 2) IN (SELECT phone FROM temp.destroyed_phones) OR substr(${col}, 3) IN (SELECT phone FROM temp.destroyed_phones))`;
          this.db.exec(`UPDATE calls SET to_num = '***' WHERE ${hit('to_num')}`);
          this.db.exec(`UPDATE calls SET from_num = '***' WHERE ${hit('from_num')}`);
          this.db.exec(`UPDATE call_legs SET caller_num = '***' WHERE ${hit('caller_num')}`);
          this.db.exec(`UPDATE call_legs SET connected_num = '***' WHERE ${hit('connected_num')}`);
          // Desk records (registrations, complaint tickets) lose their personal data; their counts stay.
          destroyDeskRecords(this.db, campaignId, now.toISOString());
          // SMS of the campaign and replies of its numbers lose their numbers and texts.
          destroySmsRecords(this.db, campaignId, now.toISOString());
          this.db.exec('DELETE FROM temp.destroyed_phones');
          this.db.prepare(`UPDATE campaigns SET status = 'destroyed', destroyed_at = ?, destroyed_by = ? WHERE id = ?`).run(now.toISOString(), actor.username, campaignId);
          this.db.prepare('INSERT INTO campaign_destructions (campaign_id, at, by_username, leads, counts_json) VALUES (?, ?, ?, ?, ?)').run(campaignId, now.toISOString(), actor.username, total, JSON.stringify(counts));
        })
        .immediate();
      compacted = this.compact();
    } finally {
      this.db.pragma('secure_delete = OFF');
    }
    const kept = this.keptPhones();
    const remaining = this.scanFile(phones.filter((p) => !kept.has(p)));
    const verified = remaining === 0 && compacted;
    this.db.prepare('UPDATE campaign_destructions SET verified = ? WHERE campaign_id = ?').run(verified ? 1 : 0, campaignId);
    // The verified flag itself is a write: fold it into the file too.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { campaignId, leads: total, counts, remaining, verified };
  }

  /** Numbers that legitimately stay: on the DNC list, or leads of other campaigns. */
  private keptPhones(): Set<string> {
    const s = new Set<string>();
    for (const r of this.db.prepare('SELECT phone FROM dnc_numbers UNION SELECT phone FROM leads WHERE phone IS NOT NULL').all() as Array<{ phone: string }>) s.add(r.phone);
    return s;
  }

  /**
   * Checkpoint + truncate the WAL, VACUUM (no free pages left with old cells), again. Another
   * connection reading at that moment keeps the WAL busy (after busy_timeout): not compacted,
   * and the byte scan afterwards reports the truth either way.
   */
  private compact(): boolean {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.exec('VACUUM');
    } catch {
      // SQLITE_BUSY: the data is deleted; the file scrub is reported as not verified.
      return false;
    }
    // The busy handler (busy_timeout) already waits for readers to finish.
    const r = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return !r[0]?.busy;
  }

  /** How many of the given numbers still occur as bytes in the database file or its WAL. */
  scanFile(phones: string[]): number {
    if (!phones.length) return 0;
    const wanted = new Set(phones);
    const found = new Set<string>();
    for (const suffix of ['', '-wal']) {
      let buf: Buffer;
      try {
        if (!statSync(this.db.name + suffix).size) continue;
        buf = readFileSync(this.db.name + suffix);
      } catch {
        continue;
      }
      // Collect runs of ASCII digits; a stored number is such a run (or inside one).
      let start = -1;
      for (let i = 0; i <= buf.length; i++) {
        const b = i < buf.length ? buf[i]! : 0;
        if (b >= 0x30 && b <= 0x39) {
          if (start < 0) start = i;
        } else if (start >= 0) {
          const run = buf.toString('latin1', start, i);
          if (run.length >= 5) {
            if (wanted.has(run)) found.add(run);
            else if (run.length <= 64) {
              // A number inside a longer digit run (prefix, glued columns): look at every substring of number length.
              for (let a = 0; a < run.length; a++) for (let len = 5; len <= 20 && a + len <= run.length; len++) {
                const sub = run.slice(a, a + len);
                if (wanted.has(sub)) found.add(sub);
              }
            }
          }
          start = -1;
        }
      }
    }
    return found.size;
  }

  destruction(campaignId: number): { at: string; byUsername: string | null; leads: number; counts: DestructionCounts; verified: boolean } | null {
    const r = this.db.prepare('SELECT * FROM campaign_destructions WHERE campaign_id = ?').get(campaignId) as { at: string; by_username: string | null; leads: number; counts_json: string; verified: number } | undefined;
    return r ? { at: r.at, byUsername: r.by_username, leads: r.leads, counts: JSON.parse(r.counts_json) as DestructionCounts, verified: r.verified === 1 } : null;
  }
}
