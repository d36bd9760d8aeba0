// Seats, trunks, routes and telephony cards as one module for the orchestrator: the hardware
// monitor (probed before the first config is written: FXS seats need the card), PJSIP
// status, seat presence, trunk status and the change runner every API change goes through.
import type { EventEmitter } from 'node:events';
import type { AmiClient } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import { HardwareMonitor } from '../hardware-inventory/monitor.js';
import { selectProbe, type HardwareProbe } from '../hardware-inventory/probe.js';
import type { LiveFeed } from '../http/live.js';
import type { LiveCall } from '../http/schemas.js';
import type { Logger } from '../logging.js';
import type { PbxModel } from '../pbx-config/model.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { SeatRegistry } from '../seats/seat-registry.js';
import { PjsipStatus } from '../trunks/pjsip-status.js';
import { TrunkStatus, channelUsage } from '../trunks/trunk-status.js';
import { buildPbxModel } from './build.js';
import { ConfigChangeRunner, type Actor } from './change-runner.js';

export interface SeatsTrunksOptions {
  db: Db;
  settings: SettingsStore;
  audit: AuditLog;
  live: LiveFeed;
  logger: Logger;
  /** Created after this module (it needs the model's AMI port): read when started. */
  ami: () => AmiClient;
  calls: () => LiveCall[];
  /** The call model: 'call.updated' / 'call.ended' move trunk and span channel counts. */
  callEvents: () => EventEmitter;
  /** The model without stored seats/trunks (settings, paths, queues…) with a fresh revision. */
  baseModel: () => PbxModel;
  apply: (model: PbxModel, actor: Actor) => Promise<{ ok: boolean; error?: string }>;
  /** SIP bind/port for the phones' provisioning. */
  sip: () => { bind: string; port: number };
  /** Host root for the hardware probe (see hardware-inventory/probe.ts); or a probe (tests). */
  hostRoot?: string;
  probe?: HardwareProbe;
  hardwarePollMs?: number;
  statusPollMs?: number;
}

export class SeatsTrunksModule implements Module {
  readonly name = 'seats-trunks';
  readonly hardware: HardwareMonitor;
  readonly changes: ConfigChangeRunner;
  pjsip!: PjsipStatus;
  seats!: SeatRegistry;
  trunkStatus!: TrunkStatus;
  private readonly onCalls = (): void => {
    this.trunkStatus?.publishChanges();
    this.hardware.refreshChannels();
  };

  constructor(readonly opts: SeatsTrunksOptions) {
    const log = opts.logger;
    this.hardware = new HardwareMonitor({
      probe: opts.probe ?? selectProbe(opts.hostRoot),
      db: opts.db,
      settings: opts.settings,
      live: opts.live,
      logger: log.child({ module: 'hardware' }),
      ...(opts.hardwarePollMs ? { pollMs: opts.hardwarePollMs } : {}),
      channelsInUse: () => {
        const u = channelUsage(opts.calls());
        return new Set(u.dahdiChannels.keys());
      },
    });
    this.changes = new ConfigChangeRunner({
      db: opts.db,
      baseModel: opts.baseModel,
      inventory: () => this.hardware.inventory,
      apply: opts.apply,
      audit: opts.audit,
      logger: log.child({ module: 'config-changes' }),
      onApplied: () => this.afterChange(),
    });
  }

  /** The model from the stored data and the detected cards (what main.ts renders). */
  buildModel(base: PbxModel): PbxModel {
    return buildPbxModel(this.opts.db, base, { inventory: this.hardware.inventory });
  }

  /** Before the first config is written: know the cards. */
  async probeHardware(): Promise<void> {
    await this.hardware.pollNow().catch((err: unknown) => this.opts.logger.error({ err }, 'hardware probe failed'));
  }

  async start(): Promise<void> {
    this.pjsip = new PjsipStatus({ ami: this.opts.ami(), logger: this.opts.logger.child({ module: 'pjsip-status' }), ...(this.opts.statusPollMs ? { pollMs: this.opts.statusPollMs } : {}) });
    this.seats = new SeatRegistry(this.opts.db, this.pjsip, this.hardware);
    this.trunkStatus = new TrunkStatus({ db: this.opts.db, pjsip: this.pjsip, hardware: this.hardware, live: this.opts.live, calls: this.opts.calls });
    await this.hardware.start();
    await this.pjsip.start();
    this.opts.callEvents().on('call.updated', this.onCalls);
    this.opts.callEvents().on('call.ended', this.onCalls);
  }

  async stop(): Promise<void> {
    this.opts.callEvents().off('call.updated', this.onCalls);
    this.opts.callEvents().off('call.ended', this.onCalls);
    await this.pjsip?.stop();
    await this.hardware.stop();
  }

  /**
   * Registers a trunk again now. A changed password or user lives in the auth object;
   * Asterisk keeps an existing registration until it expires (up to an hour) otherwise.
   */
  async reregister(pbxTrunkId: string): Promise<void> {
    try {
      await this.opts.ami().action('PJSIPRegister', { Registration: `${pbxTrunkId}-reg` });
    } catch (err) {
      this.opts.logger.warn({ err, trunk: pbxTrunkId }, 'could not re-register the trunk');
    }
    await this.pjsip?.refresh().catch(() => undefined);
  }

  private afterChange(): void {
    this.seats?.reload();
    this.trunkStatus?.reload();
    // New endpoints/registrations: read their state now rather than at the next poll.
    void this.pjsip?.refresh().catch(() => undefined);
  }
}
