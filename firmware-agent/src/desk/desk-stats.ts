// Personal statistics of the day (issue 8) for one agent: calls, contacts, sales, talk / pause /
// wrap-up / logged-in seconds of the local day, and the campaign's targets. Computed from the
// rows (agent_state_history, agent_sessions, lead_attempts), so they always agree with reports.
import type { Db } from '../db/database.js';
import { localDay, zonedInstant } from '../campaigns/calling-hours.js';
import type { DeskStats } from './contract.js';

export const DEFAULT_STATS_TZ = 'Asia/Shanghai';

/** Campaign targets of the day (campaign settings `targets`; null = none set). */
export interface DayTargets {
  callsPerDay?: number | null;
  contactsPerDay?: number | null;
  salesPerDay?: number | null;
  talkMinutesPerDay?: number | null;
}

interface DispositionFlags {
  code: string;
  contact?: boolean;
  sale?: boolean;
}

/** Seconds of [a, b) that lie inside [from, to). */
function overlap(a: number, b: number, from: number, to: number): number {
  return Math.max(0, Math.min(b, to) - Math.max(a, from)) / 1000;
}

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/**
 * The agent's figures for the local day containing `now` in time zone `tz`.
 * - calls: distinct calls the agent talked on (a talking interval that began that day);
 * - contacts / sales: dispositions the agent recorded that day whose campaign flags them contact / sale;
 * - talk / pause / wrap / login: seconds inside the day (open intervals count up to now).
 */
export function dayStats(db: Db, agentId: number, now: Date, opts: { tz?: string; targets?: DayTargets | null } = {}): DeskStats {
  const tz = opts.tz ?? DEFAULT_STATS_TZ;
  const day = localDay(now, tz);
  const from = zonedInstant(day, '00:00', tz).getTime();
  const to = from + 86_400_000;
  const nowMs = now.getTime();
  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  const intervals = db
    .prepare('SELECT state, linkedid, start_at, end_at FROM agent_state_history WHERE agent_id = ? AND start_at < ? AND (end_at IS NULL OR end_at > ?)')
    .all(agentId, toIso, fromIso) as Array<{ state: string; linkedid: string | null; start_at: string; end_at: string | null }>;
  let talk = 0;
  let pause = 0;
  let wrap = 0;
  const talked = new Set<string>();
  for (const r of intervals) {
    const a = Date.parse(r.start_at);
    const b = r.end_at ? Date.parse(r.end_at) : Math.max(a, nowMs);
    const s = overlap(a, b, from, to);
    if (r.state === 'talking') {
      talk += s;
      if (a >= from && r.linkedid) talked.add(r.linkedid);
    } else if (r.state === 'paused') pause += s;
    else if (r.state === 'wrap_up') wrap += s;
  }
  const sessions = db
    .prepare('SELECT login_at, logout_at FROM agent_sessions WHERE agent_id = ? AND login_at < ? AND (logout_at IS NULL OR logout_at > ?)')
    .all(agentId, toIso, fromIso) as Array<{ login_at: string; logout_at: string | null }>;
  let login = 0;
  for (const s of sessions) {
    const a = Date.parse(s.login_at);
    login += overlap(a, s.logout_at ? Date.parse(s.logout_at) : Math.max(a, nowMs), from, to);
  }
  // Dispositions: flags come from each campaign's own disposition list.
  const attempts = db
    .prepare('SELECT campaign_id, disposition FROM lead_attempts WHERE agent_id = ? AND at >= ? AND at < ? AND disposition IS NOT NULL')
    .all(agentId, fromIso, toIso) as Array<{ campaign_id: number; disposition: string }>;
  const flags = new Map<number, Map<string, DispositionFlags>>();
  const flagsOf = (campaignId: number): Map<string, DispositionFlags> => {
    let m = flags.get(campaignId);
    if (!m) {
      m = new Map();
      const row = db.prepare('SELECT settings_json FROM campaigns WHERE id = ?').get(campaignId) as { settings_json: string } | undefined;
      try {
        const s = row ? (JSON.parse(row.settings_json) as { dispositions?: DispositionFlags[] }) : {};
        for (const d of s.dispositions ?? []) m.set(d.code, d);
      } catch {
        // unreadable settings: no flags
      }
      flags.set(campaignId, m);
    }
    return m;
  };
  let contacts = 0;
  let sales = 0;
  for (const a of attempts) {
    const f = flagsOf(a.campaign_id).get(a.disposition);
    if (f?.contact) contacts++;
    if (f?.sale) sales++;
  }
  const t = opts.targets ?? null;
  return {
    day,
    calls: talked.size,
    contacts,
    sales,
    talkSeconds: Math.round(talk),
    pauseSeconds: Math.round(pause),
    wrapSeconds: Math.round(wrap),
    loginSeconds: Math.round(login),
    targets: { calls: n(t?.callsPerDay), contacts: n(t?.contactsPerDay), sales: n(t?.salesPerDay), talkMinutes: n(t?.talkMinutesPerDay) },
  };
}
