// E1/T1 span line settings as stored (dahdi_spans.config) and as the API takes them. The
// stored form is the hardware SpanConfig without what the box decides: the span number
// (the row key), the trunk group (from the trunk the span belongs to) and the context.
import { Type, type Static } from '@sinclair/typebox';
import type { InventorySpan, PriSpanConfig, R2SpanConfig } from '../hardware/index.js';
import { badInput } from '../pbx-model/errors.js';

export type StoredSpanConfig = Omit<PriSpanConfig, 'span' | 'trunkGroup' | 'context'> | Omit<R2SpanConfig, 'span' | 'trunkGroup' | 'context'>;

export const SPAN_SIGNALLINGS = ['pri_cpe', 'pri_net', 'r2'] as const;
export type SpanSignalling = (typeof SPAN_SIGNALLINGS)[number];

export const SpanSettings = Type.Object({
  /** pri_cpe: carrier PRI line (we are the customer side); pri_net: a PBX behind us; r2: MFC/R2 (China: variant cn). */
  signalling: Type.Union(SPAN_SIGNALLINGS.map((s) => Type.Literal(s))),
  line: Type.Union([Type.Literal('E1'), Type.Literal('T1')]),
  framing: Type.String({ description: 'ccs (E1 PRI), cas (MFC/R2), esf/d4 (T1)' }),
  coding: Type.String({ description: 'hdb3 (E1), b8zs/ami (T1)' }),
  crc4: Type.Boolean(),
  /** 0 = never take the clock from this line; 1 = preferred clock source, 2 = second … */
  timing: Type.Integer(),
  lbo: Type.Integer(),
  switchtype: Type.Union([Type.String(), Type.Null()]),
  variant: Type.Union([Type.String(), Type.Null()]),
  maxAni: Type.Union([Type.Integer(), Type.Null()]),
  maxDnis: Type.Union([Type.Integer(), Type.Null()]),
  hideCallerId: Type.Boolean(),
});
export type SpanSettings = Static<typeof SpanSettings>;

