// Live trunk status (TrunkLive): SIP registration or reachability (qualify), analog lines and
// E1 spans from the card alarms, channels in use from the call model. Recomputed when PJSIP
// status, the cards or the calls change; 'trunk.updated' is published only on a change.
import type { Db } from '../db/database.js';
import { alarmSummary, type TelephonyInventory } from '../hardware/index.js';
import type { HardwareMonitor } from '../hardware-inventory/monitor.js';
import { findAnalogPort } from '../hardware-inventory/ports.js';
import type { LiveFeed } from '../http/live.js';
import type { LiveCall, TrunkLive } from '../http/schemas.js';
import { contactUsable, type PjsipStatus } from './pjsip-status.js';
import { TrunkStore, maxChannelsOf, pbxTrunkId, type TrunkRecord } from './trunk-store.js';

export interface ChannelUsage {
  /** Live PJSIP channels per endpoint ("PJSIP/trunk-1-0000002a" → trunk-1). */
  pjsip: Map<string, number>;
  /** Live DAHDI channels by channel number ("DAHDI/33-1"). */
  dahdiChannels: Map<number, number>;
  /** Live PRI channels by span ("DAHDI/i1/13800138000-5": PRI names carry the span, not the channel). */
  dahdiSpans: Map<number, number>;
}

