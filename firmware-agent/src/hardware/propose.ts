// A first DahdiConfig proposed from the detected hardware (what dahdi_genconf does for
// system.conf, but as a SeatBox model the admin then edits): every FXS port becomes a seat
// with the next extension, every FXO port a line of one trunk group, every E1 span a PRI
// (CPE side, EuroISDN) or an MFC/R2 span (China variant).

import {
  defaultDahdiConfig,
  type DahdiConfig,
  type PriSpanConfig,
  type R2SpanConfig,
  type SpanConfig,
} from './config.js';
import type { TelephonyInventory } from './inventory.js';

export interface ProposeOptions {
  /** First seat extension (default 8001). */
  firstExtension?: number;
  /** chan_dahdi group of the FXO lines (default 1). */
  fxoTrunkGroup?: number;
  /** How E1 spans are signalled (default pri_cpe). */
  e1Signalling?: 'pri_cpe' | 'pri_net' | 'r2';
  /** CRC-4 on E1 PRI spans (default true, as dahdi_genconf). */
  crc4?: boolean;
  /** Caller names of the seats, by extension. */
  callerNames?: Readonly<Record<string, string>>;
}

export interface Proposal {
  config: DahdiConfig;
  /** Spans or ports left out, and why. */
  notes: string[];
}

export function proposeDahdiConfig(inventory: TelephonyInventory, options: ProposeOptions = {}): Proposal {
  const notes: string[] = [];
  const spans: SpanConfig[] = [];
  let extension = options.firstExtension ?? 8001;
  let timing = 1;
  for (const s of [...inventory.spans].sort((a, b) => a.span - b.span)) {
    if (s.firstChannel === undefined) {
      notes.push(`span ${s.span}: channel numbers unknown; left out`);
      continue;
    }
    if (s.kind === 'analog') {
      const ports: Extract<SpanConfig, { type: 'analog' }>['ports'] = [];
      for (const p of s.ports) {
        if (p.kind === 'FXS') {
          const ext = String(extension++);
          const name = options.callerNames?.[ext];
          ports.push(name ? { channel: p.channel, kind: 'FXS', extension: ext, callerName: name } : { channel: p.channel, kind: 'FXS', extension: ext });
        } else if (p.kind === 'FXO') {
          ports.push({ channel: p.channel, kind: 'FXO', trunkGroup: options.fxoTrunkGroup ?? 1 });
        } else {
          notes.push(`span ${s.span} channel ${p.channel}: ${p.kind === 'empty' ? 'no module' : p.kind === 'failed' ? 'module failed' : 'module kind unknown'}; left unconfigured`);
        }
      }
      spans.push({ span: s.span, type: 'analog', firstChannel: s.firstChannel, channelCount: s.channelCount ?? s.ports.length, ports });
      continue;
    }
    if (s.kind !== 'E1') {
      notes.push(`span ${s.span}: ${s.kind} spans are not proposed automatically (SeatBox targets China's E1 lines)`);
      continue;
    }
    const common = { span: s.span, line: 'E1' as const, firstChannel: s.firstChannel, timing: timing++, lbo: 0, trunkGroup: 10 + s.span };
    const mode = options.e1Signalling ?? 'pri_cpe';
    if (mode === 'r2') {
      const r2: R2SpanConfig = {
        ...common,
        type: 'r2',
        variant: 'cn',
        // Chinese caller numbers reach 12 digits (0 + area code + 8 digits; mobiles 11): the
        // sample's 10 would cut them.
        maxAni: 20,
        maxDnis: 4,
        category: 'national_subscriber',
        getAniFirst: false,
      };
      spans.push(r2);
    } else {
      const pri: PriSpanConfig = {
        ...common,
        type: 'pri',
        signalling: mode,
        switchtype: 'euroisdn',
        framing: 'ccs',
        coding: 'hdb3',
        crc4: options.crc4 ?? true,
        dchannel: s.firstChannel + 15,
      };
      spans.push(pri);
    }
  }
  return { config: defaultDahdiConfig(spans), notes };
}
