// The hotline as data, shaped like the PBX model's hotline part (pbx-config/model.ts: PbxIvr,
// PbxBusinessHours, PbxHotline, queue options) plus what only the editor needs (menu and
// holiday names, prompt references by name). Stored as JSON documents (hotline_documents),
// checked by validate.ts, mapped by to-model.ts.
import { Type, type Static } from '@sinclair/typebox';
import { HOTLINE_DESTINATION_KINDS, OVERFLOW_FINALS, QUEUE_STRATEGIES } from '../pbx-config/model.js';

export const DEST_KINDS = HOTLINE_DESTINATION_KINDS;
export type DestKind = (typeof DEST_KINDS)[number];

const Id = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' });
/** A prompt of the prompts table by name (null: none / stock default). */
const PromptRef = Type.Union([Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }), Type.Null()]);
const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const DateText = Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });
const SeatExt = Type.String({ pattern: '^[2-8][0-9]{2,5}$' });

export const DestinationSchema = Type.Object(
  {
    kind: Type.Union(DEST_KINDS.map((k) => Type.Literal(k))),
    /** menu id, queue name (queue, callback) or seat extension; absent for hangup/voicemail/fax. */
    target: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$' })),
  },
  { additionalProperties: false },
);

export const IvrOptionSchema = Type.Object({ digit: Type.String({ pattern: '^[0-9*#]$' }), destination: DestinationSchema }, { additionalProperties: false });

export const IvrMenuSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 64 }),
    prompt: PromptRef,
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 60 }),
    maxRetries: Type.Integer({ minimum: 0, maximum: 9 }),
    invalidPrompt: PromptRef,
    options: Type.Array(IvrOptionSchema, { maxItems: 12 }),
    /** Where the caller goes when retries are used up (silence or wrong keys). */
    fallback: DestinationSchema,
  },
  { additionalProperties: false },
);

export const NamedDateSchema = Type.Object({ date: DateText, name: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false });

export const BusinessHoursSchema = Type.Object(
  {
    weekly: Type.Array(Type.Object({ days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }), open: HHMM, close: HHMM }, { additionalProperties: false }), { maxItems: 21 }),
    /** Public holidays: closed all day. */
    holidays: Type.Array(NamedDateSchema, { maxItems: 400 }),
    /** Make-up working days (调休上班): open with makeupHours even on a weekend. */
    makeupWorkdays: Type.Array(NamedDateSchema, { maxItems: 100 }),
    makeupHours: Type.Object({ open: HHMM, close: HHMM }, { additionalProperties: false }),
    closedPrompt: PromptRef,
    closedDestination: DestinationSchema,
  },
  { additionalProperties: false },
);

export const IvrDocSchema = Type.Object(
  {
    did: Type.String({ pattern: '^\\+?[0-9]{1,20}$' }),
    /** Simultaneous hotline calls (the box has 8 IVR channels). */
    maxConcurrent: Type.Integer({ minimum: 1, maximum: 8 }),
    faxDetect: Type.Boolean(),
    useBusinessHours: Type.Boolean(),
    entryMenu: Id,
    menus: Type.Array(IvrMenuSchema, { minItems: 1, maxItems: 30 }),
    hours: BusinessHoursSchema,
  },
  { additionalProperties: false },
);

export const HotlineQueueSchema = Type.Object(
  {
    name: Id,
    label: Type.String({ minLength: 1, maxLength: 64 }),
    strategy: Type.Union(QUEUE_STRATEGIES.map((s) => Type.Literal(s))),
    /** Seconds each member rings (three rings ≈ 15 s). */
    ringTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 120 }),
    /** Members with their skill as penalty (0 = rung first). */
    members: Type.Array(Type.Object({ seat: SeatExt, penalty: Type.Integer({ minimum: 0, maximum: 10 }) }, { additionalProperties: false }), { maxItems: 60 }),
    moh: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
    announcePosition: Type.Boolean(),
    announceHoldtime: Type.Boolean(),
    announceFrequency: Type.Integer({ minimum: 10, maximum: 600 }),
    maxWaitSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
    survey: Type.Boolean(),
    overflow: Type.Object(
      {
        /** Telesales seats rung together after the queue wait. */
        seats: Type.Array(SeatExt, { maxItems: 48 }),
        whenNoAgentFree: Type.Boolean(),
        thenAfterSeconds: Type.Integer({ minimum: 5, maximum: 600 }),
        final: Type.Union(OVERFLOW_FINALS.map((f) => Type.Literal(f))),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** Seats allowed to listen / whisper / barge (the dialplan refuses the others). */
export const MonitoringDocSchema = Type.Object({ supervisorSeats: Type.Array(SeatExt, { maxItems: 48 }) }, { additionalProperties: false });
export type MonitoringDoc = Static<typeof MonitoringDocSchema>;

export const QueuesDocSchema = Type.Object({ queues: Type.Array(HotlineQueueSchema, { maxItems: 20 }) }, { additionalProperties: false });

export type Destination = Static<typeof DestinationSchema>;
export type IvrMenu = Static<typeof IvrMenuSchema>;
export type IvrDoc = Static<typeof IvrDocSchema>;
export type BusinessHours = Static<typeof BusinessHoursSchema>;
export type HotlineQueue = Static<typeof HotlineQueueSchema>;
export type QueuesDoc = Static<typeof QueuesDocSchema>;

/**
 * China's official holiday dates are published by the State Council each November/December for
 * the next year; we do not preload them (a wrong date silently closes the hotline). The editor
 * shows an empty, editable list with a note.
 */
export function defaultIvr(): IvrDoc {
  return {
    did: '4000000000',
    maxConcurrent: 8,
    faxDetect: false,
    useBusinessHours: true,
    entryMenu: 'main',
    menus: [{ id: 'main', name: '主菜单', prompt: null, timeoutSeconds: 5, maxRetries: 2, invalidPrompt: null, options: [{ digit: '1', destination: { kind: 'queue', target: 'hotline' } }], fallback: { kind: 'queue', target: 'hotline' } }],
    hours: {
      weekly: [{ days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' }],
      holidays: [],
      makeupWorkdays: [],
      makeupHours: { open: '09:00', close: '18:00' },
      closedPrompt: null,
      closedDestination: { kind: 'voicemail' },
    },
  };
}

export function defaultQueues(): QueuesDoc {
  return {
    queues: [
      {
        name: 'hotline',
        label: '400 热线',
        strategy: 'ringall',
        ringTimeoutSeconds: 15,
        members: [],
        moh: 'default',
        announcePosition: true,
        announceHoldtime: false,
        announceFrequency: 60,
        maxWaitSeconds: 60,
        survey: false,
        overflow: { seats: [], whenNoAgentFree: true, thenAfterSeconds: 20, final: 'callback' },
      },
    ],
  };
}
