// Polls the telephony cards through a HardwareProbe, keeps the current inventory, and turns
// changes into events: a span alarm that appears, changes or clears is written to
// hardware_events and pushed as 'span.updated' + 'alarm'; cards appearing or vanishing too.
// The last known alarms are kept in settings, so a restart does not log them again.
import { EventEmitter } from 'node:events';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import { ALARM_INFO, alarmSummary, detectTelephonyHardware, type InventorySpan, type TelephonyInventory } from '../hardware/index.js';
import type { LiveFeed } from '../http/live.js';
import type { SpanLive } from '../http/schemas.js';
import type { Logger } from '../logging.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { HardwareProbe, ProbeOutput } from './probe.js';

export interface HardwareEvent {
  id: number;
  at: string;
  kind: 'alarm_raised' | 'alarm_changed' | 'alarm_cleared' | 'card_added' | 'card_removed';
  span: number | null;
  card: string | null;
  alarms: string[];
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

export interface HardwareMonitorOptions {
  probe: HardwareProbe;
  db: Db;
  settings: SettingsStore;
  live: LiveFeed;
  logger: Logger;
  /** ms between polls (default 10 s). */
  pollMs?: number;
  /** DAHDI channels in a call now (from the call model). */
  channelsInUse?: () => ReadonlySet<number>;
}

const SPAN_STATE_KEY = 'hardware.spanAlarms';
const CARDS_KEY = 'hardware.cards';

type Severity = HardwareEvent['severity'];

function spanSeverity(s: InventorySpan): Severity {
  return s.alarms.severity === 'ok' ? 'info' : s.alarms.severity;
}

export function spanTitle(s: InventorySpan): string {
  return `span ${s.span}${s.name ? ` (${s.name})` : ''}`;
}

export class HardwareMonitor extends EventEmitter implements Module {
  readonly name = 'hardware';
  private inv: TelephonyInventory = { cards: [], spans: [], unassignedSpans: [], warnings: [] };
  private output: ProbeOutput | null = null;
  private probedAtMs: number | null = null;
  private timer?: NodeJS.Timeout;
  private polling: Promise<void> | null = null;
  private again: Promise<void> | null = null;
  private lastInUse = new Map<number, number>();

  constructor(private readonly opts: HardwareMonitorOptions) {
    super();
  }

  get inventory(): TelephonyInventory {
    return this.inv;
  }

  get probe(): HardwareProbe {
    return this.opts.probe;
  }

  get probeErrors(): string[] {
    return this.output?.errors ?? [];
  }

  get probedAt(): string | null {
    return this.probedAtMs === null ? null : new Date(this.probedAtMs).toISOString();
  }

