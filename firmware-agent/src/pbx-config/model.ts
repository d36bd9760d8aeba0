// The PBX model: everything the Asterisk configuration is generated from. It is validated
// (schema + semantic checks) before anything is rendered: the templates are rendered with
// Handlebars `noEscape`, so every value that reaches a template must be safe here.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DahdiConfigSchema, type DahdiConfig } from '../hardware/config.js';
import { validateDahdiConfig } from '../hardware/validate.js';
import { patternLength, patternProblem, patternsOverlap } from './patterns.js';

// ---------------------------------------------------------------------------------------
// Building blocks. `errorMessage` is our own schema annotation: it replaces TypeBox's
// generic text ("Expected string to match '^...$'") in the errors we report.

const opt = (errorMessage: string, extra: Record<string, unknown> = {}) => ({ errorMessage, ...extra });

const Port = Type.Integer({ minimum: 1, maximum: 65535, ...opt('must be an integer port number 1-65535') });
const UnprivPort = Type.Integer({ minimum: 1024, maximum: 65535, ...opt('must be an integer port number 1024-65535') });

/** Absolute path without "..", spaces or shell/config metacharacters; no trailing slash. */
const AbsPath = Type.String({
  pattern: '^(/[A-Za-z0-9_.+-]+)+$',
  maxLength: 200,
  ...opt('must be an absolute path made of A-Z a-z 0-9 _ . + - segments, without a trailing slash'),
});

const Ipv4 = Type.String({
  pattern: '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$',
  ...opt('must be an IPv4 address such as 192.168.1.10'),
});

const HostOrIpv4 = Type.String({
  pattern: '^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
  ...opt('must be an IPv4 address or a DNS host name'),
});

const Cidr4 = Type.String({
  pattern:
    '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$',
  ...opt('must be an IPv4 network in CIDR form such as 192.168.0.0/16'),
});

/** Names used as config section names, SIP user names, dialplan extensions and queue names. */
const ObjectId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$',
  ...opt('must be 1-40 characters of A-Z a-z 0-9 _ - starting with a letter or digit'),
});

const ContextName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$',
  ...opt('must be a dialplan context name (A-Z a-z 0-9 _ -)'),
});

/** SIP digest password / AMI secret: printable ASCII, no blanks, no quote or backslash. */
const Secret = Type.String({
  pattern: '^[!#-\\[\\]-~]{8,128}$',
  ...opt('must be 8-128 printable ASCII characters without spaces, \'"\' or \'\\\'', { minLength: 8, maxLength: 128 }),
});

/** Display name for caller ID: any text (Chinese included) except quotes, <>, backslash. */
const DisplayName = Type.String({
  pattern: '^[^"<>\\\\\\u0000-\\u001f\\u007f]{1,64}$',
  ...opt('must be 1-64 characters without \'"\', \'<\', \'>\' or \'\\\''),
});

export const CODECS = ['ulaw', 'alaw', 'gsm', 'g722'] as const;
export type Codec = (typeof CODECS)[number];
const CodecSchema = Type.Union(
  CODECS.map((c) => Type.Literal(c)),
  opt(`must be one of ${CODECS.join(', ')}`),
);

export const TONE_ZONES = ['cn', 'us'] as const;
export type ToneZone = (typeof TONE_ZONES)[number];

export const QUEUE_STRATEGIES = [
  'ringall',
  'leastrecent',
  'fewestcalls',
  'random',
  'rrmemory',
  'rrordered',
  'linear',
  'wrandom',
] as const;
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];

const Seconds = (min: number, max: number) =>
  Type.Integer({ minimum: min, maximum: max, ...opt(`must be an integer number of seconds ${min}-${max}`) });
const Percent = Type.Integer({ minimum: 0, maximum: 100, ...opt('must be an integer percentage 0-100') });

// ---------------------------------------------------------------------------------------
// The model.

export const PathsSchema = Type.Object(
  {
    /** Directories as Asterisk sees them (inside the chroot on the appliance). */
    etc: AbsPath,
    varlib: AbsPath,
    spool: AbsPath,
    run: AbsPath,
    log: AbsPath,
    data: AbsPath,
    mod: AbsPath,
  },
  { additionalProperties: false },
);

export const EndpointSchema = Type.Object(
  {
    id: ObjectId,
    secret: Secret,
    callerName: Type.Optional(DisplayName),
    context: ContextName,
    codecs: Type.Array(CodecSchema, { minItems: 1, maxItems: 4, ...opt('must list 1-4 codecs') }),
    maxContacts: Type.Integer({ minimum: 1, maximum: 10, ...opt('must be an integer 1-10') }),
  },
  { additionalProperties: false },
);

export const QueueMemberSchema = Type.Object(
  {
    /** Endpoint id; rendered as PJSIP/<endpoint>. */
    endpoint: ObjectId,
    penalty: Type.Integer({ minimum: 0, maximum: 100, ...opt('must be an integer 0-100') }),
  },
  { additionalProperties: false },
);

/**
 * A sound as Asterisk plays it, no extension: a stock sound relative to the sounds dir
 * ("demo-congrats", "silence/1"), or an uploaded/TTS prompt by absolute path inside the
 * instance, "<paths.varlib>/sounds/custom/ivr-<id>" (customPromptSound; the file is
 * <dataDir>/asterisk/lib/sounds/custom/ivr-<id>.wav on the host). Segments have no dots, so no
 * "..". Absolute paths must lie under paths.varlib (checked in hotlineIssues).
 */
export const SoundName = Type.String({
  pattern: '^/?[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
  maxLength: 160,
  ...opt('must be a sound name such as "demo-congrats" or "/seatbox/lib/sounds/custom/ivr-welcome" (no extension)'),
});

/** Final step of a queue overflow (after the overflow seats did not answer). */
export const OVERFLOW_FINALS = ['voicemail', 'callback', 'hangup'] as const;
export type OverflowFinal = (typeof OVERFLOW_FINALS)[number];

export const QueueOverflowSchema = Type.Object(
  {
    /** Leave the queue after this many seconds of waiting (Queue() timeout). Absent = queue.maxWaitSeconds. */
    afterSeconds: Type.Optional(Seconds(5, 3600)),
    /** Also overflow at once when no member is free (joinempty/leavewhenempty = paused,inuse,...). */
    whenNoAgentFree: Type.Boolean(opt('must be true or false')),
    /** Seat extensions rung together (ringall) on overflow, e.g. the manager's telesales seats. */
    seats: Type.Array(Type.String({ pattern: '^[2-8][0-9]{2,5}$', ...opt('must be a seat extension') }), { maxItems: 48 }),
    /** How long the overflow seats ring before the final step. */
    thenAfterSeconds: Seconds(5, 600),
    final: Type.Union(
      OVERFLOW_FINALS.map((k) => Type.Literal(k)),
      opt(`must be one of ${OVERFLOW_FINALS.join(', ')}`),
    ),
  },
  { additionalProperties: false },
);

