// The template view of seats, trunks, routes, inbound routes, feature codes and the DAHDI
// part: everything the templates need, precomputed and sorted, so that the Handlebars
// templates stay logic-free and the output is deterministic. The model is validated first.

import type { DahdiConfig } from '../hardware/config.js';
import { renderChanDahdiConf } from '../hardware/render.js';
import {
  CONTEXTS,
  DEFAULT_DIALING,
  DEFAULT_FEATURE_CODES,
  EMERGENCY_NUMBERS,
  type PbxModel,
  type PbxRoute,
  type PbxSipTrunk,
  type PbxTrunk,
} from './model.js';
import { patternToRegExp } from './patterns.js';

/** Group category of GROUP()/GROUP_COUNT() counting every trunk's calls (both directions). */
export const TRUNK_GROUP_CATEGORY = 'seatbox-trunk';
/** Channel variable carrying the seat's extension on every channel of a seat (AMI channelvars). */
export const SEAT_VARIABLE = 'SEATBOX_SEAT';
/** AstDB family of agent PIN hashes (<agent>/salt, <agent>/pin = SHA1(salt + pin)). */
export const AGENT_DB_FAMILY = 'seatbox-agent';
/** Hang-up causes meaning "this number is wrong": another carrier would not do better. */
export const WRONG_NUMBER_CAUSES = [1, 22, 28] as const;

export const trunkOutContext = (id: string) => `seatbox-trunk-${id}`;
export const trunkInContext = (id: string) => `seatbox-trunk-in-${id}`;
export const routeContext = (name: string) => `seatbox-route-${name}`;
export const routeTrunksContext = (name: string) => `seatbox-route-${name}-trunks`;
/** Contexts shared by every trunk/route (fixed names). */
export const TELEPHONY_CONTEXTS = {
  seatUnreached: 'seatbox-seat-unreached',
  emergency: 'seatbox-emergency',
  outboundResult: 'seatbox-outbound-result',
  trunkCount: 'seatbox-trunk-count',
  trunkInCheck: 'seatbox-trunk-in-check',
  inboundRejected: 'seatbox-inbound-rejected',
  fxsUnassigned: 'seatbox-fxs-unassigned',
} as const;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const extCompare = (a: string, b: string) => a.length - b.length || byCodePoint(a, b);

function trunkSummary(t: PbxTrunk): string {
  const label = t.name ? ` (${t.name})` : '';
  if (t.kind === 'dahdi') return `Trunk ${t.id}${label}: DAHDI group ${t.group}, at most ${t.maxChannels} calls`;
  const how = t.registration ? `registers as ${t.registration.contactUser ?? t.auth?.username}` : 'IP authentication';
  return `Trunk ${t.id}${label}: SIP ${t.host}:${t.port}, ${how}, at most ${t.maxChannels} calls`;
}

function callerIdSteps(t: PbxTrunk): string[] {
  const c = t.callerId;
  const steps: string[] = [];
  // Every attempt sets all three, so a failover never keeps the previous trunk's identity.
  steps.push(`Set(CALLERID(num)=${c?.number ?? '${SEATBOX_CID_NUM}'})`);
  steps.push(`Set(CALLERID(name)=${c?.name ?? '${SEATBOX_CID_NAME}'})`);
  // Emergency calls always present the number (ARG2 = 1): the emergency centre needs it.
  if (c?.presentation === 'restricted') steps.push('Set(CALLERID(pres)=${IF($["${ARG2}" = "1"]?allowed_not_screened:prohib)})');
  else steps.push('Set(CALLERID(pres)=allowed_not_screened)');
  return steps;
}

function dialString(t: PbxTrunk): string {
  return t.kind === 'sip' ? `PJSIP/\${ARG1}@${t.id}` : `DAHDI/g${t.group}/\${ARG1}`;
}

export interface TrunkView {
  id: string;
  summary: string;
  outContext: string;
  inContext: string;
  maxChannels: number;
  /** A dedicated fax line: inbound calls go to the fax receiver. */
  faxLine: boolean;
  /** Dialplan steps of the outbound subroutine after priority 1. */
  outSteps: Step[];
}

/** One dialplan step after priority 1 ("same => n[(label)],app"). */
export interface Step {
  label: string;
  app: string;
}
const step = (app: string, label = ''): Step => ({ label, app });

