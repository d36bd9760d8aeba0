// The telephony-card inventory joined with what SeatBox stores about it (span settings,
// port assignments), as the API shows it.
import type { Db } from '../db/database.js';
import { ALARM_INFO, alarmSummary, type SpanAlarms } from '../hardware/index.js';
import type { HardwareMonitor } from './monitor.js';
import { portAssignments } from './ports.js';
import type { HardwareView, HwAlarms } from './schemas.js';
import { toSpanSettings, type StoredSpanConfig } from './span-settings.js';

export function alarmsView(a: SpanAlarms): HwAlarms {
  return { ok: a.ok, severity: a.severity, alarms: [...a.alarms, ...a.unrecognized], text: alarmSummary(a) };
}

export function hardwareView(db: Db, hw: HardwareMonitor, eventLimit = 50): HardwareView {
  const inv = hw.inventory;
  const assigned = new Map(portAssignments(db).map((a) => [a.channel, a]));
  const seatNames = new Map(db.prepare<[], { id: number; extension: string; name: string }>('SELECT id, extension, name FROM seats').all().map((s) => [s.id, s]));
  const trunkNames = new Map(db.prepare<[], { id: number; name: string }>('SELECT id, name FROM trunks').all().map((t) => [t.id, t.name]));
  const spanRows = new Map(db.prepare<[], { span: number; config: string; trunk_id: number | null }>('SELECT span, config, trunk_id FROM dahdi_spans').all().map((r) => [r.span, r]));
  const live = new Map(hw.spansLive().map((s) => [s.span, s]));

  const ports: HardwareView['ports'] = [];
  for (const s of inv.spans) {
    for (const p of s.ports) {
      const a = assigned.get(p.channel);
      const seat = a?.seat_id != null ? seatNames.get(a.seat_id) : undefined;
      const trunkName = a?.trunk_id != null ? trunkNames.get(a.trunk_id) : undefined;
      ports.push({
        channel: p.channel,
        span: s.span,
        port: p.port,
        kind: p.kind,
        alarms: alarmsView(p.alarms),
        inUse: p.inUse,
        signallingMismatch: p.signallingMismatch,
        seat: seat ? { id: seat.id, extension: seat.extension, name: seat.name } : null,
        trunk: a?.trunk_id != null && trunkName !== undefined ? { id: a.trunk_id, name: trunkName } : null,
      });
    }
  }

  const detectedSpans = new Set(inv.spans.map((s) => s.span));
  const missing: string[] = [];
  for (const a of assigned.values()) {
    if (!detectedSpans.has(a.span)) missing.push(a.kind === 'FXS' ? `seat ${a.extension}: span ${a.span} channel ${a.channel}` : `trunk "${a.trunk_name}": span ${a.span} channel ${a.channel}`);
  }
  for (const r of spanRows.values()) if (!detectedSpans.has(r.span)) missing.push(`span ${r.span} settings`);

  return {
    source: hw.probe.kind,
    probe: hw.probe.describe,
    probedAt: hw.probedAt,
    probeErrors: hw.probeErrors,
    cards: inv.cards.map((c) => ({
      id: c.id,
      vendor: c.model?.vendor ?? null,
      model: c.model?.model ?? null,
      description: c.description,
      driver: c.driver,
      driverLoaded: c.driverLoaded,
      kind: c.kind,
      spans: c.spans,
    })),
    spans: inv.spans.map((s) => {
      const row = spanRows.get(s.span);
      return {
        span: s.span,
        card: s.card ?? null,
        name: s.name ?? `span ${s.span}`,
        description: s.description ?? '',
        kind: s.kind,
        firstChannel: s.firstChannel ?? null,
        channelCount: s.channelCount ?? null,
        alarms: alarmsView(s.alarms),
        alarmMeaning: s.alarms.alarms.map((a) => ALARM_INFO[a].meaning),
        clockSource: s.clockSource,
        lineConfig: s.lineConfig ? { framing: s.lineConfig.framing ?? null, coding: s.lineConfig.coding ?? null, crc4: s.lineConfig.crc4 } : null,
        counters: Object.fromEntries(Object.entries(s.counters).filter((e): e is [string, number] => typeof e[1] === 'number')),
        channelsInUse: live.get(s.span)?.channelsInUse ?? 0,
        voiceChannels: s.timeslots ? s.timeslots.bchannels.length : (s.channelCount ?? null),
        settings: row ? toSpanSettings(JSON.parse(row.config) as StoredSpanConfig) : null,
        trunk: row?.trunk_id != null && trunkNames.has(row.trunk_id) ? { id: row.trunk_id, name: trunkNames.get(row.trunk_id)! } : null,
      };
    }),
    ports,
    warnings: inv.warnings.map((w) => w.message),
    missing,
    events: hw.events(eventLimit),
  };
}