export const QueueSchema = Type.Object(
  {
    name: ObjectId,
    strategy: Type.Union(
      QUEUE_STRATEGIES.map((s) => Type.Literal(s)),
      opt(`must be one of ${QUEUE_STRATEGIES.join(', ')}`),
    ),
    /** Seconds a member's phone rings before the next attempt. */
    timeout: Seconds(1, 600),
    /** Seconds to wait before ringing members again after a round failed. */
    retry: Seconds(0, 600),
    wrapupSeconds: Seconds(0, 3600),
    /** 0 = unlimited callers waiting. */
    maxLength: Type.Integer({ minimum: 0, maximum: 10000, ...opt('must be an integer 0-10000') }),
    members: Type.Array(QueueMemberSchema, { maxItems: 200 }),
    // --- Inbound hotline options (issue: inbound hotline). All optional; absent = old behaviour.
    /** Music-on-hold class while waiting (musiconhold.conf; "default" when absent). */
    musicClass: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', ...opt('must be a music-on-hold class name (letters, digits, _ -)') })),
    /** Tell a waiting caller their position in the queue. */
    announcePosition: Type.Optional(Type.Boolean(opt('must be true or false'))),
    /** Tell a waiting caller the expected hold time. */
    announceHoldtime: Type.Optional(Type.Boolean(opt('must be true or false'))),
    /** Seconds between position/holdtime announcements (default 30 when one is on). */
    announceFrequency: Type.Optional(Seconds(10, 600)),
    /** Seconds a caller waits in the queue at most before the overflow (or hangup). Absent = no limit. */
    maxWaitSeconds: Type.Optional(Seconds(5, 3600)),
    /** What happens after maxWaitSeconds or when no agent is free. */
    overflow: Type.Optional(QueueOverflowSchema),
    /** Offer the satisfaction survey (model.survey) to the caller after the agent hangs up. */
    survey: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);

export const DemoSchema = Type.Object(
  {
    enabled: Type.Boolean(opt('must be true or false')),
    answerPercent: Percent,
    busyPercent: Percent,
    noAnswerPercent: Percent,
    ringMinSeconds: Seconds(0, 120),
    ringMaxSeconds: Seconds(0, 120),
    talkMinSeconds: Seconds(0, 3600),
    talkMaxSeconds: Seconds(0, 3600),
    /** How long an unanswered simulated call rings before it gives up (cause 19). */
    noAnswerSeconds: Seconds(1, 600),
    /** How long a seat dialing 9+number waits for the simulated PSTN. */
    dialTimeoutSeconds: Seconds(1, 600),
    /** Sound played when a simulated callee answers (name under the sounds dir, no extension). */
    sound: Type.String({
      pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
      maxLength: 80,
      ...opt('must be a sound name such as "demo-congrats" or "custom/greeting" (no extension)'),
    }),
  },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------------------
// Seats, trunks, routes, feature codes (issue 3). All optional at the top level so older
// callers stay valid; absent = none / defaults (see defaultModel()).

/**
 * A seat's extension: 3-6 digits not starting with 0 (long-distance prefix), 1 (mobile and
 * emergency numbers) or 9 (outside-line prefix). Endpoint ids and FXS seats use it.
 */
export const SEAT_EXTENSION_PATTERN = '^[2-8][0-9]{2,5}$';
const SeatExtension = Type.String({
  pattern: SEAT_EXTENSION_PATTERN,
  ...opt('must be a seat extension: 3-6 digits not starting with 0, 1 or 9'),
});

const DahdiChannel = Type.Integer({ minimum: 1, maximum: 4096, ...opt('must be a DAHDI channel number 1-4096') });

/** An analog phone on an FXS port of a telephony card; dialled as DAHDI/<channel>. */
export const FxsSeatSchema = Type.Object(
  {
    extension: SeatExtension,
    /** DAHDI channel of the FXS port (must be an FXS port of model.dahdi). */
    dahdiChannel: DahdiChannel,
    callerName: Type.Optional(DisplayName),
  },
  { additionalProperties: false },
);

/** SIP user part (auth user, contact user, from user): no blanks, quotes, '@', ':' or ';'. */
const SipUser = Type.String({
  pattern: '^\\+?[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$',
  ...opt('must be 1-64 characters of A-Z a-z 0-9 . _ ~ - (an optional leading +)'),
});
/** A carrier's password: printable ASCII without blanks, quote or backslash (may be short). */
const TrunkSecret = Type.String({
  pattern: '^[!#-\\[\\]-~]{1,128}$',
  ...opt('must be 1-128 printable ASCII characters without spaces, \'"\' or \'\\\'', { minLength: 1, maxLength: 128 }),
});
const CallerIdNumber = Type.String({ pattern: '^\\+?[0-9]{1,20}$', ...opt('must be a phone number: 1-20 digits, optionally starting with +') });
const IpOrCidr4 = Type.String({
  pattern:
    '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(/([0-9]|[12][0-9]|3[0-2]))?$',
  ...opt('must be an IPv4 address or network such as 203.0.113.5 or 203.0.113.0/24'),
});
const MaxChannels = Type.Integer({ minimum: 1, maximum: 1000, ...opt('must be an integer 1-1000 (simultaneous calls)') });

export const CALLER_PRESENTATIONS = ['allowed', 'restricted'] as const;
export type CallerPresentation = (typeof CALLER_PRESENTATIONS)[number];

/** What the carrier is told about the caller on calls out through a trunk. */
export const TrunkCallerIdSchema = Type.Object(
  {
    /** Number presented (usually the box's main number/DID); absent: the carrier's default. */
    number: Type.Optional(CallerIdNumber),
    name: Type.Optional(DisplayName),
    /** restricted: caller ID withheld (CALLERPRES prohib; SIP: anonymous From + Privacy: id). */
    presentation: Type.Union(
      CALLER_PRESENTATIONS.map((p) => Type.Literal(p)),
      opt(`must be one of ${CALLER_PRESENTATIONS.join(', ')}`),
    ),
  },
  { additionalProperties: false },
);

export const DTMF_MODES = ['rfc4733', 'inband', 'info', 'auto'] as const;

export const SipTrunkSchema = Type.Object(
  {
    /** Section name of the endpoint/aor/identify objects; unique among trunks and endpoints. */
    id: ObjectId,
    kind: Type.Literal('sip', opt('must be "sip" or "dahdi"')),
    /** Human label (generated comments, UI). */
    name: Type.Optional(DisplayName),
    /** The carrier's SIP server (outbound calls, registration, and inbound IP match). */
    host: HostOrIpv4,
    port: Port,
    codecs: Type.Array(CodecSchema, { minItems: 1, maxItems: 4, ...opt('must list 1-4 codecs') }),
    maxChannels: MaxChannels,
    callerId: Type.Optional(TrunkCallerIdSchema),
    /** A dedicated fax line: every inbound call goes to the fax receiver (seatbox-fax-in). */
    faxLine: Type.Optional(Type.Boolean(opt('must be true or false'))),
    /** Digest credentials for REGISTER and challenged INVITEs (outbound_auth). */
    auth: Type.Optional(Type.Object({ username: SipUser, secret: TrunkSecret }, { additionalProperties: false })),
    /** Present = register to host:port (needs auth); absent = IP authentication only. */
    registration: Type.Optional(
      Type.Object(
        {
          /** User of client_uri and contact_user (default: auth.username). */
          contactUser: Type.Optional(SipUser),
          expirationSeconds: Type.Integer({ minimum: 60, maximum: 86400, ...opt('must be an integer number of seconds 60-86400') }),
          retrySeconds: Type.Integer({ minimum: 10, maximum: 3600, ...opt('must be an integer number of seconds 10-3600') }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Further source addresses of the carrier (IP authentication); host is always matched. */
    match: Type.Optional(Type.Array(IpOrCidr4, { maxItems: 16, ...opt('must list at most 16 addresses') })),
    fromUser: Type.Optional(SipUser),
    fromDomain: Type.Optional(HostOrIpv4),
    /** OPTIONS keep-alive every N s (0 = off); a trunk that stops answering is skipped by routes. */
    qualifySeconds: Type.Integer({ minimum: 0, maximum: 3600, ...opt('must be an integer number of seconds 0-3600') }),
    dtmfMode: Type.Optional(Type.Union(DTMF_MODES.map((d) => Type.Literal(d)), opt(`must be one of ${DTMF_MODES.join(', ')}`))),
  },
  { additionalProperties: false },
);

/** Analog FXO lines or E1/T1 spans: the chan_dahdi channels of a group, dialled DAHDI/g<group>/<number>. */
export const DahdiTrunkSchema = Type.Object(
  {
    id: ObjectId,
    kind: Type.Literal('dahdi', opt('must be "sip" or "dahdi"')),
    name: Type.Optional(DisplayName),
    /** chan_dahdi group (trunkGroup of FXO ports / PRI / R2 spans in model.dahdi). */
    group: Type.Integer({ minimum: 0, maximum: 63, ...opt('must be a channel group 0-63') }),
    maxChannels: MaxChannels,
    callerId: Type.Optional(TrunkCallerIdSchema),
    /** A dedicated fax line: every inbound call goes to the fax receiver (seatbox-fax-in). */
    faxLine: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);

export const TrunkSchema = Type.Union([SipTrunkSchema, DahdiTrunkSchema]);

/**
 * Dial pattern, Asterisk syntax without the leading "_": digits, * # +, X (0-9), Z (1-9),
 * N (2-9), [ranges] such as [3-9] or [1358], and an optional final "." (one or more more
 * characters) or "!" (zero or more).
 */
export const DIAL_PATTERN_RE = /^(?:[0-9*#+XZN]|\[(?:[0-9](?:-[0-9])?)+\])+[.!]?$/;
const DialPattern = Type.String({
  pattern: DIAL_PATTERN_RE.source,
  maxLength: 40,
  ...opt('must be a dial pattern of digits, * # +, X (0-9), Z (1-9), N (2-9), [ranges] and an optional final . or !'),
});

/** An outbound route: numbers matching one of the patterns go out through the trunks, in order. */
export const RouteSchema = Type.Object(
  {
    name: ObjectId,
    description: Type.Optional(DisplayName),
    /** Matched against the number after the outside-line prefix. */
    patterns: Type.Array(DialPattern, { minItems: 1, maxItems: 32, ...opt('must list 1-32 patterns') }),
    /** Digits removed from the front of the number (after the outside-line prefix). */
    stripDigits: Type.Integer({ minimum: 0, maximum: 20, ...opt('must be an integer 0-20') }),
    /** Added in front after stripping, e.g. "+86". */
    prepend: Type.String({ pattern: '^[0-9+*#]{0,20}$', ...opt('must be 0-20 characters of 0-9 + * #') }),
    /** Trunk ids, tried in order; the next is tried only when a trunk fails (not on busy/no answer). */
    trunks: Type.Array(ObjectId, { minItems: 1, maxItems: 8, ...opt('must list 1-8 trunks') }),
  },
  { additionalProperties: false },
);

export const INBOUND_DESTINATION_KINDS = ['seat', 'queue', 'hangup', 'fax'] as const;

/** An inbound call to `did` (as the trunk delivers it; "any" = every other number) goes to destination. */
export const InboundRouteSchema = Type.Object(
  {
    did: Type.String({ pattern: '^(any|\\+?[0-9]{1,20})$', ...opt('must be "any" or a number (1-20 digits, optional leading +)') }),
    destination: Type.Object(
      {
        kind: Type.Union(
          INBOUND_DESTINATION_KINDS.map((k) => Type.Literal(k)),
          opt(`must be one of ${INBOUND_DESTINATION_KINDS.join(', ')}`),
        ),
        /** Seat extension or queue name; absent for hangup. */
        target: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$', ...opt('must be a seat extension or queue name') })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const DialingSchema = Type.Object(
  {
    /** Digit(s) dialled before an outside number, e.g. "9"; "" = none. */
    outsidePrefix: Type.String({ pattern: '^[0-9]{0,2}$', ...opt('must be empty or 1-2 digits') }),
    /** How long a seat rings on an internal/inbound call before "no answer". */
    seatRingSeconds: Seconds(5, 300),
    /** How long an outbound call may ring at the far end. */
    trunkRingSeconds: Seconds(10, 300),
    /** Trunks for emergency numbers, in order (absent: every trunk, in model order). */
    emergencyTrunks: Type.Optional(Type.Array(ObjectId, { maxItems: 16 })),
  },
  { additionalProperties: false },
);

const FeatureCode = Type.String({ pattern: '^[*#]?[0-9]{2,5}$', ...opt('must be 2-5 digits, optionally starting with * or #') });

/** Codes dialled from a seat (agent login *21*<agent>*<pin>, logout, pause [+reason digit], ready). */
export const FeatureCodesSchema = Type.Object(
  { login: FeatureCode, logout: FeatureCode, pause: FeatureCode, ready: FeatureCode },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------------------
// Inbound hotline: IVR, business hours, survey, monitoring (issue: inbound hotline).

export const HOTLINE_DESTINATION_KINDS = ['menu', 'queue', 'seat', 'hangup', 'voicemail', 'callback', 'fax'] as const;
export type HotlineDestinationKind = (typeof HOTLINE_DESTINATION_KINDS)[number];

/**
 * Where an IVR option / timeout / closed-hours call goes. target: menu id (kind menu, same IVR),
 * queue name (queue; also for callback = the queue the callback request is for), seat extension
 * (seat); absent for hangup, voicemail (the hotline mailbox) and fax.
 */
export const HotlineDestinationSchema = Type.Object(
  {
    kind: Type.Union(
      HOTLINE_DESTINATION_KINDS.map((k) => Type.Literal(k)),
      opt(`must be one of ${HOTLINE_DESTINATION_KINDS.join(', ')}`),
    ),
    target: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$', ...opt('must be a menu id, queue name or seat extension') })),
  },
  { additionalProperties: false },
);

export const IvrOptionSchema = Type.Object(
  {
    /** One DTMF key. */
    digit: Type.String({ pattern: '^[0-9*#]$', ...opt('must be one key: 0-9, * or #') }),
    destination: HotlineDestinationSchema,
  },
  { additionalProperties: false },
);

export const IvrMenuSchema = Type.Object(
  {
    id: ObjectId,
    /** Played with Background() (keys interrupt it). */
    prompt: SoundName,
    options: Type.Array(IvrOptionSchema, { maxItems: 12 }),
    /** Seconds WaitExten() waits for a key after the prompt. */
    timeoutSeconds: Seconds(1, 60),
    /** Replays after a wrong key or silence before `fallback`. 0 = go to fallback at the first miss. */
    maxRetries: Type.Integer({ minimum: 0, maximum: 9, ...opt('must be an integer 0-9') }),
    /** Played after a wrong key (default: stock "option-is-invalid"). */
    invalidPrompt: Type.Optional(SoundName),
    /** Played after silence (default: none, the menu prompt is replayed). */
    timeoutPrompt: Type.Optional(SoundName),
    /** Where the caller goes when retries are used up. */
    fallback: HotlineDestinationSchema,
  },
  { additionalProperties: false },
);

export const IvrSchema = Type.Object(
  {
    id: ObjectId,
    /** Menu the caller hears first. */
    entryMenu: ObjectId,
    menus: Type.Array(IvrMenuSchema, { minItems: 1, maxItems: 64, ...opt('must list 1-64 menus') }),
  },
  { additionalProperties: false },
);

const DateText = Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', ...opt('must be a date YYYY-MM-DD') });
const TimeText = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', ...opt('must be a time HH:MM (00:00-24:00)') });

export const OpenRangeSchema = Type.Object(
  {
    /** ISO weekdays 1 (Monday) - 7 (Sunday). */
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7, ...opt('must be a weekday 1 (Mon) - 7 (Sun)') }), { minItems: 1, maxItems: 7 }),
    open: TimeText,
    /** Exclusive; must be after open. */
    close: TimeText,
  },
  { additionalProperties: false },
);

/** Opening hours in Asia/Shanghai with China's holiday calendar. */
export const BusinessHoursSchema = Type.Object(
  {
    timeZone: Type.Literal('Asia/Shanghai', opt('must be "Asia/Shanghai"')),
    weekly: Type.Array(OpenRangeSchema, { maxItems: 21 }),
    /** Public holidays: closed all day whatever the weekday. */
    holidays: Type.Array(DateText, { maxItems: 400 }),
    /** Make-up working days (调休上班): open with makeupHours even on a Saturday/Sunday. */
    makeupWorkdays: Type.Array(DateText, { maxItems: 100 }),
    makeupHours: Type.Object({ open: TimeText, close: TimeText }, { additionalProperties: false }),
    /** Played when closed (before closedDestination). */
    closedPrompt: Type.Optional(SoundName),
    closedDestination: HotlineDestinationSchema,
    /**
     * Tests only: honour channel variable SEATBOX_NOW (epoch seconds) instead of the clock.
     * Never set on a real box.
     */
    testClock: Type.Optional(Type.Boolean(opt('must be true or false'))),
  },
  { additionalProperties: false },
);

export const SurveySchema = Type.Object(
  {
    enabled: Type.Boolean(opt('must be true or false')),
    /** "Please rate us 1 to 5". */
    prompt: SoundName,
    /** Played after a valid score (optional). */
    thanksPrompt: Type.Optional(SoundName),
    /** Seconds to wait for the digit. */
    timeoutSeconds: Seconds(1, 30),
  },
  { additionalProperties: false },
);

export const HotlineSchema = Type.Object(
  {
    id: ObjectId,
    /** Numbers (as the trunk delivers them) answered by this hotline; they must not also be inboundRoutes. */
    dids: Type.Array(Type.String({ pattern: '^\\+?[0-9]{1,20}$', ...opt('must be a number (1-20 digits, optional leading +)') }), { minItems: 1, maxItems: 16 }),
    /** IVR id (model.ivrs) the caller enters (after business hours). */
    ivr: ObjectId,
    /** Simultaneous hotline calls; over it the caller hears busyPrompt (or busy tone). Default 8. */
    maxConcurrent: Type.Integer({ minimum: 1, maximum: 64, ...opt('must be an integer 1-64') }),
    busyPrompt: Type.Optional(SoundName),
    /** Detect fax CNG tones and send the call to the fax context (seatbox-fax-in). */
    faxDetect: Type.Boolean(opt('must be true or false')),
    /** Check model.businessHours first. */
    useBusinessHours: Type.Boolean(opt('must be true or false')),
    /** Played before the voicemail beep (voicemail destinations). */
    voicemailPrompt: Type.Optional(SoundName),
    /** Played before asking for the callback number (callback destinations). */
    callbackPrompt: Type.Optional(SoundName),
  },
  { additionalProperties: false },
);

/** Supervisor listen/whisper/barge through ChanSpy (context seatbox-monitor). */
export const MonitoringSchema = Type.Object(
  {
    enabled: Type.Boolean(opt('must be true or false')),
    /** Seats allowed to listen in (the dialplan refuses others). */
    supervisorSeats: Type.Array(Type.String({ pattern: '^[2-8][0-9]{2,5}$', ...opt('must be a seat extension') }), { maxItems: 48 }),
  },
  { additionalProperties: false },
);

export const PbxModelSchema = Type.Object(
  {
    /** Config revision; shown in the dialplan sentinel and read back after reloads. */
    revision: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
      ...opt('must be 1-64 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit'),
    }),
    paths: PathsSchema,
    ami: Type.Object(
      {
        port: UnprivPort,
        username: ObjectId,
        secret: Secret,
      },
      { additionalProperties: false },
    ),
    sip: Type.Object(
      {
        bind: Ipv4,
        port: Port,
        rtpStart: UnprivPort,
        rtpEnd: UnprivPort,
        externalAddress: Type.Optional(HostOrIpv4),
        /** Networks that are "inside" when externalAddress is set (pjsip local_net). */
        localNets: Type.Optional(Type.Array(Cidr4, { maxItems: 16 })),
      },
      { additionalProperties: false },
    ),
    toneZone: Type.Union(
      TONE_ZONES.map((z) => Type.Literal(z)),
      opt(`must be one of ${TONE_ZONES.join(', ')}`),
    ),
    moh: Type.Object(
      {
        /** Directory (as Asterisk sees it) of the "default" music-on-hold class. */
        directory: AbsPath,
      },
      { additionalProperties: false },
    ),
    endpoints: Type.Array(EndpointSchema, { maxItems: 256, ...opt('must be a list of at most 256 endpoints') }),
    queues: Type.Array(QueueSchema, { maxItems: 64, ...opt('must be a list of at most 64 queues') }),
    demo: DemoSchema,
    fxsSeats: Type.Optional(Type.Array(FxsSeatSchema, { maxItems: 256, ...opt('must be a list of at most 256 FXS seats') })),
    trunks: Type.Optional(Type.Array(TrunkSchema, { maxItems: 64, ...opt('must be a list of at most 64 trunks') })),
    /** Outbound routes in priority order: the first route with a matching pattern wins. */
    routes: Type.Optional(Type.Array(RouteSchema, { maxItems: 64, ...opt('must be a list of at most 64 routes') })),
    inboundRoutes: Type.Optional(Type.Array(InboundRouteSchema, { maxItems: 512, ...opt('must be a list of at most 512 inbound routes') })),
    dialing: Type.Optional(DialingSchema),
    featureCodes: Type.Optional(FeatureCodesSchema),
    /**
     * The telephony cards' configuration (hardware/ DahdiConfig). Present with spans = the box
     * loads chan_dahdi and gets a chan_dahdi.conf. Checked by hardware's validateDahdiConfig.
     */
    dahdi: Type.Optional(DahdiConfigSchema),
    /** Inbound hotline (issue: inbound hotline). All optional. */
    ivrs: Type.Optional(Type.Array(IvrSchema, { maxItems: 16, ...opt('must be a list of at most 16 IVRs') })),
    businessHours: Type.Optional(BusinessHoursSchema),
    survey: Type.Optional(SurveySchema),
    hotlines: Type.Optional(Type.Array(HotlineSchema, { maxItems: 8, ...opt('must be a list of at most 8 hotlines') })),
    monitoring: Type.Optional(MonitoringSchema),
    /** Fax identity (issue: recording and fax): T.30 station ID and page header. */
    fax: Type.Optional(
      Type.Object(
        {
          stationId: Type.Optional(Type.String({ pattern: '^[0-9+ ]{1,20}$', ...opt('must be 1-20 characters of digits, + and spaces') })),
          header: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9 ._+-]{1,40}$', ...opt('must be 1-40 characters of A-Z a-z 0-9 space . _ + -') })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type PbxModel = Static<typeof PbxModelSchema>;
export type PbxEndpoint = Static<typeof EndpointSchema>;
export type PbxQueue = Static<typeof QueueSchema>;
export type PbxDemo = Static<typeof DemoSchema>;
export type PbxPaths = Static<typeof PathsSchema>;
export type PbxFxsSeat = Static<typeof FxsSeatSchema>;
export type PbxSipTrunk = Static<typeof SipTrunkSchema>;
export type PbxDahdiTrunk = Static<typeof DahdiTrunkSchema>;
export type PbxTrunk = Static<typeof TrunkSchema>;
export type PbxTrunkCallerId = Static<typeof TrunkCallerIdSchema>;
export type PbxRoute = Static<typeof RouteSchema>;
export type PbxInboundRoute = Static<typeof InboundRouteSchema>;
export type PbxDialing = Static<typeof DialingSchema>;
export type PbxFeatureCodes = Static<typeof FeatureCodesSchema>;
export type PbxQueueOverflow = Static<typeof QueueOverflowSchema>;
export type PbxHotlineDestination = Static<typeof HotlineDestinationSchema>;
export type PbxIvrOption = Static<typeof IvrOptionSchema>;
export type PbxIvrMenu = Static<typeof IvrMenuSchema>;
export type PbxIvr = Static<typeof IvrSchema>;
export type PbxOpenRange = Static<typeof OpenRangeSchema>;
export type PbxBusinessHours = Static<typeof BusinessHoursSchema>;
export type PbxSurvey = Static<typeof SurveySchema>;
export type PbxHotline = Static<typeof HotlineSchema>;
export type PbxMonitoring = Static<typeof MonitoringSchema>;
/** Default simultaneous hotline calls (the box has 8 IVR channels). */
export const DEFAULT_HOTLINE_MAX_CONCURRENT = 8;
/** Directory of the uploaded/TTS prompts relative to paths.varlib (as Asterisk and the host see it). */
export const CUSTOM_PROMPT_SUBDIR = 'sounds/custom';
/**
 * Sound of an uploaded/TTS prompt id: the absolute in-instance path
 * "<varlib>/sounds/custom/ivr-<id>" (no extension), e.g. /seatbox/lib/sounds/custom/ivr-welcome.
 */
export const customPromptSound = (varlib: string, id: string): string => `${varlib.replace(/\/+$/, '')}/${CUSTOM_PROMPT_SUBDIR}/ivr-${id}`;
export type { DahdiConfig as PbxDahdi } from '../hardware/config.js';

/** Contexts the generated dialplan always has (the demo ones only when demo.enabled). */
export const CONTEXTS = {
  meta: 'seatbox-meta',
  internal: 'seatbox-internal',
  queueEntry: 'seatbox-queue-entry',
  pstnSim: 'seatbox-pstn-sim',
  demoAgent: 'seatbox-demo-agent',
  /** Exact seat extensions (SIP and FXS) and how their calls end (busy, unavailable...). */
  seats: 'seatbox-seats',
  /** Inbound calls from every trunk, by DID (inboundRoutes). */
  fromTrunk: 'seatbox-from-trunk',
  /** Outbound routes, one context per route included in route order: seatbox-route-<name>. */
  outbound: 'seatbox-outbound',
} as const;

/** Emergency numbers in China (police, fire, ambulance, traffic police): always allowed, routed first. */
/** pjsip.conf section of the one UDP transport (render.ts TRANSPORT_NAME). */
export const TRANSPORT_SECTION = 'seatbox-udp';

export const EMERGENCY_NUMBERS = ['110', '119', '120', '122'] as const;

/** Ready-made patterns for Chinese numbers (route patterns, without outside-line prefix). */
export const CN_PATTERNS = {
  /** Mobile: 1[3-9] + 9 digits. */
  mobile: ['1[3-9]XXXXXXXXX'],
  /** Landline with area code: 0 + area code (10, 2X, or 3 digits) + 7-8 digits = 11 or 12 digits. */
  landline: ['0[1-9]XXXXXXXXX', '0[1-9]XXXXXXXXXX'],
  /** Local landline without area code: 7-8 digits not starting with 0, 1 or 9. */
  local: ['[2-8]XXXXXX', '[2-8]XXXXXXX'],
  /** Toll-free / shared-cost service numbers. */
  service: ['400XXXXXXX', '800XXXXXXX'],
} as const;

export const DEFAULT_FEATURE_CODES: PbxFeatureCodes = { login: '*21', logout: '*22', pause: '*23', ready: '*24' };

export const DEFAULT_DIALING: PbxDialing = { outsidePrefix: '9', seatRingSeconds: 30, trunkRingSeconds: 60 };

// ---------------------------------------------------------------------------------------
// Defaults.

/** The directories as Asterisk sees them in the SeatBox chroot sandbox. */
export const SANDBOX_PATHS: PbxPaths = {
  etc: '/seatbox/etc',
  varlib: '/seatbox/lib',
  spool: '/seatbox/spool',
  run: '/seatbox/run',
  log: '/seatbox/log',
  data: '/usr/share/asterisk',
  mod: '/usr/lib/x86_64-linux-gnu/asterisk/modules',
};

export const DEFAULT_DEMO: PbxDemo = {
  enabled: true,
  answerPercent: 60,
  busyPercent: 15,
  noAnswerPercent: 15,
  ringMinSeconds: 1,
  ringMaxSeconds: 6,
  talkMinSeconds: 10,
  talkMaxSeconds: 60,
  noAnswerSeconds: 45,
  dialTimeoutSeconds: 60,
  sound: 'demo-congrats',
};

export interface DefaultModelInit {
  revision: string;
  /** The generated AMI secret (required: there is no default secret). */
  amiSecret: string;
  amiUsername?: string;
  amiPort?: number;
  paths?: Partial<PbxPaths>;
  sip?: Partial<PbxModel['sip']>;
  toneZone?: ToneZone;
  mohDirectory?: string;
  endpoints?: PbxEndpoint[];
  queues?: PbxQueue[];
  demo?: Partial<PbxDemo>;
  fxsSeats?: PbxFxsSeat[];
  trunks?: PbxTrunk[];
  routes?: PbxRoute[];
  inboundRoutes?: PbxInboundRoute[];
  dialing?: Partial<PbxDialing>;
  featureCodes?: Partial<PbxFeatureCodes>;
  dahdi?: DahdiConfig;
}

/** A complete model with SeatBox defaults (sandbox paths, UDP 5060, RTP 10000-10999, cn tones). */
export function defaultModel(init: DefaultModelInit): PbxModel {
  const paths = { ...SANDBOX_PATHS, ...init.paths };
  return {
    revision: init.revision,
    paths,
    ami: { port: init.amiPort ?? 5038, username: init.amiUsername ?? 'seatbox', secret: init.amiSecret },
    sip: { bind: '0.0.0.0', port: 5060, rtpStart: 10000, rtpEnd: 10999, ...init.sip },
    toneZone: init.toneZone ?? 'cn',
    // Debian's default music-on-hold directory: "moh" relative to astdatadir.
    moh: { directory: init.mohDirectory ?? `${paths.data}/moh` },
    endpoints: init.endpoints ?? [],
    queues: init.queues ?? [],
    demo: demoWithDefaults(init.demo ?? {}),
    fxsSeats: init.fxsSeats ?? [],
    trunks: init.trunks ?? [],
    routes: init.routes ?? [],
    inboundRoutes: init.inboundRoutes ?? [],
    dialing: { ...DEFAULT_DIALING, ...init.dialing },
    featureCodes: { ...DEFAULT_FEATURE_CODES, ...init.featureCodes },
    ...(init.dahdi ? { dahdi: init.dahdi } : {}),
  };
}

/**
 * Demo settings: given values win; the default odds of outcomes not given shrink so that the
 * odds never exceed 100 % together (e.g. { answerPercent: 100 } means "always answer").
 * Odds given explicitly are not touched: if they exceed 100 % the model is refused.
 */
function demoWithDefaults(given: Partial<PbxDemo>): PbxDemo {
  const out: PbxDemo = { ...DEFAULT_DEMO, ...given };
  const keys = ['answerPercent', 'busyPercent', 'noAnswerPercent'] as const;
  let left = 100 - keys.reduce((sum, k) => sum + (typeof given[k] === 'number' ? (given[k] as number) : 0), 0);
  for (const k of keys) {
    if (typeof given[k] === 'number') continue;
    out[k] = Math.max(0, Math.min(DEFAULT_DEMO[k], left));
    left -= out[k];
  }
  return out;
}

/** A seat endpoint with SeatBox defaults (context seatbox-internal, ulaw+alaw, 1 contact). */
export function defaultEndpoint(id: string, secret: string, extra: Partial<PbxEndpoint> = {}): PbxEndpoint {
  return { id, secret, context: CONTEXTS.internal, codecs: ['alaw', 'ulaw'], maxContacts: 1, ...extra };
}

/** A SIP trunk with SeatBox defaults (port 5060, alaw+ulaw, 30 channels, IP authentication, qualify 60 s). */
export function defaultSipTrunk(id: string, host: string, extra: Partial<PbxSipTrunk> = {}): PbxSipTrunk {
  return { id, kind: 'sip', host, port: 5060, codecs: ['alaw', 'ulaw'], maxChannels: 30, qualifySeconds: 60, ...extra };
}

/** An outbound route (no stripping, nothing prepended). */
export function defaultRoute(name: string, patterns: string[], trunks: string[], extra: Partial<PbxRoute> = {}): PbxRoute {
  return { name, patterns, stripDigits: 0, prepend: '', trunks, ...extra };
}

/** A queue with SeatBox defaults (rrmemory, 15 s ring, 5 s retry, no wrap-up). */
export function defaultQueue(name: string, extra: Partial<PbxQueue> = {}): PbxQueue {
  return { name, strategy: 'rrmemory', timeout: 15, retry: 5, wrapupSeconds: 0, maxLength: 0, members: [], ...extra };
}

// ---------------------------------------------------------------------------------------
// Validation.

export interface ModelIssue {
  /** Dotted path into the model, e.g. "endpoints[3].secret" ("" for the whole model). */
  path: string;
  message: string;
}

export type ModelValidation = { ok: true; model: PbxModel } | { ok: false; errors: ModelIssue[] };

export class PbxModelError extends Error {
  constructor(readonly issues: ModelIssue[]) {
    super(`invalid PBX model: ${formatModelIssues(issues)}`);
    this.name = 'PbxModelError';
  }
}

export function formatModelIssue(i: ModelIssue): string {
  return i.path ? `${i.path}: ${i.message}` : i.message;
}

export function formatModelIssues(issues: readonly ModelIssue[]): string {
  return issues.map(formatModelIssue).join('; ');
}

/** "/endpoints/3/secret" -> "endpoints[3].secret" */
function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/**
 * Values are inserted into config files verbatim; these characters would change the file's
 * structure (a newline starts a new line/section, ';' starts a comment) whatever the field.
 */
function scanStrings(value: unknown, path: string, out: ModelIssue[]): void {
  if (typeof value === 'string') {
    if (/[\r\n]/.test(value)) out.push({ path, message: 'must not contain newline' });
    else if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(value)) out.push({ path, message: 'must not contain control characters' });
    if (value.includes(';')) out.push({ path, message: "must not contain ';' (it starts a comment in Asterisk config files)" });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scanStrings(v, `${path}[${i}]`, out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      scanStrings(v, path ? `${path}.${k}` : k, out);
    }
  }
}

/**
 * The model schema with trunk items and the DAHDI subtree left open: a union reports only
 * "expected union value", so each trunk is checked against the schema of its own kind and
 * the DAHDI configuration by hardware's own validator (messages naming spans and ports).
 */
const ModelShell = (() => {
  const props = { ...(PbxModelSchema as unknown as { properties: Record<string, TSchema> }).properties };
  props['trunks'] = Type.Optional(Type.Array(Type.Unknown(), { maxItems: 64, ...opt('must be a list of at most 64 trunks') }));
  props['dahdi'] = Type.Optional(Type.Unknown());
  return Type.Object(props, { additionalProperties: false });
})();

const TRUNK_SCHEMAS: Record<string, TSchema> = { sip: SipTrunkSchema, dahdi: DahdiTrunkSchema };

function collectSchemaErrors(schema: TSchema, input: unknown, base: string, out: ModelIssue[], seen: Set<string>): void {
  for (const e of Value.Errors(schema, input)) {
    const rel = pointerToPath(e.path);
    const path = base && rel ? (rel.startsWith('[') ? `${base}${rel}` : `${base}.${rel}`) : base || rel;
    if (seen.has(path)) continue; // first (most specific) error per path is enough
    seen.add(path);
    const custom = (e.schema as TSchema & { errorMessage?: unknown }).errorMessage;
    let message: string;
    if (e.message === 'Unexpected property') message = 'is not a known setting';
    else if (e.value === undefined) message = 'is required';
    else if (path.endsWith('.host') && typeof e.value === 'string' && /[:/@]/.test(e.value))
      message = `"${e.value}" is not a host: give only the IPv4 address or DNS name (no "sip:", user@ or :port; the port has its own setting)`;
    else if (typeof custom === 'string') message = custom;
    else message = e.message.charAt(0).toLowerCase() + e.message.slice(1);
    out.push({ path, message });
  }
}

function schemaIssues(input: unknown): ModelIssue[] {
  const out: ModelIssue[] = [];
  const seen = new Set<string>();
  collectSchemaErrors(ModelShell, input, '', out, seen);
  if (input === null || typeof input !== 'object') return out;
  const m = input as Record<string, unknown>;
  if (Array.isArray(m['trunks'])) {
    m['trunks'].forEach((t, i) => {
      const base = `trunks[${i}]`;
      const kind = t !== null && typeof t === 'object' ? (t as Record<string, unknown>)['kind'] : undefined;
      const schema = typeof kind === 'string' ? TRUNK_SCHEMAS[kind] : undefined;
      if (!schema) {
        out.push({ path: `${base}.kind`, message: kind === undefined ? 'is required ("sip" or "dahdi")' : 'must be "sip" or "dahdi"' });
        return;
      }
      collectSchemaErrors(schema, t, base, out, seen);
    });
  }
  if (m['dahdi'] !== undefined) {
    const r = validateDahdiConfig(m['dahdi']);
    if (!r.ok) for (const e of r.errors) out.push({ path: e.path ? `dahdi.${e.path}` : 'dahdi', message: e.message });
  }
  return out;
}

const ipv4ToInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

function semanticIssues(m: PbxModel): ModelIssue[] {
  const out: ModelIssue[] = [];
  const add = (path: string, message: string) => out.push({ path, message });

  if (m.ami.username.toLowerCase() === 'general') add('ami.username', 'must not be "general" (reserved section name)');
  if (m.sip.rtpStart >= m.sip.rtpEnd) add('sip.rtpEnd', 'must be greater than sip.rtpStart');
  else if (m.sip.rtpEnd - m.sip.rtpStart < 10) add('sip.rtpEnd', 'RTP range must span at least 10 ports');
  if (m.sip.port >= m.sip.rtpStart && m.sip.port <= m.sip.rtpEnd) add('sip.port', 'must not lie inside the RTP port range');
  if (m.ami.port === m.sip.port) add('ami.port', 'must differ from sip.port');
  else if (m.ami.port >= m.sip.rtpStart && m.ami.port <= m.sip.rtpEnd) add('ami.port', 'must not lie inside the RTP port range');
  if (m.sip.bind !== '0.0.0.0' && ipv4ToInt(m.sip.bind) >>> 24 === 0) add('sip.bind', 'must be 0.0.0.0 or a host address');
  if (m.sip.localNets?.length && !m.sip.externalAddress) add('sip.localNets', 'only makes sense together with sip.externalAddress');

  const knownContexts = new Set<string>([CONTEXTS.internal, CONTEXTS.queueEntry]);
  if (m.demo.enabled) {
    knownContexts.add(CONTEXTS.pstnSim);
    knownContexts.add(CONTEXTS.demoAgent);
  }
  const endpointIds = new Map<string, number>();
  m.endpoints.forEach((e, i) => {
    const key = e.id.toLowerCase();
    const prev = endpointIds.get(key);
    if (prev !== undefined) add(`endpoints[${i}].id`, `duplicate endpoint id "${e.id}" (same as endpoints[${prev}])`);
    else endpointIds.set(key, i);
    const dup = e.codecs.find((c, j) => e.codecs.indexOf(c) !== j);
    if (dup) add(`endpoints[${i}].codecs`, `lists "${dup}" twice`);
    if (!knownContexts.has(e.context))
      add(`endpoints[${i}].context`, `must be one of the generated contexts: ${[...knownContexts].join(', ')}`);
  });

  const queueNames = new Map<string, number>();
  m.queues.forEach((q, i) => {
    const key = q.name.toLowerCase();
    if (key === 'general') add(`queues[${i}].name`, 'must not be "general" (reserved section name)');
    const prev = queueNames.get(key);
    if (prev !== undefined) add(`queues[${i}].name`, `duplicate queue name "${q.name}" (same as queues[${prev}])`);
    else queueNames.set(key, i);
    const members = new Set<string>();
    q.members.forEach((mem, j) => {
      if (!endpointIds.has(mem.endpoint.toLowerCase()))
        add(`queues[${i}].members[${j}].endpoint`, `unknown endpoint "${mem.endpoint}"`);
      if (members.has(mem.endpoint)) add(`queues[${i}].members[${j}].endpoint`, `"${mem.endpoint}" is already a member`);
      members.add(mem.endpoint);
    });
  });

  telephonyIssues(m, add);
  hotlineIssues(m, add);

  const d = m.demo;
  if (d.answerPercent + d.busyPercent + d.noAnswerPercent > 100)
    add('demo', 'answerPercent + busyPercent + noAnswerPercent must not exceed 100');
  if (d.ringMinSeconds > d.ringMaxSeconds) add('demo.ringMaxSeconds', 'must be >= demo.ringMinSeconds');
  if (d.talkMinSeconds > d.talkMaxSeconds) add('demo.talkMaxSeconds', 'must be >= demo.talkMinSeconds');
  return out;
}

const SEAT_EXTENSION_RE = new RegExp(SEAT_EXTENSION_PATTERN);
const isIpv4Text = (h: string) => /^[0-9.]+$/.test(h);
const validIpv4 = (h: string) => /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/.test(h);
/** pjsip.conf section names SeatBox uses itself. */
const RESERVED_SECTIONS = new Set(['global', 'system', TRANSPORT_SECTION]);

/** The trunk groups of the DAHDI configuration: FXO lines and E1/T1 spans. */
export function dahdiTrunkGroups(dahdi: DahdiConfig | undefined): Map<number, { channels: number; what: string[] }> {
  const out = new Map<number, { channels: number; what: string[] }>();
  const addTo = (g: number, n: number, what: string) => {
    const e = out.get(g) ?? { channels: 0, what: [] };
    e.channels += n;
    e.what.push(what);
    out.set(g, e);
  };
  for (const s of dahdi?.spans ?? []) {
    if (s.type === 'analog') {
      for (const p of s.ports) if (p.kind === 'FXO') addTo(p.trunkGroup, 1, `FXO channel ${p.channel}`);
    } else addTo(s.trunkGroup, s.line === 'E1' ? 30 : 23, `span ${s.span} (${s.line} ${s.type === 'pri' ? 'PRI' : 'MFC/R2'})`);
  }
  return out;
}

/** The FXS ports of the DAHDI configuration by channel. */
export function dahdiFxsChannels(dahdi: DahdiConfig | undefined): Map<number, { span: number; extension: string }> {
  const out = new Map<number, { span: number; extension: string }>();
  for (const s of dahdi?.spans ?? []) {
    if (s.type !== 'analog') continue;
    for (const p of s.ports) if (p.kind === 'FXS') out.set(p.channel, { span: s.span, extension: p.extension });
  }
  return out;
}

/** Patterns the feature codes occupy in the seat context (login takes *21*<agent>*<pin>). */
export function featureCodePatterns(fc: PbxFeatureCodes): Array<{ key: keyof PbxFeatureCodes; pattern: string }> {
  return [
    { key: 'login', pattern: `${fc.login}*X.` },
    { key: 'logout', pattern: fc.logout },
    { key: 'pause', pattern: fc.pause },
    { key: 'pause', pattern: `${fc.pause}X` },
    { key: 'ready', pattern: fc.ready },
  ];
}

function telephonyIssues(m: PbxModel, add: (path: string, message: string) => void): void {
  const fxsSeats = m.fxsSeats ?? [];
  const trunks = m.trunks ?? [];
  const routes = m.routes ?? [];
  const inbound = m.inboundRoutes ?? [];
  const dialing = m.dialing ?? DEFAULT_DIALING;
  const fc = m.featureCodes ?? DEFAULT_FEATURE_CODES;

  // One dialplan namespace: seats (SIP and FXS), queues, feature codes, emergency numbers.
  const owners = new Map<string, string>();
  const claim = (ext: string, path: string, what: string) => {
    const prev = owners.get(ext.toLowerCase());
    // Duplicates within endpoints or within queues have their own message above.
    const sameList = prev !== undefined && prev.replace(/\[.*$/, '') === path.replace(/\[.*$/, '') && !path.startsWith('fxsSeats');
    if (prev !== undefined && !sameList) add(path, `${what} "${ext}" is already used by ${prev}`);
    else if (prev === undefined) owners.set(ext.toLowerCase(), path.replace(/\.(id|name|extension)$/, ''));
  };
  for (const n of EMERGENCY_NUMBERS) owners.set(n, `emergency number ${n}`);
  m.endpoints.forEach((e, i) => {
    if (!SEAT_EXTENSION_RE.test(e.id)) add(`endpoints[${i}].id`, `"${e.id}" is not a seat extension: 3-6 digits not starting with 0, 1 or 9`);
    else claim(e.id, `endpoints[${i}].id`, 'extension');
  });
  const fxsChannels = dahdiFxsChannels(m.dahdi);
  const seatByChannel = new Map<number, number>();
  fxsSeats.forEach((f, i) => {
    claim(f.extension, `fxsSeats[${i}].extension`, 'extension');
    const prev = seatByChannel.get(f.dahdiChannel);
    if (prev !== undefined)
      add(`fxsSeats[${i}].dahdiChannel`, `channel ${f.dahdiChannel} is already the phone port of seat ${fxsSeats[prev]!.extension} (fxsSeats[${prev}]); one port serves one seat`);
    else seatByChannel.set(f.dahdiChannel, i);
    if (!m.dahdi) add(`fxsSeats[${i}].dahdiChannel`, 'there is no telephony card configuration (dahdi): an FXS seat needs an FXS port');
    else if (!fxsChannels.has(f.dahdiChannel)) {
      const known = [...fxsChannels.keys()].sort((a, b) => a - b).join(', ') || 'none';
      add(`fxsSeats[${i}].dahdiChannel`, `channel ${f.dahdiChannel} is not an FXS port of the telephony cards (FXS channels: ${known})`);
    }
  });
  m.queues.forEach((q, i) => claim(q.name, `queues[${i}].name`, 'queue name'));

  const codes = Object.entries(fc) as Array<[keyof PbxFeatureCodes, string]>;
  codes.forEach(([k, code], i) => {
    for (const [k2, code2] of codes.slice(i + 1)) {
      if (code === code2) add(`featureCodes.${k2}`, `"${code2}" is already the ${k} code`);
      else if (code2.startsWith(code) || code.startsWith(code2))
        add(`featureCodes.${k2}`, `"${code2}" and the ${k} code "${code}" start alike: a phone could not tell them apart`);
    }
  });
  for (const { key, pattern } of featureCodePatterns(fc)) {
    for (const [ext, path] of owners) {
      if (patternsOverlap(pattern, ext)) add(`featureCodes.${key}`, `"${fc[key]}" collides with ${path.startsWith('emergency') ? path : `${ext} (${path})`}`);
    }
  }
  if (dialing.outsidePrefix && codes.some(([, c]) => c.startsWith(dialing.outsidePrefix)))
    add('dialing.outsidePrefix', `"${dialing.outsidePrefix}" starts a feature code: outside numbers and feature codes would collide`);

  // Trunks.
  const trunkIds = new Map<string, number>();
  const endpointIds = new Set(m.endpoints.map((e) => e.id.toLowerCase()));
  const groups = dahdiTrunkGroups(m.dahdi);
  const trunkByGroup = new Map<number, number>();
  trunks.forEach((t, i) => {
    const base = `trunks[${i}]`;
    const key = t.id.toLowerCase();
    const prev = trunkIds.get(key);
    if (prev !== undefined) add(`${base}.id`, `duplicate trunk id "${t.id}" (same as trunks[${prev}])`);
    else trunkIds.set(key, i);
    if (endpointIds.has(key)) add(`${base}.id`, `"${t.id}" is already a seat endpoint; trunk and seat names share pjsip.conf`);
    if (RESERVED_SECTIONS.has(key)) add(`${base}.id`, `"${t.id}" is a reserved name`);
    if (t.kind === 'sip') {
      if (isIpv4Text(t.host) && !validIpv4(t.host)) add(`${base}.host`, `"${t.host}" is not a valid IPv4 address (each part 0-255, four parts)`);
      if (t.host === '0.0.0.0' || t.host === '255.255.255.255') add(`${base}.host`, `"${t.host}" is not a host address`);
      const dup = t.codecs.find((c, j) => t.codecs.indexOf(c) !== j);
      if (dup) add(`${base}.codecs`, `lists "${dup}" twice`);
      if (t.registration && !t.auth) add(`${base}.auth`, 'is required when the trunk registers (registration is set): the carrier\'s username and password');
      (t.match ?? []).forEach((a, j) => {
        if ((t.match ?? []).indexOf(a) !== j) add(`${base}.match[${j}]`, `"${a}" is listed twice`);
      });
    } else {
      const g = groups.get(t.group);
      if (!m.dahdi) add(`${base}.group`, 'there is no telephony card configuration (dahdi): a DAHDI trunk needs FXO lines or an E1/T1 span');
      else if (!g) {
        const known = [...groups.keys()].sort((a, b) => a - b).join(', ') || 'none';
        add(`${base}.group`, `no FXO line or E1/T1 span of the telephony cards is in group ${t.group} (groups: ${known})`);
      }
      const other = trunkByGroup.get(t.group);
      if (other !== undefined) add(`${base}.group`, `group ${t.group} is already trunk "${trunks[other]!.id}"`);
      else trunkByGroup.set(t.group, i);
    }
  });
  const knownTrunk = (id: string) => trunkIds.has(id.toLowerCase()) && trunks[trunkIds.get(id.toLowerCase())!]!.id === id;

  // Outbound routes.
  const routeNames = new Map<string, number>();
  const prefix = dialing.outsidePrefix;
  routes.forEach((r, i) => {
    const base = `routes[${i}]`;
    const key = r.name.toLowerCase();
    const prev = routeNames.get(key);
    if (prev !== undefined) add(`${base}.name`, `duplicate route name "${r.name}" (same as routes[${prev}])`);
    else routeNames.set(key, i);
    r.patterns.forEach((p, j) => {
      const problem = patternProblem(p);
      if (problem) {
        add(`${base}.patterns[${j}]`, `"${p}": ${problem}`);
        return;
      }
      if (r.patterns.indexOf(p) !== j) add(`${base}.patterns[${j}]`, `"${p}" is listed twice`);
      const len = patternLength(p);
      const digits = len.max === len.min ? `${len.min} digits` : `${len.min} digits or more`;
      if (r.stripDigits >= len.min && r.prepend === '')
        add(`${base}.stripDigits`, `stripping ${r.stripDigits} digits leaves nothing to dial of numbers matching "${p}" (${digits})`);
      else if (r.stripDigits > len.min) add(`${base}.stripDigits`, `strips ${r.stripDigits} digits but "${p}" matches numbers of ${digits}`);
      for (const [ext, path] of owners) {
        if (!path.startsWith('emergency') && patternsOverlap(`${prefix}${p}`, ext))
          add(`${base}.patterns[${j}]`, `"${prefix}${p}" (outside prefix "${prefix}" + pattern) also matches ${ext} (${path}); seats and feature codes would win`);
      }
      for (const { key: k, pattern: fp } of featureCodePatterns(fc)) {
        if (patternsOverlap(`${prefix}${p}`, fp)) add(`${base}.patterns[${j}]`, `"${prefix}${p}" collides with the ${k} feature code "${fc[k]}"`);
      }
    });
    r.trunks.forEach((t, j) => {
      if (!knownTrunk(t)) add(`${base}.trunks[${j}]`, `unknown trunk "${t}"${trunks.length ? ` (trunks: ${trunks.map((x) => x.id).join(', ')})` : ' (no trunk is configured)'}`);
      else if (r.trunks.indexOf(t) !== j) add(`${base}.trunks[${j}]`, `"${t}" is listed twice`);
    });
  });
  (dialing.emergencyTrunks ?? []).forEach((t, j) => {
    if (!knownTrunk(t)) add(`dialing.emergencyTrunks[${j}]`, `unknown trunk "${t}"`);
    else if (dialing.emergencyTrunks!.indexOf(t) !== j) add(`dialing.emergencyTrunks[${j}]`, `"${t}" is listed twice`);
  });

  // Inbound routes.
  const seatExts = new Set([...m.endpoints.map((e) => e.id), ...fxsSeats.map((f) => f.extension)]);
  const queueNames = new Set(m.queues.map((q) => q.name));
  const dids = new Map<string, number>();
  inbound.forEach((r, i) => {
    const base = `inboundRoutes[${i}]`;
    const prev = dids.get(r.did);
    if (prev !== undefined) add(`${base}.did`, `"${r.did}" already has a route (inboundRoutes[${prev}])`);
    else dids.set(r.did, i);
    const d = r.destination;
    if (d.kind === 'hangup' || d.kind === 'fax') {
      if (d.target !== undefined) add(`${base}.destination.target`, `must be absent for a ${d.kind} destination`);
    } else if (d.target === undefined) add(`${base}.destination.target`, `is required: the ${d.kind === 'seat' ? 'seat extension' : 'queue name'}`);
    else if (d.kind === 'seat' && !seatExts.has(d.target)) add(`${base}.destination.target`, `unknown seat "${d.target}"`);
    else if (d.kind === 'queue' && !queueNames.has(d.target)) add(`${base}.destination.target`, `unknown queue "${d.target}"`);
  });
}

const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** A hotline destination's own problems (unknown menu/queue/seat, target present/absent). */
function destinationIssue(
  d: PbxHotlineDestination,
  ctx: { menus: Set<string> | null; queues: Set<string>; seats: Set<string> },
): string | null {
  switch (d.kind) {
    case 'menu':
      if (ctx.menus === null) return 'a menu destination is only possible inside an IVR';
      if (d.target === undefined) return 'is required: the menu id';
      return ctx.menus.has(d.target) ? null : `unknown menu "${d.target}" (menus: ${[...ctx.menus].join(', ') || 'none'})`;
    case 'queue':
    case 'callback':
      if (d.target === undefined) return `is required: the queue name${d.kind === 'callback' ? ' the callback request is for' : ''}`;
      return ctx.queues.has(d.target) ? null : `unknown queue "${d.target}"`;
    case 'seat':
      if (d.target === undefined) return 'is required: the seat extension';
      return ctx.seats.has(d.target) ? null : `unknown seat "${d.target}"`;
    default:
      return d.target !== undefined ? `must be absent for a ${d.kind} destination` : null;
  }
}

/** IVR graphs, business hours, queue overflow, hotlines, monitoring. */
function hotlineIssues(m: PbxModel, add: (path: string, message: string) => void): void {
  // Absolute sounds (custom prompts) must be inside this instance's varlib dir.
  const varlib = `${m.paths.varlib.replace(/\/+$/, '')}/`;
  const checkSound = (s: string | undefined, path: string) => {
    if (s !== undefined && s.startsWith('/') && !s.startsWith(varlib))
      add(path, `must be a stock sound name or a prompt under ${varlib} (such as ${customPromptSound(m.paths.varlib, 'welcome')})`);
  };
  (m.ivrs ?? []).forEach((ivr, i) =>
    ivr.menus.forEach((mn, j) => {
      const mb = `ivrs[${i}].menus[${j}]`;
      checkSound(mn.prompt, `${mb}.prompt`);
      checkSound(mn.invalidPrompt, `${mb}.invalidPrompt`);
      checkSound(mn.timeoutPrompt, `${mb}.timeoutPrompt`);
    }),
  );
  checkSound(m.businessHours?.closedPrompt, 'businessHours.closedPrompt');
  checkSound(m.survey?.prompt, 'survey.prompt');
  checkSound(m.survey?.thanksPrompt, 'survey.thanksPrompt');
  (m.hotlines ?? []).forEach((h, i) => {
    checkSound(h.busyPrompt, `hotlines[${i}].busyPrompt`);
    checkSound(h.voicemailPrompt, `hotlines[${i}].voicemailPrompt`);
    checkSound(h.callbackPrompt, `hotlines[${i}].callbackPrompt`);
  });
  const seats = new Set([...m.endpoints.map((e) => e.id), ...(m.fxsSeats ?? []).map((f) => f.extension)]);
  const queues = new Set(m.queues.map((q) => q.name));
  const ivrs = m.ivrs ?? [];
  const ivrIds = new Map<string, number>();
  const checkDest = (d: PbxHotlineDestination, path: string, menus: Set<string> | null) => {
    const problem = destinationIssue(d, { menus, queues, seats });
    if (problem) add(`${path}.target`, problem);
    return problem === null;
  };
  ivrs.forEach((ivr, i) => {
    const base = `ivrs[${i}]`;
    const prev = ivrIds.get(ivr.id);
    if (prev !== undefined) add(`${base}.id`, `duplicate IVR id "${ivr.id}" (same as ivrs[${prev}])`);
    else ivrIds.set(ivr.id, i);
    const menuIds = new Map<string, number>();
    ivr.menus.forEach((mn, j) => {
      if (menuIds.has(mn.id)) add(`${base}.menus[${j}].id`, `duplicate menu id "${mn.id}" (same as menus[${menuIds.get(mn.id)}])`);
      else menuIds.set(mn.id, j);
    });
    const menus = new Set(menuIds.keys());
    if (!menus.has(ivr.entryMenu)) add(`${base}.entryMenu`, `unknown menu "${ivr.entryMenu}" (menus: ${[...menus].join(', ')})`);
    let refsOk = true;
    ivr.menus.forEach((mn, j) => {
      const mb = `${base}.menus[${j}]`;
      const digits = new Map<string, number>();
      mn.options.forEach((o, k) => {
        if (digits.has(o.digit)) add(`${mb}.options[${k}].digit`, `key "${o.digit}" is already options[${digits.get(o.digit)}]`);
        else digits.set(o.digit, k);
        if (!checkDest(o.destination, `${mb}.options[${k}].destination`, menus)) refsOk = false;
      });
      if (!checkDest(mn.fallback, `${mb}.fallback`, menus)) refsOk = false;
    });
    if (!refsOk) return;
    // Every menu must be able to reach a real (non-menu) destination; menus only leading to
    // each other are a loop the caller can never leave.
    const exits = new Set<string>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const mn of ivr.menus) {
        if (exits.has(mn.id)) continue;
        const dests = [...mn.options.map((o) => o.destination), mn.fallback];
        if (dests.some((d) => d.kind !== 'menu' || exits.has(d.target!))) {
          exits.add(mn.id);
          changed = true;
        }
      }
    }
    ivr.menus.forEach((mn, j) => {
      if (exits.has(mn.id)) return;
      const targets = [...new Set([...mn.options.map((o) => o.destination), mn.fallback].map((d) => d.target))];
      add(
        `${base}.menus[${j}]`,
        targets.includes(mn.id) && targets.length === 1
          ? `menu "${mn.id}" leads only back to itself: a caller could never leave it (give an option or the fallback a queue, seat, voicemail, callback or hangup)`
          : `menu "${mn.id}" is a dead end: its options and fallback lead only to menus (${targets.join(', ')}) that never reach a queue, seat, voicemail, callback or hangup`,
      );
    });
  });

  const bh = m.businessHours;
  if (bh) {
    bh.weekly.forEach((r, i) => {
      if (minutesOf(r.close) <= minutesOf(r.open)) add(`businessHours.weekly[${i}].close`, `${r.close} is not after the opening time ${r.open}`);
      r.days.forEach((d, j) => {
        if (r.days.indexOf(d) !== j) add(`businessHours.weekly[${i}].days[${j}]`, `weekday ${d} is listed twice`);
      });
    });
    if (minutesOf(bh.makeupHours.close) <= minutesOf(bh.makeupHours.open))
      add('businessHours.makeupHours.close', `${bh.makeupHours.close} is not after the opening time ${bh.makeupHours.open}`);
    const hol = new Set(bh.holidays);
    bh.makeupWorkdays.forEach((d, i) => {
      if (hol.has(d)) add(`businessHours.makeupWorkdays[${i}]`, `${d} is also a holiday: a day is either closed or a make-up working day`);
    });
    const badDate = (d: string) => {
      const t = new Date(`${d}T00:00:00Z`);
      return Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== d;
    };
    bh.holidays.forEach((d, i) => badDate(d) && add(`businessHours.holidays[${i}]`, `${d} is not a calendar date`));
    bh.makeupWorkdays.forEach((d, i) => badDate(d) && add(`businessHours.makeupWorkdays[${i}]`, `${d} is not a calendar date`));
    checkDest(bh.closedDestination, 'businessHours.closedDestination', null);
  }

  m.queues.forEach((q, i) => {
    const o = q.overflow;
    if (q.survey && !m.survey?.enabled) add(`queues[${i}].survey`, 'the satisfaction survey (survey) is not enabled');
    if (!o) return;
    o.seats.forEach((s, j) => {
      if (!seats.has(s)) add(`queues[${i}].overflow.seats[${j}]`, `unknown seat "${s}"`);
      else if (o.seats.indexOf(s) !== j) add(`queues[${i}].overflow.seats[${j}]`, `"${s}" is listed twice`);
    });
    if (o.afterSeconds === undefined && q.maxWaitSeconds === undefined && !o.whenNoAgentFree)
      add(`queues[${i}].overflow`, 'never happens: set afterSeconds (or the queue\'s maxWaitSeconds) or whenNoAgentFree');
  });

  const hotlines = m.hotlines ?? [];
  const inboundDids = new Map((m.inboundRoutes ?? []).map((r, i) => [r.did, i] as const));
  const hotDids = new Map<string, string>();
  const hotIds = new Set<string>();
  hotlines.forEach((h, i) => {
    const base = `hotlines[${i}]`;
    if (hotIds.has(h.id)) add(`${base}.id`, `duplicate hotline id "${h.id}"`);
    hotIds.add(h.id);
    if (!ivrIds.has(h.ivr)) add(`${base}.ivr`, `unknown IVR "${h.ivr}" (IVRs: ${[...ivrIds.keys()].join(', ') || 'none'})`);
    if (h.useBusinessHours && !bh) add(`${base}.useBusinessHours`, 'there are no business hours (businessHours) to use');
    h.dids.forEach((d, j) => {
      if (inboundDids.has(d)) add(`${base}.dids[${j}]`, `"${d}" already has an inbound route (inboundRoutes[${inboundDids.get(d)}])`);
      const prev = hotDids.get(d);
      if (prev !== undefined) add(`${base}.dids[${j}]`, `"${d}" is already a number of hotline "${prev}"`);
      else hotDids.set(d, h.id);
    });
  });

  const mon = m.monitoring;
  if (mon) mon.supervisorSeats.forEach((s, j) => !seats.has(s) && add(`monitoring.supervisorSeats[${j}]`, `unknown seat "${s}"`));
}

/** Full model validation: forbidden characters, schema, then cross-field rules. */
export function validateModel(input: unknown): ModelValidation {
  const chars: ModelIssue[] = [];
  scanStrings(input, '', chars);
  const schema = schemaIssues(input);
  // Character problems first (they are the most precise), then schema problems on other paths.
  const charPaths = new Set(chars.map((c) => c.path));
  const errors = [...chars, ...schema.filter((s) => !charPaths.has(s.path))];
  if (errors.length) return { ok: false, errors };
  const model = input as PbxModel;
  const sem = semanticIssues(model);
  return sem.length ? { ok: false, errors: sem } : { ok: true, model };
}

/** Validates and returns the model, or throws PbxModelError listing every problem. */
export function assertValidModel(input: unknown): PbxModel {
  const r = validateModel(input);
  if (!r.ok) throw new PbxModelError(r.errors);
  return r.model;
}