function trunkView(t: PbxTrunk, ringSeconds: number): TrunkView {
  const steps: Step[] = [step('Set(SEATBOX_FAILOVER=1)')];
  if (t.kind === 'sip' && t.qualifySeconds > 0) {
    // The carrier stopped answering OPTIONS: do not make the caller wait for a SIP timeout.
    steps.push(step('Set(SEATBOX_TRUNK_STATUS=DOWN)'));
    steps.push(step(`GotoIf($["\${DEVICE_STATE(PJSIP/${t.id})}" = "UNAVAILABLE"]?skip)`));
  }
  steps.push(step('Set(SEATBOX_TRUNK_STATUS=LIMIT)'));
  // Emergency calls (ARG2 = 1) are not held back by the channel limit.
  steps.push(step(`GotoIf($["\${ARG2}" != "1" & \${GROUP_COUNT(${t.id}@${TRUNK_GROUP_CATEGORY})} >= ${t.maxChannels}]?skip)`));
  steps.push(...callerIdSteps(t).map((a) => step(a)));
  // b(): the outgoing channel itself joins the trunk's group (counted until that channel ends).
  // I: ignore the callee's connected-line updates. After the pre-dial Gosub the trunk channel's
  // "number" is the handler's exten ("s"); the update would show "s" on the seat phone and,
  // arriving after the 200 OK under load, cost every such call a mid-call re-INVITE.
  steps.push(step(`Dial(${dialString(t)},${ringSeconds},b(${TELEPHONY_CONTEXTS.trunkCount}^s^1(${t.id}))I)`));
  steps.push(step('Set(SEATBOX_TRUNK_STATUS=${DIALSTATUS})'));
  // Only a trunk failure moves on to the next trunk; busy, no answer or a hang-up do not.
  steps.push(step('Set(SEATBOX_FAILOVER=${IF($["${DIALSTATUS}" = "CHANUNAVAIL" | "${DIALSTATUS}" = "CONGESTION"]?1:0)})'));
  // ... nor does a number the network calls wrong (unallocated, changed, invalid format).
  const wrong = WRONG_NUMBER_CAUSES.map((c) => `"\${HANGUPCAUSE}" = "${c}"`).join(' | ');
  steps.push(step(`ExecIf($[${wrong}]?Set(SEATBOX_TRUNK_STATUS=INVALID))`));
  steps.push(step('ExecIf($["${SEATBOX_TRUNK_STATUS}" = "INVALID"]?Set(SEATBOX_FAILOVER=0))'));
  steps.push(step('Return()', 'skip'));
  return { id: t.id, summary: trunkSummary(t), outContext: trunkOutContext(t.id), inContext: trunkInContext(t.id), maxChannels: t.maxChannels, faxLine: t.faxLine === true, outSteps: steps };
}

export interface SipTrunkView {
  id: string;
  summary: string;
  inContext: string;
  allow: string;
  dtmfMode: string;
  fromUser: string;
  fromDomain: string;
  contact: string;
  qualifySeconds: number;
  auth: { name: string; username: string; secret: string } | undefined;
  match: string[];
  registration:
    | { name: string; serverUri: string; clientUri: string; contactUser: string; expiration: number; retry: number }
    | undefined;
}

function sipTrunkView(t: PbxSipTrunk): SipTrunkView {
  const hostPort = `${t.host}:${t.port}`;
  const user = t.registration?.contactUser ?? t.auth?.username ?? '';
  return {
    id: t.id,
    summary: trunkSummary(t),
    inContext: trunkInContext(t.id),
    allow: t.codecs.join(','),
    dtmfMode: t.dtmfMode ?? 'rfc4733',
    fromUser: t.fromUser ?? '',
    fromDomain: t.fromDomain ?? '',
    contact: `sip:${hostPort}`,
    qualifySeconds: t.qualifySeconds,
    auth: t.auth ? { name: `${t.id}-auth`, username: t.auth.username, secret: t.auth.secret } : undefined,
    // The host is always matched; further carrier addresses from the model.
    match: [t.host, ...(t.match ?? [])],
    registration: t.registration
      ? {
          name: `${t.id}-reg`,
          serverUri: `sip:${hostPort}`,
          clientUri: `sip:${user}@${hostPort}`,
          contactUser: user,
          expiration: t.registration.expirationSeconds,
          retry: t.registration.retrySeconds,
        }
      : undefined,
  };
}

export interface RouteView {
  name: string;
  context: string;
  trunksContext: string;
  comment: string;
  /** One extension per pattern (prefix included) with the number it sends. */
  patterns: Array<{ exten: string; number: string; pattern: string }>;
  trunks: Array<{ id: string; context: string; last: boolean }>;
}