export const SpanSettingsRequest = Type.Object(
  {
    signalling: Type.Optional(Type.Union(SPAN_SIGNALLINGS.map((s) => Type.Literal(s)))),
    framing: Type.Optional(Type.String({ maxLength: 8 })),
    coding: Type.Optional(Type.String({ maxLength: 8 })),
    crc4: Type.Optional(Type.Boolean()),
    timing: Type.Optional(Type.Integer()),
    lbo: Type.Optional(Type.Integer()),
    switchtype: Type.Optional(Type.String({ maxLength: 16 })),
    variant: Type.Optional(Type.String({ maxLength: 8 })),
    maxAni: Type.Optional(Type.Integer()),
    maxDnis: Type.Optional(Type.Integer()),
    hideCallerId: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SpanSettingsRequest = Static<typeof SpanSettingsRequest>;

export function spanSignalling(c: StoredSpanConfig): SpanSignalling {
  return c.type === 'r2' ? 'r2' : c.signalling;
}

/** What the API shows of a stored span config. */
export function toSpanSettings(c: StoredSpanConfig): SpanSettings {
  if (c.type === 'r2') {
    return {
      signalling: 'r2',
      line: c.line,
      framing: 'cas',
      coding: 'hdb3',
      crc4: c.crc4 ?? false,
      timing: c.timing,
      lbo: c.lbo,
      switchtype: null,
      variant: c.variant ?? null,
      maxAni: c.maxAni,
      maxDnis: c.maxDnis,
      hideCallerId: false,
    };
  }
  return {
    signalling: c.signalling,
    line: c.line,
    framing: c.framing,
    coding: c.coding,
    crc4: c.crc4,
    timing: c.timing,
    lbo: c.lbo,
    switchtype: c.switchtype,
    variant: null,
    maxAni: null,
    maxDnis: null,
    hideCallerId: c.hideCallerId ?? false,
  };
}

/** A first configuration for a detected E1/T1 span (what dahdi_genconf would propose). */
export function defaultSpanConfig(span: InventorySpan, signalling: SpanSignalling, timing: number, forWhat?: string): StoredSpanConfig {
  const who = forWhat ? `${forWhat}: ` : '';
  if (span.kind !== 'E1' && span.kind !== 'T1') throw badInput(`${who}span ${span.span} is ${span.kind === 'analog' ? 'an analog span' : 'not a known E1/T1 span'}; PRI and MFC/R2 need an E1/T1 span`, 'spans');
  if (span.firstChannel === undefined) throw badInput(`${who}span ${span.span}: the card does not report its channel numbers; cannot configure it`, 'spans');
  const line = span.kind;
  const first = span.firstChannel;
  if (signalling === 'r2') {
    // Chinese caller numbers reach 12 digits (0 + area code + 8 digits): the sample's 10 would cut them.
    return { type: 'r2', line, firstChannel: first, timing, lbo: 0, variant: 'cn', maxAni: 20, maxDnis: 4, category: 'national_subscriber', getAniFirst: false, crc4: false };
  }
  return {
    type: 'pri',
    line,
    firstChannel: first,
    timing,
    lbo: 0,
    signalling,
    switchtype: line === 'E1' ? 'euroisdn' : 'national',
    framing: line === 'E1' ? 'ccs' : 'esf',
    coding: line === 'E1' ? 'hdb3' : 'b8zs',
    crc4: line === 'E1',
    dchannel: first + (line === 'E1' ? 15 : 23),
  };
}

/**
 * Applies the user's settings to a stored config. Values are passed on as given; the DAHDI
 * validation (hardware/validate.ts) then says what is inconsistent, naming the span.
 */
export function applySpanSettings(current: StoredSpanConfig, req: SpanSettingsRequest): StoredSpanConfig {
  const signalling = req.signalling ?? spanSignalling(current);
  const base = { line: current.line, firstChannel: current.firstChannel, timing: req.timing ?? current.timing, lbo: req.lbo ?? current.lbo };
  if (signalling === 'r2') {
    const prev = current.type === 'r2' ? current : undefined;
    if (req.framing !== undefined && req.framing !== 'cas') throw badInput(`MFC/R2 uses framing "cas" (line signalling in timeslot 16), not "${req.framing}"`, 'framing');
    if (req.coding !== undefined && req.coding !== 'hdb3') throw badInput(`MFC/R2 on E1 uses coding "hdb3", not "${req.coding}"`, 'coding');
    const out: Omit<R2SpanConfig, 'span' | 'trunkGroup' | 'context'> = {
      type: 'r2',
      ...base,
      maxAni: req.maxAni ?? prev?.maxAni ?? 20,
      maxDnis: req.maxDnis ?? prev?.maxDnis ?? 4,
      category: prev?.category ?? 'national_subscriber',
      getAniFirst: prev?.getAniFirst ?? false,
      crc4: req.crc4 ?? prev?.crc4 ?? false,
    };
    const variant = req.variant ?? prev?.variant ?? 'cn';
    (out as { variant?: string }).variant = variant;
    return out;
  }
  const prev = current.type === 'pri' ? current : undefined;
  const e1 = current.line === 'E1';
  const out = {
    type: 'pri' as const,
    ...base,
    signalling,
    switchtype: (req.switchtype ?? prev?.switchtype ?? (e1 ? 'euroisdn' : 'national')) as PriSpanConfig['switchtype'],
    framing: (req.framing ?? prev?.framing ?? (e1 ? 'ccs' : 'esf')) as PriSpanConfig['framing'],
    coding: (req.coding ?? prev?.coding ?? (e1 ? 'hdb3' : 'b8zs')) as PriSpanConfig['coding'],
    crc4: req.crc4 ?? prev?.crc4 ?? e1,
    dchannel: prev?.dchannel ?? current.firstChannel + (e1 ? 15 : 23),
    hideCallerId: req.hideCallerId ?? prev?.hideCallerId ?? false,
  };
  return out;
}
