// The agent desktop's contract (issue 8): what the server pushes to one agent's browser and the
// interfaces between the desk's parts. Written first so the desk core (desk-module.ts,
// call-control.ts), the desk records (identity, tickets, threats, registrations) and the UI
// (web-ui/src/pages/desk/) can be built side by side. Types here are shared with the UI.
import { Type, type Static } from '@sinclair/typebox';

const N = Type.Union([Type.String(), Type.Null()]);
const NInt = Type.Union([Type.Integer(), Type.Null()]);

/** One earlier contact with this customer (same phone), newest first: attempts, calls, tickets. */
export const DeskHistoryItem = Type.Object({
  at: Type.String(),
  kind: Type.Union([Type.Literal('attempt'), Type.Literal('call'), Type.Literal('ticket'), Type.Literal('registration'), Type.Literal('sms')]),
  campaignName: N,
  agentName: N,
  /** outcome / disposition code / ticket status … (the UI translates known codes) */
  outcome: N,
  disposition: N,
  note: N,
});
export type DeskHistoryItem = Static<typeof DeskHistoryItem>;

export const IdentityStatus = Type.Object({
  /** unverified: not checked yet; verified: name and ID matched; failed: locked after too many misses; not_required: the campaign has no sensitive fields */
  status: Type.Union([Type.Literal('unverified'), Type.Literal('verified'), Type.Literal('failed'), Type.Literal('not_required')]),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
});
export type IdentityStatus = Static<typeof IdentityStatus>;

/** The customer of the screen pop. Sensitive fields are absent until the identity is verified (server-side). */
export const DeskCustomer = Type.Object({
  leadId: NInt,
  campaignId: NInt,
  campaignName: N,
  name: N,
  /** masked per role (lead-view.ts) */
  phone: N,
  /** fields that are not sensitive, or all fields once verified */
  fields: Type.Record(Type.String(), Type.Unknown()),
  /** names of the sensitive fields withheld (shown as "verify identity to see") */
  hiddenFields: Type.Array(Type.String()),
  attempts: Type.Integer(),
  script: Type.Object({ text: Type.String(), missing: Type.Array(Type.String()) }),
  history: Type.Array(DeskHistoryItem),
  identity: IdentityStatus,
});
export type DeskCustomer = Static<typeof DeskCustomer>;

export const DeskCall = Type.Object({
  linkedid: Type.String(),
  /** dialer: a predictive/progressive call connected to me; manual: click-to-dial / preview; inbound: hotline / queue; internal: seat to seat */
  kind: Type.Union([Type.Literal('dialer'), Type.Literal('manual'), Type.Literal('inbound'), Type.Literal('internal')]),
  state: Type.Union([Type.Literal('dialing'), Type.Literal('ringing'), Type.Literal('talking'), Type.Literal('held'), Type.Literal('conference'), Type.Literal('ended')]),
  /** the customer's number as this user may see it */
  number: N,
  startedAt: Type.String(),
  answeredAt: N,
  endedAt: N,
  /** a consultation call (attended transfer / before a conference) */
  consult: Type.Union([Type.Object({ target: Type.String(), state: Type.Union([Type.Literal('ringing'), Type.Literal('talking')]) }), Type.Null()]),
  threat: Type.Boolean(),
  recordingId: NInt,
  customer: Type.Union([DeskCustomer, Type.Null()]),
});
export type DeskCall = Static<typeof DeskCall>;

/** The after-call work that must be done before the next call. */
export const DeskWrapUp = Type.Object({
  linkedid: Type.String(),
  leadId: NInt,
  campaignId: NInt,
  startedAt: Type.String(),
  /** the wrap-up timer's planned end (null = no timer) */
  endsAt: N,
  /** the timer ran out and the disposition is still missing (the team lead sees this too) */
  overdue: Type.Boolean(),
  dispositionRequired: Type.Boolean(),
});
export type DeskWrapUp = Static<typeof DeskWrapUp>;

export const DeskStats = Type.Object({
  day: Type.String(),
  calls: Type.Integer(),
  contacts: Type.Integer(),
  sales: Type.Integer(),
  talkSeconds: Type.Integer(),
  pauseSeconds: Type.Integer(),
  wrapSeconds: Type.Integer(),
  loginSeconds: Type.Integer(),
  /** targets of the day (null = none set) */
  targets: Type.Object({ calls: NInt, contacts: NInt, sales: NInt, talkMinutes: NInt }),
});
export type DeskStats = Static<typeof DeskStats>;

/** Everything the agent desktop shows; pushed as `desk.state` to that agent's user only. */
export const DeskState = Type.Object({
  agent: Type.Union([Type.Object({ id: Type.Integer(), number: Type.String(), name: Type.String(), team: N }), Type.Null()]),
  seat: N,
  state: Type.Union([Type.Literal('logged_out'), Type.Literal('ready'), Type.Literal('ringing'), Type.Literal('talking'), Type.Literal('wrap_up'), Type.Literal('paused')]),
  since: N,
  pauseReason: N,
  /** a pause asked for during a call (after the call and its wrap-up) */
  pendingPause: Type.Boolean(),
  /** the campaign the agent works (preview / click-to-dial use it), null = none chosen */
  campaignId: NInt,
  call: Type.Union([DeskCall, Type.Null()]),
  wrapUp: Type.Union([DeskWrapUp, Type.Null()]),
  /** preview (manual) mode: the lead held for me, not dialled yet */
  preview: Type.Union([DeskCustomer, Type.Null()]),
  /** server time of this snapshot (the UI corrects its clock for timers) */
  serverTime: Type.String(),
  /** increases with every snapshot of this agent (the UI ignores older ones) */
  version: Type.Integer(),
});
export type DeskState = Static<typeof DeskState>;

/** The duty lead's alert: a threat call (pushed as `desk.threat` to team leads and managers). */
export const ThreatAlert = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  seat: N,
  agentId: NInt,
  agentName: N,
  callerNumber: N,
  linkedid: N,
  notes: Type.String(),
  recordingId: NInt,
  acknowledgedAt: N,
  acknowledgedBy: N,
});
export type ThreatAlert = Static<typeof ThreatAlert>;

// ---- interfaces between the desk's parts ---------------------------------------------------

/** Identity checks (desk/identity.ts) as the desk core needs them to build a screen pop. */
export interface IdentityGate {
  /** The status for this customer on this call (lead id or caller number). */
  status(linkedid: string, leadId: number | null): IdentityStatus;
  /** The lead fields withheld until verified (campaign setting `identity.sensitiveFields`). */
  sensitiveFields(campaignId: number | null): string[];
}

/** SMS after a call (sms/): the desk and the lead outcome route report every disposition. */
export interface AfterCallSms {
  afterDisposition(e: { leadId: number; campaignId: number; disposition: string | null; agentId: number | null; at: Date }): void;
}