function routeView(r: PbxRoute, prefix: string): RouteView {
  const skip = prefix.length + r.stripDigits;
  const rewrite = [r.stripDigits ? `strip ${r.stripDigits}` : '', r.prepend ? `prepend "${r.prepend}"` : ''].filter(Boolean).join(', ') || 'sent as dialled';
  return {
    name: r.name,
    context: routeContext(r.name),
    trunksContext: routeTrunksContext(r.name),
    comment: `Route ${r.name}${r.description ? ` (${r.description})` : ''}: ${r.patterns.join(' ')}${prefix ? ` after prefix ${prefix}` : ''}; ${rewrite}; trunks ${r.trunks.join(', ')}`,
    patterns: r.patterns.map((p) => ({ pattern: p, exten: `_${prefix}${p}`, number: `${r.prepend}\${EXTEN${skip ? `:${skip}` : ''}}` })),
    trunks: r.trunks.map((id, i) => ({ id, context: trunkOutContext(id), last: i === r.trunks.length - 1 })),
  };
}

export interface SeatView {
  extension: string;
  device: string;
  what: string;
}

export interface InboundView {
  exten: string;
  comment: string;
  target: string;
}

/**
 * chan_dahdi.conf from hardware's generator, with the PBX's view applied: FXS ports take
 * extension and name from the FXS seats (ports without a seat go to a context that says so),
 * trunk groups enter through their trunk's context, and each FXS channel carries SEATBOX_SEAT.
 */
export function renderDahdiForPbx(m: PbxModel): string | undefined {
  const dahdi = m.dahdi;
  if (!dahdi || dahdi.spans.length === 0) return undefined;
  const seats = new Map((m.fxsSeats ?? []).map((f) => [f.dahdiChannel, f]));
  const trunkByGroup = new Map((m.trunks ?? []).filter((t) => t.kind === 'dahdi').map((t) => [t.group, t]));
  const groupContext = (g: number) => {
    const t = trunkByGroup.get(g);
    return t ? trunkInContext(t.id) : CONTEXTS.fromTrunk;
  };
  const cfg: DahdiConfig = {
    ...dahdi,
    contexts: { seats: CONTEXTS.internal, trunks: CONTEXTS.fromTrunk },
    spans: dahdi.spans.map((s) => {
      if (s.type !== 'analog') return { ...s, context: groupContext(s.trunkGroup) };
      return {
        ...s,
        ports: s.ports.map((p) => {
          if (p.kind === 'FXO') return { ...p, context: groupContext(p.trunkGroup) };
          const seat = seats.get(p.channel);
          if (!seat) return { ...p, context: TELEPHONY_CONTEXTS.fxsUnassigned };
          const { callerName: _drop, ...rest } = p;
          return { ...rest, extension: seat.extension, context: CONTEXTS.internal, ...(seat.callerName ? { callerName: seat.callerName.slice(0, 40) } : {}) };
        }),
      };
    }),
  };
  const text = renderChanDahdiConf(cfg);
  // setvar keeps its value for every later "channel =>" line (chan_dahdi replaces a variable of
  // the same name), so every channel line gets its own value: the seat, or empty for the rest.
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const cm = /^channel\s*=>\s*(.+)$/.exec(line);
    if (cm) {
      const single = /^\d+$/.test(cm[1]!.trim()) ? Number(cm[1]) : undefined;
      const seat = single !== undefined ? seats.get(single) : undefined;
      out.push(`setvar=${SEAT_VARIABLE}=${seat ? seat.extension : ''}`);
    }
    out.push(line);
  }
  return out.join('\n');
}

