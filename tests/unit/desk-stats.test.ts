// Personal day statistics against hand-worked rows: intervals crossing local midnight
// (Asia/Shanghai = UTC+8) are cut at the day's edges, open intervals count up to now,
// contacts/sales come from each campaign's own disposition flags, targets pass through.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { dayStats } from '../../firmware-agent/src/desk/desk-stats.js';
import { validateSettings } from '../../firmware-agent/src/campaigns/settings.js';
import { cleanupDbs, tempDb } from './agents-support.js';

let db: Db;
let agentId: number;
let other: number;

beforeEach(() => {
  db = tempDb();
  agentId = Number(db.prepare("INSERT INTO agents (number, name) VALUES ('3001', 'A')").run().lastInsertRowid);
  other = Number(db.prepare("INSERT INTO agents (number, name) VALUES ('3002', 'B')").run().lastInsertRowid);
});
afterEach(() => {
  db.close();
  cleanupDbs();
});

function campaign(name: string, dispositions: Array<{ code: string; contact: boolean; sale: boolean }>): number {
  const s = validateSettings({ dispositions: dispositions.map((d) => ({ ...d, labelZh: d.code, labelEn: d.code })) });
  return Number(db.prepare("INSERT INTO campaigns (name, status, dial_mode, settings_json) VALUES (?, 'active', 'preview', ?)").run(name, JSON.stringify(s)).lastInsertRowid);
}

describe('dayStats', () => {
  it('adds up the local day from the rows', () => {
    // Local day 2026-03-02 in Shanghai = 2026-03-01T16:00Z .. 2026-03-02T16:00Z. Now: 10:00 local (02:00Z).
    const now = new Date('2026-03-02T02:00:00.000Z');
    const sess = (a: number, login: string, logout: string | null) =>
      Number(db.prepare("INSERT INTO agent_sessions (agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, 'ui')").run(a, `80${a}`, login, logout).lastInsertRowid);
    // Yesterday 23:00 local → today 00:30 local (30 min count), then a session open since 01:00Z (1 h to now).
    const s1 = sess(agentId, '2026-03-01T15:00:00.000Z', '2026-03-01T16:30:00.000Z');
    const s2 = sess(agentId, '2026-03-02T01:00:00.000Z', null);
    const iv = (a: number, s: number, state: string, from: string, to: string | null, linkedid: string | null = null) =>
      db.prepare("INSERT INTO agent_state_history (agent_id, session_id, seat, state, linkedid, start_at, end_at) VALUES (?, ?, '8001', ?, ?, ?, ?)").run(a, s, state, linkedid, from, to);
    // Talk across midnight: 15:50Z-16:10Z → 10 min today; its call began yesterday (not counted as today's call).
    iv(agentId, s1, 'talking', '2026-03-01T15:50:00.000Z', '2026-03-01T16:10:00.000Z', 'L0');
    iv(agentId, s1, 'paused', '2026-03-01T16:10:00.000Z', '2026-03-01T16:30:00.000Z'); // 20 min
    iv(agentId, s2, 'ready', '2026-03-02T01:00:00.000Z', '2026-03-02T01:10:00.000Z');
    iv(agentId, s2, 'talking', '2026-03-02T01:10:00.000Z', '2026-03-02T01:15:00.000Z', 'L1'); // 5 min
    iv(agentId, s2, 'wrap_up', '2026-03-02T01:15:00.000Z', '2026-03-02T01:16:30.000Z', 'L1'); // 90 s
    iv(agentId, s2, 'talking', '2026-03-02T01:16:30.000Z', '2026-03-02T01:20:00.000Z', 'L2'); // 210 s
    iv(agentId, s2, 'talking', '2026-03-02T01:20:00.000Z', '2026-03-02T01:21:00.000Z', 'L2'); // same call again: 60 s
    iv(agentId, s2, 'paused', '2026-03-02T01:21:00.000Z', null, null); // open: 39 min to now
    // Another agent's rows do not count.
    const so = sess(other, '2026-03-02T01:00:00.000Z', null);
    iv(other, so, 'talking', '2026-03-02T01:00:00.000Z', null, 'X');

    const c1 = campaign('c1', [{ code: 'sale', contact: true, sale: true }, { code: 'maybe', contact: true, sale: false }, { code: 'wrong', contact: false, sale: false }]);
    // In c2 "maybe" is a sale: flags are per campaign.
    const c2 = campaign('c2', [{ code: 'maybe', contact: true, sale: true }]);
    const list = (c: number) => Number(db.prepare("INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, 't', 'x', 'h', 'utf-8', 't', 1, 1)").run(c).lastInsertRowid);
    const lead = (c: number) => Number(db.prepare("INSERT INTO leads (campaign_id, list_id, source_line, phone, fields_json) VALUES (?, ?, 2, '13900000000', '{}')").run(c, list(c)).lastInsertRowid);
    const l1 = lead(c1);
    const l2 = lead(c2);
    const att = (a: number, l: number, c: number, at: string, outcome: string, disposition: string | null) =>
      db.prepare("INSERT INTO lead_attempts (lead_id, campaign_id, agent_id, at, local_day, outcome, disposition, counts, source) VALUES (?, ?, ?, ?, '2026-03-02', ?, ?, 1, 'agent')").run(l, c, a, at, outcome, disposition);
    att(agentId, l1, c1, '2026-03-02T01:16:00.000Z', 'connected', 'sale');
    att(agentId, l1, c1, '2026-03-02T01:17:00.000Z', 'connected', 'wrong');
    att(agentId, l1, c1, '2026-03-02T01:18:00.000Z', 'no_answer', null);
    att(agentId, l2, c2, '2026-03-02T01:19:00.000Z', 'connected', 'maybe');
    att(agentId, l1, c1, '2026-03-01T15:59:00.000Z', 'connected', 'sale'); // yesterday local
    att(other, l1, c1, '2026-03-02T01:19:00.000Z', 'connected', 'sale'); // another agent

    const s = dayStats(db, agentId, now, { targets: { callsPerDay: 80, contactsPerDay: 20, salesPerDay: null, talkMinutesPerDay: 120 } });
    expect(s).toEqual({
      day: '2026-03-02',
      calls: 2, // L1, L2 (L0 began yesterday)
      contacts: 2, // sale (c1), maybe (c2)
      sales: 2, // sale (c1), maybe (c2: a sale there)
      talkSeconds: 600 + 300 + 210 + 60,
      pauseSeconds: 1200 + 39 * 60,
      wrapSeconds: 90,
      loginSeconds: 30 * 60 + 60 * 60,
      targets: { calls: 80, contacts: 20, sales: null, talkMinutes: 120 },
    });
    // No targets set: all null; another time zone moves the day.
    const utc = dayStats(db, agentId, now, { tz: 'UTC' });
    expect(utc.day).toBe('2026-03-02');
    expect(utc.targets).toEqual({ calls: null, contacts: null, sales: null, talkMinutes: null });
    // UTC day starts at 00:00Z: the 15:xx-16:xx rows of yesterday fall out.
    expect(utc.talkSeconds).toBe(300 + 210 + 60);
  });
});
