// Demo mode: a predictive campaign that runs on its own with simulated agents, so the Dialer
// page shows live numbers. The simulated agents take the dialer's calls on demo seats 99xx
// (seatbox-dialer-seat answers them in the demo dialplan), talk until the simulated PSTN hangs
// up, wrap up a few seconds and are ready again; now and then one takes a short break.
import { createHash } from 'node:crypto';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { DEMO_TEAM } from '../campaigns/demo-seed.js';
import { DEMO_SCRIPT, demoIdentityFields } from '../desk/demo-data.js';
import type { Db } from '../db/database.js';
import type { DialerAgent } from './dialer-module.js';

export const DEMO_DIALER_CAMPAIGN = '预测外呼演示 Predictive demo';

export class SimulatedAgents {
  private readonly agents: DialerAgent[];
  private readonly wrapUntil = new Map<string, number>();
  private readonly pauseUntil = new Map<string, number>();

  constructor(
    count: number,
    private readonly now: () => number,
    private readonly wrapSeconds = 4,
  ) {
    const t = now();
    this.agents = Array.from({ length: count }, (_, i) => ({ agentId: 990_001 + i, seat: String(9901 + i), state: 'ready' as const, since: t, simulated: true }));
  }

  list(): DialerAgent[] {
    const t = this.now();
    for (const a of this.agents) {
      if (a.state === 'wrap_up' && (this.wrapUntil.get(a.seat) ?? 0) <= t) this.set(a, 'ready', t);
      if (a.state === 'paused' && (this.pauseUntil.get(a.seat) ?? 0) <= t) this.set(a, 'ready', t);
    }
    return this.agents.map((a) => ({ ...a }));
  }

  private set(a: DialerAgent, state: DialerAgent['state'], t: number): void {
    a.state = state;
    a.since = t;
  }

  connected(seat: string): void {
    const a = this.agents.find((x) => x.seat === seat);
    if (a) this.set(a, 'talking', this.now());
  }

  ended(seat: string): void {
    const a = this.agents.find((x) => x.seat === seat);
    if (!a || a.state !== 'talking') return;
    const t = this.now();
    // One call in twelve ends in a short break, so the page shows paused agents too.
    if (Math.random() < 1 / 12) {
      this.set(a, 'paused', t);
      this.pauseUntil.set(seat, t + 20_000);
    } else {
      this.set(a, 'wrap_up', t);
      this.wrapUntil.set(seat, t + this.wrapSeconds * 1000);
    }
  }
}

/** The demo's predictive campaign: generated leads handed to the demo team, open all day. */
export function seedDemoDialerCampaign(db: Db, mod: CampaignsModule, now: Date, leads = 3000): number | null {
  const existing = db.prepare('SELECT id FROM campaigns WHERE name = ?').get(DEMO_DIALER_CAMPAIGN) as { id: number } | undefined;
  if (existing) return existing.id;
  const actor = { userId: null, username: 'demo' };
  db.prepare('INSERT OR IGNORE INTO teams (name) VALUES (?)').run(DEMO_TEAM);
  const allDay = [{ from: '00:00', to: '24:00' }];
  const c = mod.campaigns.create({
    name: DEMO_DIALER_CAMPAIGN,
    dialMode: 'predictive',
    settings: { hours: { timezone: 'Asia/Shanghai', weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] }, channelLimit: 40, script: DEMO_SCRIPT },
    createdBy: 'demo',
  });
  let listId = 0;
  db.transaction(() => {
    listId = Number(
      db
        .prepare('INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(c.id, 'demo', 'demo-dialer-leads.csv', createHash('sha256').update('demo-dialer').digest('hex'), 'utf-8', 'demo', leads, leads).lastInsertRowid,
    );
    const ins = db.prepare('INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // Company, city, ID number and address: the desk's script and identity check work on them (desk/demo-data.ts).
    for (let i = 0; i < leads; i++) {
      const city = i % 2 ? '上海' : '北京';
      ins.run(c.id, listId, i + 2, `171${String(20000000 + i * 3571).slice(-8)}`, 'mobile', `客户${i + 1}`, JSON.stringify({ company: '华夏宽带', city, ...demoIdentityFields(i + 1000, city) }));
    }
  })();
  mod.custody.receive(listId, actor, now);
  mod.custody.drawSample(listId, 20, actor, now);
  mod.custody.recordSampleResult(listId, { ok: true, bad: 0, note: 'demo' }, actor, now);
  mod.custody.handToTeam(c.id, { team: DEMO_TEAM }, actor, now);
  mod.campaigns.setStatus(c.id, 'active', now);
  return c.id;
}