export function channelUsage(calls: readonly LiveCall[]): ChannelUsage {
  const out: ChannelUsage = { pjsip: new Map(), dahdiChannels: new Map(), dahdiSpans: new Map() };
  const inc = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const c of calls) {
    if (c.state === 'ended') continue;
    for (const l of c.legs) {
      if (l.state === 'Hungup') continue;
      let m: RegExpExecArray | null;
      if ((m = /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(l.channel))) inc(out.pjsip, m[1]!);
      else if ((m = /^DAHDI\/i(\d+)\//i.exec(l.channel))) inc(out.dahdiSpans, Number(m[1]));
      else if ((m = /^DAHDI\/(\d+)-/.exec(l.channel))) inc(out.dahdiChannels, Number(m[1]));
    }
  }
  return out;
}

export interface TrunkStatusOptions {
  db: Db;
  pjsip: PjsipStatus;
  hardware: HardwareMonitor;
  live: LiveFeed;
  calls: () => LiveCall[];
}

export class TrunkStatus {
  private trunks: TrunkRecord[] = [];
  private last = new Map<number, string>();

  constructor(private readonly opts: TrunkStatusOptions) {
    this.reload();
    opts.pjsip.on('changed', () => this.publishChanges());
    opts.hardware.on('inventory', () => this.publishChanges());
  }

  /** Re-reads the trunks (after a change) and publishes what moved. */
  reload(): void {
    this.trunks = new TrunkStore(this.opts.db).all();
    this.opts.pjsip.watch(this.trunks.filter((t) => t.kind === 'sip' && t.enabled).map((t) => pbxTrunkId(t.id)));
    const ids = new Set(this.trunks.map((t) => t.id));
    for (const id of [...this.last.keys()]) if (!ids.has(id)) this.last.delete(id);
    this.publishChanges();
  }

  all(): TrunkLive[] {
    const usage = channelUsage(this.opts.calls());
    return this.trunks.map((t) => this.compute(t, usage, this.opts.hardware.inventory));
  }

  /** Calls changed: publish trunks whose channel count moved. */
  publishChanges(): void {
    for (const live of this.all()) {
      const key = JSON.stringify(live);
      if (this.last.get(Number(live.id)) !== key) {
        this.last.set(Number(live.id), key);
        this.opts.live.publish({ type: 'trunk.updated', data: live });
      }
    }
  }

  private registrationOf(id: string) {
    return this.opts.pjsip.registration(id) ?? this.opts.pjsip.registration(`${id}-reg`) ?? this.opts.pjsip.registration(`${id}-registration`);
  }

  private compute(t: TrunkRecord, usage: ChannelUsage, inv: TelephonyInventory): TrunkLive {
    const id = pbxTrunkId(t.id);
    const out: TrunkLive = { id: String(t.id), name: t.name, kind: t.kind, status: 'unknown', detail: null, channelsInUse: 0, maxChannels: maxChannelsOf(t) };
    if (!t.enabled) return { ...out, detail: 'disabled' };
    if (t.sip) {
      out.channelsInUse = usage.pjsip.get(id) ?? 0;
      if (t.sip.register) {
        const reg = this.registrationOf(id);
        const st = (reg?.status ?? '').toLowerCase();
        if (!reg) out.detail = 'no registration reported by Asterisk yet';
        else if (st === 'registered') out.status = 'registered';
        else if (st === 'rejected' || st === 'failed') ((out.status = 'rejected'), (out.detail = `${reg.status}: the carrier refused the username/password or the account`));
        else ((out.status = 'unregistered'), (out.detail = reg.status));
        if (out.status === 'registered' && t.sip.qualifySeconds > 0 && this.unreachable(id)) ((out.status = 'unreachable'), (out.detail = 'registered, but the carrier stopped answering OPTIONS'));
        return out;
      }
      const contacts = this.opts.pjsip.contactsOf(id);
      if (t.sip.qualifySeconds === 0) out.detail = 'qualify is off: reachability not checked';
      else if (contacts.length === 0) out.detail = 'no answer to OPTIONS yet';
      else if (contacts.some((c) => c.status.toLowerCase() === 'reachable')) {
        out.status = 'reachable';
        const rtt = contacts.find((c) => c.roundtripUsec !== null)?.roundtripUsec;
        if (rtt !== undefined && rtt !== null) out.detail = `${Math.round(rtt / 1000)} ms`;
      } else if (contacts.every((c) => c.status.toLowerCase() === 'unreachable')) ((out.status = 'unreachable'), (out.detail = 'the carrier does not answer OPTIONS'));
      return out;
    }
    if (t.kind === 'fxo') {
      const ports = t.channels.map((c) => ({ c, hw: findAnalogPort(inv, c) }));
      out.channelsInUse = t.channels.reduce((n, c) => n + (usage.dahdiChannels.get(c) ?? 0), 0);
      const present = ports.filter((p) => p.hw);
      const bad = present.filter((p) => !p.hw!.port.alarms.ok);
      if (ports.length === 0) out.detail = 'no FXO port assigned';
      else if (present.length === 0) out.detail = 'its ports are not detected';
      else if (bad.length === present.length) ((out.status = 'alarm'), (out.detail = bad.map((p) => `channel ${p.c}: ${alarmSummary(p.hw!.port.alarms)}`).join('; ')));
      else {
        out.status = 'up';
        if (bad.length > 0) out.detail = `${bad.length} of ${ports.length} lines in alarm: ${bad.map((p) => `channel ${p.c}`).join(', ')}`;
      }
      return out;
    }
    // e1
    const spans = t.spans.map((n) => ({ n, hw: inv.spans.find((s) => s.span === n) }));
    for (const s of spans) {
      out.channelsInUse += usage.dahdiSpans.get(s.n) ?? 0;
      const first = s.hw?.firstChannel;
      const count = s.hw?.channelCount;
      if (first !== undefined && count !== undefined) for (let c = first; c < first + count; c++) out.channelsInUse += usage.dahdiChannels.get(c) ?? 0;
    }
    const present = spans.filter((s) => s.hw);
    const bad = present.filter((s) => !s.hw!.alarms.ok);
    if (spans.length === 0) out.detail = 'no span assigned';
    else if (present.length === 0) out.detail = 'its spans are not detected';
    else if (bad.length > 0) ((out.status = 'alarm'), (out.detail = bad.map((s) => `span ${s.n}: ${alarmSummary(s.hw!.alarms)}`).join('; ')));
    else out.status = 'up';
    return out;
  }

  private unreachable(id: string): boolean {
    const c = this.opts.pjsip.contactsOf(id);
    return c.length > 0 && c.every((x) => x.status.toLowerCase() === 'unreachable');
  }
}
