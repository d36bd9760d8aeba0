// Validation of a DahdiConfig: the schema, then what the schema cannot say (a port given to
// two seats, an E1 with T1 framing, an R2 span without a variant, a missing D-channel,
// channels outside the span or the card). Every message names the span or port and why.

import { Type, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import {
  DahdiConfigSchema,
  FxoPortSchema,
  FxsPortSchema,
  SPAN_SCHEMAS,
  spanLabel,
  type AnalogSpanConfig,
  type DahdiConfig,
  type PriSpanConfig,
  type R2SpanConfig,
  type SpanConfig,
} from './config.js';
import type { TelephonyInventory } from './inventory.js';

export interface DahdiIssue {
  /** Path into the config, e.g. "spans[1].framing" ("" for the whole config). */
  path: string;
  message: string;
}

export type DahdiValidation = { ok: true; config: DahdiConfig } | { ok: false; errors: DahdiIssue[] };

export class DahdiConfigError extends Error {
  constructor(readonly issues: DahdiIssue[]) {
    super(`invalid DAHDI configuration: ${issues.map(formatDahdiIssue).join('; ')}`);
    this.name = 'DahdiConfigError';
  }
}

export function formatDahdiIssue(i: DahdiIssue): string {
  return i.path ? `${i.path}: ${i.message}` : i.message;
}

// ---------------------------------------------------------------------------------------
// Schema checks, one level at a time, so that a wrong span or port gets the messages of its
// own schema rather than "expected union value".

const withUnknown = (schema: TSchema, key: string): TSchema => {
  const props = { ...(schema as unknown as { properties: Record<string, TSchema> }).properties, [key]: Type.Array(Type.Unknown()) };
  return Type.Object(props, { additionalProperties: false });
};
const ConfigShell = withUnknown(DahdiConfigSchema, 'spans');
const AnalogShell = withUnknown(SPAN_SCHEMAS.analog, 'ports');

function pointerToPath(base: string, pointer: string): string {
  let out = base;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function schemaIssues(schema: TSchema, value: unknown, base: string, label: string, out: DahdiIssue[]): void {
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = pointerToPath(base, e.path);
    if (seen.has(path)) continue;
    seen.add(path);
    const custom = (e.schema as TSchema & { errorMessage?: unknown }).errorMessage;
    let message: string;
    if (e.type === ValueErrorType.ObjectAdditionalProperties || e.message === 'Unexpected property') message = 'is not a known setting';
    else if (e.type === ValueErrorType.ObjectRequiredProperty || e.value === undefined) message = 'is required';
    else if (typeof custom === 'string') message = custom;
    else message = e.message.charAt(0).toLowerCase() + e.message.slice(1);
    out.push({ path, message: label ? `${label}: ${message}` : message });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labelOf(span: Record<string, unknown>): string {
  if (typeof span['span'] !== 'number' || typeof span['type'] !== 'string') return '';
  return spanLabel({ span: span['span'], type: span['type'], line: typeof span['line'] === 'string' ? span['line'] : undefined });
}

function checkSchema(input: unknown): DahdiIssue[] {
  const out: DahdiIssue[] = [];
  schemaIssues(ConfigShell, input, '', '', out);
  if (!isObject(input) || !Array.isArray(input['spans'])) return out;
  input['spans'].forEach((span, i) => {
    const base = `spans[${i}]`;
    if (!isObject(span)) {
      out.push({ path: base, message: 'must be an object' });
      return;
    }
    const type = span['type'];
    if (type !== 'analog' && type !== 'pri' && type !== 'r2') {
      out.push({ path: `${base}.type`, message: 'must be one of analog, pri (ISDN PRI), r2 (MFC/R2)' });
      return;
    }
    const label = labelOf(span);
    if (type !== 'analog') {
      schemaIssues(SPAN_SCHEMAS[type], span, base, label, out);
      return;
    }
    schemaIssues(AnalogShell, span, base, label, out);
    if (!Array.isArray(span['ports'])) return;
    span['ports'].forEach((port, j) => {
      const pbase = `${base}.ports[${j}]`;
      if (!isObject(port)) {
        out.push({ path: pbase, message: `${label}: must be an object` });
        return;
      }
      const plabel = `${label}${label ? ', ' : ''}${typeof port['channel'] === 'number' ? `channel ${port['channel']}` : `port ${j}`}`;
      if (port['kind'] === 'FXS') schemaIssues(FxsPortSchema, port, pbase, plabel, out);
      else if (port['kind'] === 'FXO') schemaIssues(FxoPortSchema, port, pbase, plabel, out);
      else out.push({ path: `${pbase}.kind`, message: `${plabel}: must be "FXS" (a phone plugs in) or "FXO" (a PSTN line plugs in)` });
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// What the schema cannot say.

export function spanChannelCount(s: SpanConfig): number {
  return s.type === 'analog' ? s.channelCount : s.line === 'E1' ? 31 : 24;
}

const rangeText = (first: number, count: number) => (count === 1 ? `channel ${first}` : `channels ${first}-${first + count - 1}`);

function checkLine(s: PriSpanConfig | R2SpanConfig, base: string, label: string, add: (p: string, m: string) => void): void {
  if (s.type === 'r2' && s.line !== 'E1') {
    add(`${base}.line`, `${label}: MFC/R2 runs on E1 lines only (timeslot 16 carries the R2 line signalling)`);
    return;
  }
  if (s.type !== 'pri') {
    if (s.crc4 && s.line !== 'E1') add(`${base}.crc4`, `${label}: crc4 exists only on E1 lines`);
    return;
  }
  if (s.line === 'E1') {
    if (s.framing === 'esf' || s.framing === 'd4') {
      add(`${base}.framing`, `${label}: framing "${s.framing}" is a T1 framing; an E1 PRI uses "ccs"`);
    } else if (s.framing === 'cas') {
      add(`${base}.framing`, `${label}: framing "cas" is for channel-associated signalling (MFC/R2); a PRI needs "ccs"`);
    }
    if (s.coding === 'b8zs') add(`${base}.coding`, `${label}: coding "b8zs" is a T1 line coding; an E1 uses "hdb3"`);
  } else {
    if (s.framing === 'ccs' || s.framing === 'cas') {
      add(`${base}.framing`, `${label}: framing "${s.framing}" is an E1 framing; a T1 uses "esf" (or "d4")`);
    }
    if (s.coding === 'hdb3') add(`${base}.coding`, `${label}: coding "hdb3" is an E1 line coding; a T1 uses "b8zs" (or "ami")`);
    if (s.crc4) add(`${base}.crc4`, `${label}: crc4 exists only on E1 lines; a T1 has no CRC-4 multiframe (set crc4 to false)`);
  }
  const count = spanChannelCount(s);
  const dTimeslot = s.line === 'E1' ? 16 : 24;
  const expected = s.firstChannel + dTimeslot - 1;
  const aLine = s.line === 'E1' ? 'an E1' : 'a T1';
  if (s.dchannel === undefined) {
    add(
      `${base}.dchannel`,
      `${label}: D-channel missing: ${aLine} PRI signals on timeslot ${dTimeslot}, channel ${expected} of this span (${rangeText(s.firstChannel, count)})`,
    );
  } else if (s.dchannel < s.firstChannel || s.dchannel >= s.firstChannel + count) {
    add(`${base}.dchannel`, `${label}: D-channel ${s.dchannel} is outside the span (${rangeText(s.firstChannel, count)})`);
  } else if (s.dchannel !== expected) {
    add(
      `${base}.dchannel`,
      `${label}: D-channel ${s.dchannel} is timeslot ${s.dchannel - s.firstChannel + 1}; ${aLine} PRI carries its D-channel on timeslot ${dTimeslot} (channel ${expected})`,
    );
  }
}

function portLabel(label: string, p: AnalogSpanConfig['ports'][number]): string {
  return p.kind === 'FXS' ? `${label}, channel ${p.channel} (FXS port, seat ${p.extension})` : `${label}, channel ${p.channel} (FXO port, trunk group ${p.trunkGroup})`;
}

function checkSemantics(cfg: DahdiConfig, inventory: TelephonyInventory | undefined): DahdiIssue[] {
  const out: DahdiIssue[] = [];
  const add = (path: string, message: string) => out.push({ path, message });

  const bySpanNo = new Map<number, number>();
  const timing = new Map<number, number>();
  const extensions = new Map<string, { i: number; j: number; channel: number }>();
  const ranges: Array<{ i: number; first: number; last: number; label: string }> = [];

  cfg.spans.forEach((s, i) => {
    const base = `spans[${i}]`;
    const label = spanLabel(s);
    const prev = bySpanNo.get(s.span);
    if (prev !== undefined) add(`${base}.span`, `${label}: span ${s.span} is configured twice (also spans[${prev}])`);
    else bySpanNo.set(s.span, i);

    const count = spanChannelCount(s);
    const last = s.firstChannel + count - 1;
    for (const r of ranges) {
      if (s.firstChannel <= r.last && last >= r.first) {
        add(`${base}.firstChannel`, `${label}: ${rangeText(s.firstChannel, count)} overlap ${r.label} (${rangeText(r.first, r.last - r.first + 1)})`);
      }
    }
    ranges.push({ i, first: s.firstChannel, last, label });

    if (s.type === 'pri' || s.type === 'r2') {
      checkLine(s, base, label, add);
      if (s.type === 'r2' && s.variant === undefined) {
        add(`${base}.variant`, `${label}: MFC/R2 variant missing (mfcr2_variant); China uses "cn"`);
      }
      if (s.timing > 0) {
        const other = timing.get(s.timing);
        if (other !== undefined) {
          add(`${base}.timing`, `${label}: timing priority ${s.timing} is also given to span ${cfg.spans[other]!.span}; each clock source needs its own priority`);
        } else timing.set(s.timing, i);
      }
      return;
    }

    // Analog span.
    const byChannel = new Map<number, number>();
    s.ports.forEach((p, j) => {
      const pbase = `${base}.ports[${j}]`;
      const plabel = portLabel(label, p);
      if (p.channel < s.firstChannel || p.channel > last) {
        add(`${pbase}.channel`, `${plabel}: channel ${p.channel} is outside the span (${rangeText(s.firstChannel, count)})`);
      }
      const dup = byChannel.get(p.channel);
      if (dup !== undefined) {
        const o = s.ports[dup]!;
        const other = o.kind === 'FXS' ? `the FXS port of seat ${o.extension}` : `an FXO line of trunk group ${o.trunkGroup}`;
        add(`${pbase}.channel`, `${plabel}: channel ${p.channel} is already ${other}; one port serves one seat or one line`);
      } else byChannel.set(p.channel, j);
      if (p.kind === 'FXS') {
        const e = extensions.get(p.extension);
        if (e) {
          add(`${pbase}.extension`, `${plabel}: extension ${p.extension} is already the seat on channel ${e.channel}; a seat has one phone port`);
        } else extensions.set(p.extension, { i, j, channel: p.channel });
      }
    });
  });

  if (inventory) checkAgainstInventory(cfg, inventory, add);
  return out;
}

function checkAgainstInventory(cfg: DahdiConfig, inv: TelephonyInventory, add: (p: string, m: string) => void): void {
  const spans = new Map(inv.spans.map((s) => [s.span, s]));
  const detected = inv.spans.map((s) => s.span).join(', ') || 'none';
  cfg.spans.forEach((s, i) => {
    const base = `spans[${i}]`;
    const label = spanLabel(s);
    const d = spans.get(s.span);
    if (!d) {
      add(`${base}.span`, `${label}: span ${s.span} does not exist on this box (detected spans: ${detected})`);
      return;
    }
    const what = `${d.name ?? `span ${d.span}`}${d.description ? `, ${d.description}` : ''}`;
    if (s.type === 'analog' && d.kind !== 'analog') {
      add(`${base}.type`, `${label}: span ${s.span} is ${d.kind === 'unknown' ? 'not known to be analog' : `an ${d.kind} span`} (${what})`);
      return;
    }
    if (s.type !== 'analog') {
      if (d.kind === 'analog') {
        add(`${base}.type`, `${label}: span ${s.span} is an analog span (${what}); PRI and MFC/R2 need an E1/T1 span`);
        return;
      }
      if ((d.kind === 'E1' || d.kind === 'T1') && d.kind !== s.line) {
        add(`${base}.line`, `${label}: span ${s.span} is ${d.kind === 'E1' ? 'an' : 'a'} ${d.kind} line (${what}), not ${s.line}`);
      }
    }
    if (d.firstChannel !== undefined && d.firstChannel !== s.firstChannel) {
      add(`${base}.firstChannel`, `${label}: firstChannel ${s.firstChannel} does not match the card: span ${s.span} starts at channel ${d.firstChannel}`);
    }
    if (s.type !== 'analog') return;
    if (d.channelCount !== undefined && d.channelCount !== s.channelCount) {
      add(`${base}.channelCount`, `${label}: channelCount ${s.channelCount} does not match the card: span ${s.span} has ${d.channelCount} channels`);
    }
    const ports = new Map(d.ports.map((p) => [p.channel, p]));
    s.ports.forEach((p, j) => {
      const pbase = `${base}.ports[${j}]`;
      const plabel = portLabel(label, p);
      const hp = ports.get(p.channel);
      if (!hp) {
        const range = d.firstChannel !== undefined && d.channelCount !== undefined ? ` (the card has ${rangeText(d.firstChannel, d.channelCount)})` : '';
        add(`${pbase}.channel`, `${plabel}: channel ${p.channel} is not on the card${range}`);
        return;
      }
      if (hp.kind === 'empty') add(`${pbase}.channel`, `${plabel}: port ${hp.port} has no module (empty slot)`);
      else if (hp.kind === 'failed') add(`${pbase}.channel`, `${plabel}: the module of port ${hp.port} failed to initialise`);
      else if (hp.kind !== 'unknown' && hp.kind !== p.kind) {
        add(
          `${pbase}.kind`,
          p.kind === 'FXS'
            ? `${plabel}: port ${hp.port} is an FXO port (a PSTN line plugs in); a seat's phone needs an FXS port`
            : `${plabel}: port ${hp.port} is an FXS port (a phone plugs in); a trunk line needs an FXO port`,
        );
      }
    });
  });
}

/** Schema and semantic checks; with an inventory also checks the config against the hardware. */
export function validateDahdiConfig(input: unknown, inventory?: TelephonyInventory): DahdiValidation {
  const schema = checkSchema(input);
  if (schema.length > 0) return { ok: false, errors: schema };
  const cfg = input as DahdiConfig;
  const errors = checkSemantics(cfg, inventory);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: cfg };
}

export function assertValidDahdiConfig(input: unknown, inventory?: TelephonyInventory): DahdiConfig {
  const r = validateDahdiConfig(input, inventory);
  if (!r.ok) throw new DahdiConfigError(r.errors);
  return r.config;
}
