// Campaigns module: campaigns, do-not-call list, chain of custody and the lead queue (which
// is the dialer's LeadSource). Publishes callback reminders on the live feed; seeds a demo
// campaign in demo mode. See docs/leads.md.
import type { Clock } from '../agents/clock.js';
import { systemClock } from '../agents/clock.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import { DncStore } from '../dnc/dnc-store.js';
import type { LiveFeed } from '../http/live.js';
import { Custody } from '../leads/custody.js';
import { LeadQueue } from '../leads/lead-queue.js';
import type { Logger } from '../logging.js';
import { CampaignStore } from './campaign-store.js';
import { seedDemoCampaign } from './demo-seed.js';

export interface CampaignsModuleDeps {
  db: Db;
  audit: AuditLog;
  live: LiveFeed;
  logger: Logger;
  clock?: Clock;
  /** Seed the demo campaign (demo mode). */
  demo?: boolean;
  /** ms between callback-reminder checks (default 15 s). */
  reminderMs?: number;
}

export class CampaignsModule implements Module {
  readonly name = 'campaigns';
  readonly campaigns: CampaignStore;
  readonly dnc: DncStore;
  readonly queue: LeadQueue;
  readonly custody: Custody;
  readonly clock: Clock;
  readonly db: Db;
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: CampaignsModuleDeps) {
    this.clock = deps.clock ?? systemClock;
    this.db = deps.db;
    this.campaigns = new CampaignStore(deps.db);
    this.dnc = new DncStore(deps.db);
    this.queue = new LeadQueue(deps.db, this.campaigns, this.dnc, (leadId, campaignId, until) =>
      // The lead id, not the number: the audit log must not keep personal data past destruction.
      deps.audit.write({ action: 'dnc.refusal', target: `lead:${leadId}`, detail: { campaignId, until } }),
    );
    this.custody = new Custody(deps.db, this.campaigns);
  }

  now(): Date {
    return new Date(this.clock.now());
  }

  async start(): Promise<void> {
    // Leads the dialer had reserved when the agent stopped: the calls are gone with it.
    const freed = this.db.prepare(`UPDATE leads SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = 'dialer'`).run().changes;
    if (freed) this.deps.logger.info({ freed }, 'released leads reserved by the dialer before the restart');
    if (this.deps.demo) {
      try {
        const r = seedDemoCampaign(this.deps.db, this, this.now());
        if (r) this.deps.logger.info(r, 'demo campaign seeded');
      } catch (err) {
        this.deps.logger.error({ err }, 'demo campaign seed failed');
      }
    }
    this.timer = setInterval(() => this.remind(), this.deps.reminderMs ?? 15_000);
    this.timer.unref();
  }

  /** Publishes a frame for every callback whose time came (once each). */
  remind(): number {
    if (!this.deps.db.open) return 0;
    const due = this.queue.takeDueCallbacks(this.now());
    for (const l of due) {
      const c = this.campaigns.get(l.campaign_id);
      this.deps.live.publish({
        type: 'lead.callback_due',
        data: { leadId: l.id, campaignId: l.campaign_id, campaignName: c?.name ?? '', agentId: l.agent_id, team: l.team, scope: l.callback_scope ?? 'personal', at: l.callback_at ?? '' },
      });
    }
    return due.length;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