  async start(): Promise<void> {
    await this.pollNow();
    this.timer = setInterval(() => void this.pollNow().catch((err: unknown) => this.opts.logger.error({ err }, 'hardware poll failed')), this.opts.pollMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling?.catch(() => undefined);
  }

  /** Reads the probe now; asked during a poll, it polls once more after it (the files may have changed since it read them). */
  pollNow(): Promise<void> {
    if (this.polling) {
      this.again ??= this.polling.catch(() => undefined).then(() => {
        this.again = null;
        return this.pollNow();
      });
      return this.again;
    }
    this.polling = this.poll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async poll(): Promise<void> {
    const out = await this.opts.probe.read();
    const inv = detectTelephonyHardware(out);
    this.output = out;
    this.inv = inv;
    this.probedAtMs = Date.now();
    if (!this.opts.db.open) return;
    this.diffCards(inv);
    this.diffSpans(inv);
    this.emit('inventory', inv);
  }

  spanLive(s: InventorySpan): SpanLive {
    const inUse = this.opts.channelsInUse?.() ?? new Set<number>();
    let busy = 0;
    if (s.firstChannel !== undefined && s.channelCount !== undefined) {
      for (let c = s.firstChannel; c < s.firstChannel + s.channelCount; c++) if (inUse.has(c)) busy++;
    }
    return {
      span: s.span,
      name: s.name ?? `span ${s.span}`,
      description: s.description ?? '',
      alarms: s.alarms.ok ? ['OK'] : [...s.alarms.alarms, ...s.alarms.unrecognized],
      channelsInUse: busy,
      channels: s.timeslots ? s.timeslots.bchannels.length : (s.channelCount ?? 0),
    };
  }

  spansLive(): SpanLive[] {
    return this.inv.spans.map((s) => this.spanLive(s));
  }

  /** Call changes: publish spans whose busy channel count moved. */
  refreshChannels(): void {
    for (const s of this.inv.spans) {
      const live = this.spanLive(s);
      if (this.lastInUse.get(s.span) !== live.channelsInUse) {
        this.lastInUse.set(s.span, live.channelsInUse);
        this.opts.live.publish({ type: 'span.updated', data: live });
      }
    }
  }

  events(limit = 100): HardwareEvent[] {
    return this.opts.db
      .prepare<[number], Omit<HardwareEvent, 'alarms'> & { alarms: string | null }>('SELECT * FROM hardware_events ORDER BY id DESC LIMIT ?')
      .all(limit)
      .map((r) => ({ ...r, alarms: r.alarms ? (JSON.parse(r.alarms) as string[]) : [] }));
  }

  private record(e: Omit<HardwareEvent, 'id' | 'at'>): void {
    this.opts.db
      .prepare('INSERT INTO hardware_events (kind, span, card, alarms, severity, message) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.kind, e.span, e.card, JSON.stringify(e.alarms), e.severity, e.message);
    this.opts.live.publish({ type: 'alarm', data: { source: e.span !== null ? `span:${e.span}` : `card:${e.card}`, severity: e.severity, message: e.message, at: new Date().toISOString() } });
    const log = e.severity === 'critical' ? 'error' : e.severity === 'warning' ? 'warn' : 'info';
    this.opts.logger[log]({ kind: e.kind, span: e.span, card: e.card }, e.message);
  }

  private diffSpans(inv: TelephonyInventory): void {
    const before = this.opts.settings.get<Record<string, string[]>>(SPAN_STATE_KEY) ?? {};
    const after: Record<string, string[]> = {};
    for (const s of inv.spans) {
      const now = s.alarms.ok ? [] : [...s.alarms.alarms, ...s.alarms.unrecognized];
      after[String(s.span)] = now;
      const prev = before[String(s.span)];
      const same = prev !== undefined && prev.join('/') === now.join('/');
      if (!same) {
        const title = spanTitle(s);
        const meaning = s.alarms.alarms.map((a) => ALARM_INFO[a].meaning).join('; ');
        if (now.length > 0 && (prev === undefined || prev.length === 0)) {
          this.record({ kind: 'alarm_raised', span: s.span, card: s.card ?? null, alarms: now, severity: spanSeverity(s), message: `${title}: ${alarmSummary(s.alarms)}${meaning ? ` — ${meaning}` : ''}` });
        } else if (now.length > 0) {
          this.record({ kind: 'alarm_changed', span: s.span, card: s.card ?? null, alarms: now, severity: spanSeverity(s), message: `${title}: ${prev!.join(', ')} → ${alarmSummary(s.alarms)}${meaning ? ` — ${meaning}` : ''}` });
        } else if (prev !== undefined) {
          this.record({ kind: 'alarm_cleared', span: s.span, card: s.card ?? null, alarms: [], severity: 'info', message: `${title}: alarm cleared (${prev.join(', ')} → OK)` });
        }
      }
      if (!same || this.lastInUse.get(s.span) === undefined) {
        const live = this.spanLive(s);
        this.lastInUse.set(s.span, live.channelsInUse);
        this.opts.live.publish({ type: 'span.updated', data: live });
      }
    }
    this.opts.settings.set(SPAN_STATE_KEY, after);
  }

  private diffCards(inv: TelephonyInventory): void {
    const before = this.opts.settings.get<Record<string, string>>(CARDS_KEY);
    const after: Record<string, string> = {};
    for (const c of inv.cards) after[c.id] = c.model ? `${c.model.vendor} ${c.model.model}` : c.description;
    if (before !== undefined) {
      for (const [id, what] of Object.entries(after)) {
        if (!(id in before)) this.record({ kind: 'card_added', span: null, card: id, alarms: [], severity: 'info', message: `card ${what} detected at ${id}` });
      }
      for (const [id, what] of Object.entries(before)) {
        if (!(id in after)) this.record({ kind: 'card_removed', span: null, card: id, alarms: [], severity: 'critical', message: `card ${what} at ${id} is no longer detected` });
      }
    }
    this.opts.settings.set(CARDS_KEY, after);
  }
}