export function telephonyView(m: PbxModel) {
  const dialing = { ...DEFAULT_DIALING, ...m.dialing };
  const fc = { ...DEFAULT_FEATURE_CODES, ...m.featureCodes };
  const trunks = m.trunks ?? [];
  const prefix = dialing.outsidePrefix;

  const seats: SeatView[] = [
    ...m.endpoints.map((e) => ({ extension: e.id, device: `PJSIP/${e.id}`, what: 'SIP phone' })),
    ...(m.fxsSeats ?? []).map((f) => ({ extension: f.extension, device: `DAHDI/${f.dahdiChannel}`, what: `analog phone on DAHDI channel ${f.dahdiChannel}` })),
  ].sort((a, b) => extCompare(a.extension, b.extension));

  const emergencyTrunks = (dialing.emergencyTrunks ?? trunks.map((t) => t.id)).map((id, i, all) => ({
    id,
    context: trunkOutContext(id),
    last: i === all.length - 1,
  }));
  const emergency = EMERGENCY_NUMBERS.map((n) => ({ number: n, withPrefix: prefix ? `${prefix}${n}` : '' }));

  const routes = (m.routes ?? []).map((r) => routeView(r, prefix));
  // Trunks render in id order; routes keep the model's order (it is their priority).
  const trunkViews = [...trunks]
    .sort((a, b) => byCodePoint(a.id, b.id))
    .map((t) => trunkView(t, dialing.trunkRingSeconds));

  const dest = (d: { kind: string; target?: string | undefined }): string => {
    if (d.kind === 'seat') return `Goto(${CONTEXTS.seats},${d.target},1)`;
    if (d.kind === 'queue') return `Goto(${CONTEXTS.queueEntry},${d.target},1)`;
    // Fax: the receiver (fax/dialplan.ts) learns the number dialled from SEATBOX_DID.
    if (d.kind === 'fax') return 'Set(__SEATBOX_DID=${EXTEN})\n same => n,Goto(seatbox-fax-in,s,1)';
    return `Goto(${TELEPHONY_CONTEXTS.inboundRejected},s,1)`;
  };
  const inbound = m.inboundRoutes ?? [];
  const any = inbound.find((r) => r.did === 'any');
  const dids: InboundView[] = inbound
    .filter((r) => r.did !== 'any')
    .sort((a, b) => byCodePoint(a.did, b.did))
    .map((r) => ({
      exten: r.did,
      comment: `DID ${r.did} -> ${r.destination.kind}${r.destination.target ? ` ${r.destination.target}` : ''}`,
      target: dest(r.destination),
    }))
    .concat(
      (m.hotlines ?? []).flatMap((h) =>
        h.dids.map((did) => ({ exten: did, comment: `DID ${did} -> hotline ${h.id}`, target: `Set(__SEATBOX_DID=${did})\n same => n,Goto(seatbox-hotline-${h.id},s,1)` })),
      ),
    )
    .sort((a, b) => byCodePoint(a.exten, b.exten));
  const fallback = {
    comment: any ? `Any other number -> ${any.destination.kind}${any.destination.target ? ` ${any.destination.target}` : ''}` : 'Any other number: not in service',
    target: any ? dest(any.destination) : dest({ kind: 'hangup' }),
  };

  const chanDahdi = renderDahdiForPbx(m);
  const fxsUnassigned = !!chanDahdi && (m.dahdi?.spans ?? []).some((s) => s.type === 'analog' && s.ports.some((p) => p.kind === 'FXS' && !(m.fxsSeats ?? []).some((f) => f.dahdiChannel === p.channel)));

  return {
    seatVariable: SEAT_VARIABLE,
    seats,
    dialing,
    featureCodes: {
      ...fc,
      loginPattern: `_${fc.login}*X.`,
      loginRest: `\${EXTEN:${fc.login.length + 1}}`,
      pausePattern: `_${fc.pause}X`,
      pauseReason: `\${EXTEN:${fc.pause.length}}`,
    },
    agentDbFamily: AGENT_DB_FAMILY,
    emergency,
    emergencyTrunks,
    hasTrunks: trunks.length > 0,
    routes,
    hasRoutes: routes.length > 0,
    trunks: trunkViews,
    sipTrunks: trunks
      .filter((t): t is PbxSipTrunk => t.kind === 'sip')
      .sort((a, b) => byCodePoint(a.id, b.id))
      .map(sipTrunkView),
    trunkGroupCategory: TRUNK_GROUP_CATEGORY,
    dids,
    inboundFallback: fallback,
    contexts: { ...CONTEXTS, ...TELEPHONY_CONTEXTS },
    chanDahdi: chanDahdi ?? '',
    hasDahdi: !!chanDahdi,
    fxsUnassigned,
  };
}

/** The number a route sends for a dialled number (what the carrier receives), or undefined. */
export function routeNumber(m: PbxModel, dialled: string): { route: string; number: string; trunks: string[] } | undefined {
  const prefix = (m.dialing ?? DEFAULT_DIALING).outsidePrefix;
  if (!dialled.startsWith(prefix)) return undefined;
  for (const r of m.routes ?? []) {
    for (const p of r.patterns) {
      if (patternToRegExp(`${prefix}${p}`).test(dialled)) return { route: r.name, number: r.prepend + dialled.slice(prefix.length + r.stripDigits), trunks: r.trunks };
    }
  }
  return undefined;
}
