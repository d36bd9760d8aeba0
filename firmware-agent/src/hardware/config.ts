// The DAHDI configuration model: what /etc/dahdi/system.conf, chan_dahdi.conf and the
// modprobe options are generated from. TypeBox schemas (usable in the HTTP API) plus the
// semantic checks in validate.ts.
//
// Channel numbers are DAHDI's absolute channel numbers (as in system.conf and "channel =>"),
// taken from the inventory: a span's firstChannel is dahdi_scan's basechan.

import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { FXO_MODES } from './card-catalog.js';

const opt = (errorMessage: string, extra: Record<string, unknown> = {}) => ({ errorMessage, ...extra });
type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
/** A union of string literals that keeps the literal types (Static<> gives 'a' | 'b'). */
const union = <const T extends readonly string[]>(values: T, what: string): TUnion<Literals<T>> =>
  Type.Union(values.map((v) => Type.Literal(v)), opt(`must be ${what}one of ${values.join(', ')}`)) as unknown as TUnion<Literals<T>>;

export const TONE_ZONES = ['cn', 'us'] as const;
export type DahdiToneZone = (typeof TONE_ZONES)[number];
/** dahdi_echocan_* modules; hwec = the card's own echo canceller (VPM). */
export const ECHO_CANCELLERS = ['oslec', 'mg2', 'hwec', 'none'] as const;
export type EchoCanceller = (typeof ECHO_CANCELLERS)[number];
/** OpenR2 variants (openr2 r2proto.c; dahdi_genconf's list for mfcr2_variant). */
export const R2_VARIANTS = ['ar', 'br', 'cn', 'cz', 'co', 'ec', 'itu', 'mx', 'ph', 've'] as const;
export type R2Variant = (typeof R2_VARIANTS)[number];
/** chan_dahdi.conf.sample, mfcr2_category. */
export const R2_CATEGORIES = [
  'national_subscriber',
  'national_priority_subscriber',
  'international_subscriber',
  'international_priority_subscriber',
  'collect_call',
] as const;
/** chan_dahdi.conf.sample, switchtype. */
export const SWITCHTYPES = ['euroisdn', 'national', 'dms100', '4ess', '5ess', 'ni1', 'qsig'] as const;
/** chan_dahdi.conf.sample, cidsignalling (smdi left out: needs an SMDI link). */
export const CID_SIGNALLINGS = ['bell', 'v23', 'v23_jp', 'dtmf'] as const;
/** chan_dahdi.conf.sample, cidstart. */
export const CID_STARTS = ['ring', 'polarity', 'polarity_IN', 'dtmf'] as const;
/** system.conf.sample: d4|esf for T1, cas|ccs for E1. */
export const FRAMINGS = ['ccs', 'cas', 'esf', 'd4'] as const;
/** system.conf.sample: ami|b8zs for T1, ami|hdb3 for E1. */
export const CODINGS = ['hdb3', 'ami', 'b8zs'] as const;

const SpanNo = Type.Integer({ minimum: 1, maximum: 128, ...opt('must be a span number 1-128') });
const Channel = Type.Integer({ minimum: 1, maximum: 4096, ...opt('must be a DAHDI channel number 1-4096') });
const Timing = Type.Integer({
  minimum: 0,
  maximum: 128,
  ...opt('must be the timing source priority: 0 (never take clock from this line) or 1, 2, ... (1 = preferred)'),
});
const Lbo = Type.Integer({ minimum: 0, maximum: 7, ...opt('must be a line build-out 0-7 (0 for E1)') });
const GroupNo = Type.Integer({ minimum: 0, maximum: 63, ...opt('must be a channel group 0-63') });
const Extension = Type.String({ pattern: '^[0-9]{2,8}$', ...opt('must be an extension of 2-8 digits') });
const ContextName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$',
  ...opt('must be a dialplan context name (A-Z a-z 0-9 _ -)'),
});
/** Caller-ID name: any text (Chinese included) except quotes, <>, backslash, ';' and control characters. */
const CallerName = Type.String({
  pattern: '^[^"<>\\\\;\\u0000-\\u001f\\u007f]{1,40}$',
  ...opt('must be 1-40 characters without \'"\', \'<\', \'>\', \'\\\', \';\''),
});

