// The PBX model: everything the Asterisk configuration is generated from. It is validated
// (schema + semantic checks) before anything is rendered: the templates are rendered with
// Handlebars `noEscape`, so every value that reaches a template must be safe here.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

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
  },
  { additionalProperties: false },
);

export type PbxModel = Static<typeof PbxModelSchema>;
export type PbxEndpoint = Static<typeof EndpointSchema>;
export type PbxQueue = Static<typeof QueueSchema>;
export type PbxDemo = Static<typeof DemoSchema>;
export type PbxPaths = Static<typeof PathsSchema>;

/** Contexts the generated dialplan always has (the demo ones only when demo.enabled). */
export const CONTEXTS = {
  meta: 'seatbox-meta',
  internal: 'seatbox-internal',
  queueEntry: 'seatbox-queue-entry',
  pstnSim: 'seatbox-pstn-sim',
  demoAgent: 'seatbox-demo-agent',
} as const;

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

function schemaIssues(input: unknown): ModelIssue[] {
  const out: ModelIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(PbxModelSchema, input)) {
    const path = pointerToPath(e.path);
    if (seen.has(path)) continue; // first (most specific) error per path is enough
    seen.add(path);
    const custom = (e.schema as TSchema & { errorMessage?: unknown }).errorMessage;
    let message: string;
    if (e.message === 'Unexpected property') message = 'is not a known setting';
    else if (e.value === undefined) message = 'is required';
    else if (typeof custom === 'string') message = custom;
    else message = e.message.charAt(0).toLowerCase() + e.message.slice(1);
    out.push({ path, message });
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

  const d = m.demo;
  if (d.answerPercent + d.busyPercent + d.noAnswerPercent > 100)
    add('demo', 'answerPercent + busyPercent + noAnswerPercent must not exceed 100');
  if (d.ringMinSeconds > d.ringMaxSeconds) add('demo.ringMaxSeconds', 'must be >= demo.ringMinSeconds');
  if (d.talkMinSeconds > d.talkMaxSeconds) add('demo.talkMaxSeconds', 'must be >= demo.talkMinSeconds');
  return out;
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
