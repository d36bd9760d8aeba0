import { EventEmitter } from 'node:events';
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { Module } from '../core/module.js';
import type { Logger } from '../logging.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { CallModel } from './call-model.js';
import type { CallStore } from './call-store.js';

export interface PbxInfo {
  version: string | null;
  /** When Asterisk itself started (CoreStatus), to tell a PBX restart from a dropped AMI link. */
  startedAt: Date | null;
}

/**
 * Feeds AMI events into the call model and, after every (re)connect, re-reads the live
 * state from Asterisk so nothing stale or phantom survives a reconnect or a PBX restart.
 */
export class Telephony extends EventEmitter implements Module {
  readonly name = 'telephony';
  private resyncing = false;
  private buffered: AmiMessage[] = [];
  info: PbxInfo = { version: null, startedAt: null };
  private readonly onEvent = (msg: AmiMessage): void => {
    // While a resync reads the channel list, hold events back and replay them after it,
    // so a hangup that races the snapshot cannot leave a phantom channel behind.
    if (this.resyncing) this.buffered.push(msg);
    else this.model.handleEvent(msg);
  };
  private readonly onConnect = (): void => {
    this.resync().catch((err: unknown) => this.log.error({ err }, 'resync after connect failed'));
  };
  private readonly onDisconnect = (): void => {
    this.emit('status');
  };

  constructor(
    private readonly ami: AmiClient,
    private readonly model: CallModel,
    private readonly store: CallStore,
    private readonly settings: SettingsStore,
    private readonly log: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.ami.on('event', this.onEvent);
    this.ami.on('connect', this.onConnect);
    this.ami.on('disconnect', this.onDisconnect);
    if (this.ami.connected) await this.resync();
  }

  async stop(): Promise<void> {
    this.ami.off('event', this.onEvent as never);
    this.ami.off('connect', this.onConnect as never);
    this.ami.off('disconnect', this.onDisconnect as never);
    this.store.flush();
  }

  async resync(): Promise<{ closed: number; adopted: number }> {
    this.resyncing = true;
    try {
      const settingsMsg = await this.ami.action('CoreSettings');
      const status = await this.ami.action('CoreStatus');
      const started = parseStartup(status.get('CoreStartupDate'), status.get('CoreStartupTime'));
      const known = this.settings.get<string>('pbx.startedAt');
      const pbxRestarted = known !== undefined && started !== null && known !== started.toISOString();
      if (started) this.settings.set('pbx.startedAt', started.toISOString());
      this.info = { version: upstreamVersion(settingsMsg.get('AsteriskVersion')), startedAt: started };
      const list = await this.ami.listAction('CoreShowChannels');
      this.store.flush();
      const result = this.model.resync(list.events.filter((e) => e.event === 'CoreShowChannel'), {
        pbxRestarted,
        previouslyOpen: this.store.openLegs(),
        openCalls: this.store.openCalls(),
      });
      this.store.flush();
      this.emit('resynced', result);
      return result;
    } finally {
      this.resyncing = false;
      const pending = this.buffered;
      this.buffered = [];
      for (const m of pending) this.model.handleEvent(m);
      this.emit('status');
    }
  }
}

/** "22.10.1+dfsg+~cs6.17.60671434-1" (Debian's build string) → "22.10.1". */
export function upstreamVersion(v: string | undefined): string | null {
  if (!v) return null;
  return /^\d+\.\d+(\.\d+)?/.exec(v)?.[0] ?? v;
}

/** CoreStatus gives local date "2026-11-23" and time "10:31:05" of Asterisk's start. */
function parseStartup(date: string | undefined, time: string | undefined): Date | null {
  if (!date || !time) return null;
  const d = new Date(`${date}T${time}`);
  return Number.isNaN(d.getTime()) ? null : d;
}