export const FxsPortSchema = Type.Object(
  {
    channel: Channel,
    /** The port's module: FXS — a phone plugs in. */
    kind: Type.Literal('FXS', opt('must be "FXS" or "FXO"')),
    /** The seat's extension; shown as caller ID number on calls between seats. */
    extension: Extension,
    callerName: Type.Optional(CallerName),
    context: Type.Optional(ContextName),
    /** Caller-ID format sent to the phone (default: the config's callerIdSignalling). */
    callerIdSignalling: Type.Optional(union(CID_SIGNALLINGS, '')),
  },
  { additionalProperties: false },
);
export type FxsPortConfig = Static<typeof FxsPortSchema>;

export const FxoPortSchema = Type.Object(
  {
    channel: Channel,
    /** The port's module: FXO — a PSTN line plugs in. */
    kind: Type.Literal('FXO', opt('must be "FXS" or "FXO"')),
    /** chan_dahdi group: outgoing calls dial DAHDI/g<group>/<number>. */
    trunkGroup: GroupNo,
    context: Type.Optional(ContextName),
    /** Caller-ID format the exchange sends (default: the config's callerIdSignalling). */
    callerIdSignalling: Type.Optional(union(CID_SIGNALLINGS, '')),
    /** What precedes caller ID: first ring (FSK between rings) or a polarity reversal (DTMF before ring). */
    callerIdStart: Type.Optional(union(CID_STARTS, '')),
    /** Hang up on the busy tone (needed on Chinese lines that give no polarity reversal). Default true. */
    busyDetect: Type.Optional(Type.Boolean(opt('must be true or false'))),
    /** The exchange reverses polarity when the far end answers / hangs up. Default false. */
    answerOnPolarity: Type.Optional(Type.Boolean(opt('must be true or false'))),
    hangupOnPolarity: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);
export type FxoPortConfig = Static<typeof FxoPortSchema>;

export const AnalogPortSchema = Type.Union([FxsPortSchema, FxoPortSchema]);
export type AnalogPortConfig = Static<typeof AnalogPortSchema>;

export const AnalogSpanSchema = Type.Object(
  {
    span: SpanNo,
    type: Type.Literal('analog'),
    firstChannel: Channel,
    channelCount: Type.Integer({ minimum: 1, maximum: 32, ...opt('must be the number of channels of the span, 1-32') }),
    /** Configured ports only; ports not listed stay unconfigured. */
    ports: Type.Array(AnalogPortSchema, { maxItems: 32, ...opt('must list at most 32 ports') }),
  },
  { additionalProperties: false },
);
export type AnalogSpanConfig = Static<typeof AnalogSpanSchema>;

const DigitalCommon = {
  span: SpanNo,
  /** E1 (China) or T1. */
  line: union(['E1', 'T1'] as const, ''),
  firstChannel: Channel,
  /** span= timing field: 0 = never the clock source; 1 = preferred source, 2 = second... */
  timing: Timing,
  lbo: Lbo,
  trunkGroup: GroupNo,
  context: Type.Optional(ContextName),
  echoCanceller: Type.Optional(union(ECHO_CANCELLERS, '')),
};

export const PriSpanSchema = Type.Object(
  {
    ...DigitalCommon,
    type: Type.Literal('pri'),
    /** pri_cpe: we are the customer side (a carrier line); pri_net: we are the network side (a PBX behind us). */
    signalling: union(['pri_cpe', 'pri_net'] as const, ''),
    switchtype: union(SWITCHTYPES, ''),
    framing: union(FRAMINGS, ''),
    coding: union(CODINGS, ''),
    crc4: Type.Boolean(opt('must be true or false')),
    /** D-channel (E1: timeslot 16, T1: timeslot 24). */
    dchannel: Type.Optional(Channel),
    /** Presentation of our caller ID: true = restricted (hidecallerid=yes). */
    hideCallerId: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);
export type PriSpanConfig = Static<typeof PriSpanSchema>;

export const R2SpanSchema = Type.Object(
  {
    ...DigitalCommon,
    type: Type.Literal('r2'),
    /** mfcr2_variant; China: cn. */
    variant: Type.Optional(union(R2_VARIANTS, '')),
    maxAni: Type.Integer({ minimum: 1, maximum: 20, ...opt('must be 1-20 digits') }),
    maxDnis: Type.Integer({ minimum: 1, maximum: 20, ...opt('must be 1-20 digits') }),
    category: union(R2_CATEGORIES, ''),
    getAniFirst: Type.Boolean(opt('must be true or false')),
    /** cas= idle ABCD bits; 1101 for MFC/R2. */
    idleBits: Type.Optional(Type.String({ pattern: '^[01]{4}$', ...opt('must be 4 ABCD bits such as 1101') })),
    /** CRC-4 multiframe on the R2 E1 (most R2 lines do not use it). Default false. */
    crc4: Type.Optional(Type.Boolean(opt('must be true or false'))),
    /** Write one MFC/R2 call file per call under /var/log/asterisk/mfcr2/span<N>. */
    logCalls: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);
export type R2SpanConfig = Static<typeof R2SpanSchema>;

export const SpanConfigSchema = Type.Union([AnalogSpanSchema, PriSpanSchema, R2SpanSchema]);
export type SpanConfig = Static<typeof SpanConfigSchema>;

export const DahdiConfigSchema = Type.Object(
  {
    /** loadzone/defaultzone: dial, busy, ringback tones. */
    toneZone: union(TONE_ZONES, ''),
    /** FXO country mode of the analog drivers (modprobe opermode=); China: CHINA. */
    opermode: union(FXO_MODES, 'an fxo_modes.h name (case-sensitive), '),
    echoCanceller: union(ECHO_CANCELLERS, ''),
    /** Default contexts: calls from seats (FXS) and from trunks (FXO, PRI, R2). */
    contexts: Type.Object({ seats: ContextName, trunks: ContextName }, { additionalProperties: false }),
    /** Caller-ID format on analog ports (China: FSK — bell; some exchanges send DTMF). */
    callerIdSignalling: union(CID_SIGNALLINGS, ''),
    callerIdStart: union(CID_STARTS, ''),
    spans: Type.Array(SpanConfigSchema, { maxItems: 32, ...opt('must list at most 32 spans') }),
  },
  { additionalProperties: false },
);
export type DahdiConfig = Static<typeof DahdiConfigSchema>;

/** The schema of a span of the given type (validate.ts checks spans one by one). */
export const SPAN_SCHEMAS: Readonly<Record<SpanConfig['type'], TSchema>> = {
  analog: AnalogSpanSchema,
  pri: PriSpanSchema,
  r2: R2SpanSchema,
};

export const DEFAULT_CONTEXTS = { seats: 'seatbox-internal', trunks: 'seatbox-pstn-in' } as const;

/** A config for a box in China with no span configured yet. */
export function defaultDahdiConfig(spans: SpanConfig[] = []): DahdiConfig {
  return {
    toneZone: 'cn',
    opermode: 'CHINA',
    echoCanceller: 'oslec',
    contexts: { ...DEFAULT_CONTEXTS },
    callerIdSignalling: 'bell',
    callerIdStart: 'ring',
    spans,
  };
}

/** "span 2 (E1 PRI)", "span 1 (analog)", "span 3 (E1 MFC/R2)". */
export function spanLabel(s: { span: number; type: string; line?: string }): string {
  const what = s.type === 'pri' ? `${s.line ?? ''} PRI`.trim() : s.type === 'r2' ? `${s.line ?? ''} MFC/R2`.trim() : s.type;
  return `span ${s.span} (${what})`;
}
