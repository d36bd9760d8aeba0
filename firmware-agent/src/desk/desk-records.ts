// The desk records module (issue 8, docs/desk-records.md): identity checks, threat calls,
// complaint tickets and registrations. Dependencies through the constructor; start() keeps
// threat calls' recordings as evidence when they appear after the button was pressed.
import type { AuditLog } from '../audit/audit-log.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveAudience, LiveFeed } from '../http/live.js';
import type { LiveMessage } from '../http/schemas.js';
import type { Logger } from '../logging.js';
import { RecordingStore } from '../recording/recording-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { IdentityChecks } from './identity.js';
import { Registrations } from './registrations.js';
import { Threats, type AgentWhereabouts } from './threats.js';
import { Tickets } from './tickets.js';

export interface DeskRecordsDeps {
  db: Db;
  audit: AuditLog;
  live: LiveFeed;
  logger: Logger;
  campaigns: CampaignsModule;
  /** The recordings table (the recording module's store); a store on the same db when absent. */
  recordings?: RecordingStore;
  /** The agents module (engine.ofAgent: the agent's seat and call now). */
  agents?: { engine: { ofAgent(agentId: number): { seat: string; linkedid: string | null } | undefined } };
  settings?: SettingsStore;
  now?: () => Date;
}

export class DeskRecords implements Module {
  readonly name = 'desk-records';
  readonly identity: IdentityChecks;
  readonly threats: Threats;
  readonly tickets: Tickets;
  readonly registrations: Registrations;
  readonly db: Db;
  /**
   * Called after an identity check changed what an agent's screen pop may show (wire to the
   * desk core's refreshAgent so the sensitive fields appear without a reload).
   */
  onIdentityChanged: ((agentId: number) => void) | null = null;
  private readonly onLive = (msg: LiveMessage, _a?: LiveAudience): void => {
    if (msg.type === 'recording.started' || msg.type === 'recording.finished') {
      try {
        this.threats.onRecording(msg.data.linkedid);
      } catch (err) {
        this.d.logger.error({ err, linkedid: msg.data.linkedid }, 'could not keep a threat recording as evidence');
      }
    }
  };

  constructor(private readonly d: DeskRecordsDeps) {
    this.db = d.db;
    const now = d.now ?? (() => d.campaigns.now());
    const where: AgentWhereabouts = {
      seatOf: (agentId) => {
        const a = d.agents?.engine.ofAgent(agentId);
        if (a) return { seat: a.seat, linkedid: a.linkedid };
        // Without the agents module: the agent's open session (seat) from the database.
        const s = d.db.prepare<[number], { seat: string }>('SELECT seat FROM agent_sessions WHERE agent_id = ? AND logout_at IS NULL ORDER BY login_at DESC LIMIT 1').get(agentId);
        return s ? { seat: s.seat, linkedid: null } : null;
      },
    };
    this.identity = new IdentityChecks(d.db, d.campaigns.campaigns, d.audit, now);
    this.threats = new Threats({ db: d.db, audit: d.audit, live: d.live, logger: d.logger, recordings: d.recordings ?? new RecordingStore(d.db), where, now });
    this.tickets = new Tickets({ db: d.db, audit: d.audit, live: d.live, settings: d.settings ?? null, now, callerNumber: (l) => this.threats.callerNumber(l) });
    this.registrations = new Registrations({ db: d.db, audit: d.audit, campaigns: d.campaigns.campaigns, now });
  }

  async start(): Promise<void> {
    this.d.live.on('message', this.onLive);
    const n = this.threats.sweep();
    if (n) this.d.logger.info({ recordings: n }, 'threat-call recordings kept as evidence');
  }

  async stop(): Promise<void> {
    this.d.live.off('message', this.onLive);
  }
}
