// TypeBox schemas shared by the API (route validation + OpenAPI) and the web UI (types).
// The UI imports these as types only, so nothing server-side is bundled into it.
import { Type, type Static } from '@sinclair/typebox';
import type { BackupProgress } from '../system/backup/backup-service.js';
import type { UpdateState } from '../system/update/update-service.js';
import type { LeadsImportProgress } from '../leads/import/import-service.js';

export const ROLES = ['admin', 'manager', 'team_lead', 'qa', 'trainer', 'agent', 'technician', 'data_manager'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

export const Language = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);
export type Language = Static<typeof Language>;

export const ApiError = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code, e.g. invalid_credentials' }),
    message: Type.String({ description: 'human-readable explanation (English)' }),
    field: Type.Optional(Type.String({ description: 'the input field at fault, when there is one' })),
  },
  { $id: 'ApiError' },
);
export type ApiError = Static<typeof ApiError>;

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Role),
  language: Language,
});
export type User = Static<typeof User>;

export const Username = Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' });
// Passwords: at least 10 characters; the server also refuses very common ones.
export const Password = Type.String({ minLength: 10, maxLength: 200 });

export const SetupStatus = Type.Object({ needsSetup: Type.Boolean() });
export type SetupStatus = Static<typeof SetupStatus>;

export const SetupRequest = Type.Object({
  username: Username,
  password: Password,
  displayName: Type.Optional(Type.String({ maxLength: 64 })),
  language: Type.Optional(Language),
});
export type SetupRequest = Static<typeof SetupRequest>;

export const LoginRequest = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
});
export type LoginRequest = Static<typeof LoginRequest>;

export const UpdateMeRequest = Type.Object(
  {
    language: Type.Optional(Language),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMeRequest = Static<typeof UpdateMeRequest>;

export const UserResponse = Type.Object({ user: User });
export type UserResponse = Static<typeof UserResponse>;

export const CsrfResponse = Type.Object({ token: Type.String() });

export const AsteriskStatus = Type.Object({
  connected: Type.Boolean(),
  version: Type.Union([Type.String(), Type.Null()]),
  channels: Type.Integer({ description: 'channels in use now' }),
  calls: Type.Integer({ description: 'calls (linkedid groups) in progress' }),
  uptimeSeconds: Type.Union([Type.Integer(), Type.Null()]),
  lastReloadError: Type.Union([Type.String(), Type.Null()]),
});
export type AsteriskStatus = Static<typeof AsteriskStatus>;

export const DbStatus = Type.Object({
  ok: Type.Boolean(),
  schemaVersion: Type.Integer(),
  sizeBytes: Type.Integer(),
  journalMode: Type.String(),
});

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptime: Type.Number({ description: 'agent uptime in seconds' }),
  db: DbStatus,
  asterisk: Type.Object({
    connected: Type.Boolean(),
    version: Type.Union([Type.String(), Type.Null()]),
    channels: Type.Integer(),
  }),
});
export type Health = Static<typeof Health>;

/** Technicians' figures: event lag since a moment, the agent's CPU time and memory. */
export const SystemMetrics = Type.Object({
  sinceMs: Type.Number({ description: 'epoch ms the lag figures start from' }),
  eventLagMs: Type.Object({ count: Type.Integer(), p50: Type.Number(), p99: Type.Number(), max: Type.Number() }),
  cpuUserMicros: Type.Number(),
  cpuSystemMicros: Type.Number(),
  rssBytes: Type.Number(),
  pid: Type.Integer(),
  asteriskPid: Type.Union([Type.Integer(), Type.Null()]),
});
export type SystemMetrics = Static<typeof SystemMetrics>;

export const SystemStatus = Type.Object({
  product: Type.Literal('SeatBox'),
  version: Type.String(),
  agentUptimeSeconds: Type.Number(),
  rssBytes: Type.Integer(),
  demo: Type.Boolean(),
  asterisk: AsteriskStatus,
});
export type SystemStatus = Static<typeof SystemStatus>;

export const CallLeg = Type.Object({
  uniqueid: Type.String(),
  channel: Type.String(),
  state: Type.String(),
  callerNum: Type.Union([Type.String(), Type.Null()]),
  exten: Type.Union([Type.String(), Type.Null()]),
});

export const LiveCall = Type.Object({
  linkedid: Type.String(),
  direction: Type.String(),
  state: Type.String({ description: 'ringing | answered | bridged | ended' }),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  answeredAt: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  cause: Type.Union([Type.Integer(), Type.Null()]),
  legs: Type.Array(CallLeg),
});
export type LiveCall = Static<typeof LiveCall>;

// ---- Seats, agents, trunks (issue "seats, agents, trunks and telephony cards") ----

export const AGENT_STATES = ['logged_out', 'ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;
export const AgentStateName = Type.Union(AGENT_STATES.map((s) => Type.Literal(s)));
export type AgentStateName = Static<typeof AgentStateName>;

/** One seat (a phone position) and who works at it now; pushed as 'seat.updated'. */
export const SeatLive = Type.Object({
  extension: Type.String(),
  kind: Type.Union([Type.Literal('sip'), Type.Literal('fxs')]),
  registered: Type.Boolean({ description: 'SIP contact present (FXS: port present and not in alarm)' }),
  agent: Type.Union([Type.Object({ id: Type.Integer(), number: Type.String(), name: Type.String() }), Type.Null()]),
  state: AgentStateName,
  /** When the current state began (ISO); durations are computed by the viewer. */
  since: Type.String({ format: 'date-time' }),
  pauseReason: Type.Union([Type.String(), Type.Null()]),
  /** Wrap-up ends automatically at this time (ISO), when in wrap_up. */
  wrapUpEndsAt: Type.Union([Type.String(), Type.Null()]),
  callLinkedid: Type.Union([Type.String(), Type.Null()]),
  /** Agent desktop: in wrap-up past its timer with the disposition still missing (team leads watch this). */
  dispositionOverdue: Type.Optional(Type.Boolean()),
});
export type SeatLive = Static<typeof SeatLive>;

/** A trunk (SIP, analog group or E1 span group) and its live status; pushed as 'trunk.updated'. */
export const TrunkLive = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('sip'), Type.Literal('fxo'), Type.Literal('e1')]),
  status: Type.String({ description: 'registered | unregistered | rejected | reachable | unreachable | up | alarm | unknown' }),
  detail: Type.Union([Type.String(), Type.Null()]),
  channelsInUse: Type.Integer(),
  maxChannels: Type.Integer(),
});
export type TrunkLive = Static<typeof TrunkLive>;

/** A DAHDI span and its alarms; pushed as 'span.updated'. */
export const SpanLive = Type.Object({
  span: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  alarms: Type.Array(Type.String({ description: 'OK | RED | YELLOW | BLUE | RECOVERING | LOOPBACK | NOTOPEN | UNCONFIGURED' })),
  channelsInUse: Type.Integer(),
  channels: Type.Integer(),
});
export type SpanLive = Static<typeof SpanLive>;

/**
 * Messages pushed on the websocket GET /api/v1/live (JSON, one per frame):
 *  { type: 'hello', data: { user, status: SystemStatus, calls: LiveCall[] } }   first frame after connect
 *  { type: 'system.status', data: SystemStatus }                                every change + every 5 s
 *  { type: 'call.updated', data: LiveCall }                                     call created/answered/bridged
 *  { type: 'call.ended', data: LiveCall }
 *  { type: 'seat.updated', data: SeatLive }       a seat's registration or its agent's state changed
 *  { type: 'trunk.updated', data: TrunkLive }     a trunk's registration/reachability/channels changed
 *  { type: 'span.updated', data: SpanLive }       a span's alarms or channels changed
 *  { type: 'update.progress', data: UpdateState }  writing an update bundle to the inactive slot
 *  { type: 'backup.progress', data: BackupProgress }  a backup or restore running
 *  { type: 'leads.import.progress', data: LeadsImportProgress }  a lead file being checked / imported
 *  { type: 'recording.started' | 'recording.finished', data }  a call recording began / its file is measured
 *  { type: 'recording.job', data: RecordingJobProgress }  the recording storage job (compress, retention) running
 *  { type: 'recording.storage', data: RecordingStorage }  disk level changed (alarm / recording stopped / resumed)
 *  { type: 'fax.incoming' | 'fax.received' | 'fax.job', data }  a fax arriving / in the inbox / an outbound job's status
 *  { type: 'alarm', data: { source, severity, message, at } }   something an operator must see
 *  { type: 'lead.callback_due', data: { leadId, campaignId, agentId, team, scope, at } }  a lead callback came due (campaigns)
 */
export type LiveMessage =
  | { type: 'hello'; data: { user: User; status: SystemStatus; calls: LiveCall[] } }
  | { type: 'system.status'; data: SystemStatus }
  | { type: 'call.updated'; data: LiveCall }
  | { type: 'call.ended'; data: LiveCall }
  | { type: 'seat.updated'; data: SeatLive }
  | { type: 'trunk.updated'; data: TrunkLive }
  | { type: 'span.updated'; data: SpanLive }
  | { type: 'update.progress'; data: UpdateState }
  | { type: 'backup.progress'; data: BackupProgress }
  | { type: 'leads.import.progress'; data: LeadsImportProgress }
  | { type: 'recording.started'; data: { id: number; linkedid: string; seat: string | null; startedAt: string } }
  | { type: 'recording.finished'; data: { id: number; linkedid: string; durationMs: number | null } }
  | { type: 'recording.job'; data: import('../recording/schemas.js').RecordingJobProgress }
  | { type: 'recording.storage'; data: import('../recording/schemas.js').RecordingStorage }
  /** Fax (docs/fax.md): a fax call began arriving / a fax is in the inbox / an outbound job changed. */
  | { type: 'fax.incoming'; data: { callerNumber: string | null; did: string | null; route: string; at: string } }
  | { type: 'fax.received'; data: { item: import('../fax/fax-store.js').FaxInboxItem; unread: number } }
  | { type: 'fax.job'; data: import('../fax/fax-store.js').FaxJob }
  | { type: 'alarm'; data: { source: string; severity: 'info' | 'warning' | 'critical'; message: string; at: string } }
  /** A lead callback's time came (campaigns): the agent (personal) or the team is reminded. */
  | { type: 'lead.callback_due'; data: { leadId: number; campaignId: number; campaignName: string; agentId: number | null; team: string | null; scope: 'personal' | 'team'; at: string } }
  /** Predictive dialer (docs/dialer.md): a campaign's pacing figures, once a second while it dials. */
  | { type: 'dialer.status'; data: import('../dialer/dialer-module.js').DialerStatus }
  /** Agent desktop (docs/agent-desktop.md): one agent's whole desk, sent to that agent's user only. */
  | { type: 'desk.state'; data: import('../desk/contract.js').DeskState }
  /** A threat call was marked: to team leads and managers (and an 'alarm'). */
  | { type: 'desk.threat'; data: import('../desk/contract.js').ThreatAlert }
  /** A complaint ticket was created or followed up: to team leads, managers and its creator. */
  | { type: 'ticket.updated'; data: { id: number; status: string; team: string | null; assigneeUserId: number | null; createdByUserId: number | null; overdue: boolean; updatedAt: string } }
  /** SMS (docs/sms.md): the modem's state and a bulk send's progress. */
  | { type: 'sms.modem'; data: { state: string; operator: string | null; signal: number | null; error: string | null; at: string } }
  | { type: 'sms.progress'; data: { batchId: number; campaignId: number | null; total: number; sent: number; failed: number; skipped: number; state: string } }
  /** Wallboard (docs/wallboard.md): the whole board, within 1 s of a queue / agent / dialer event; to admin, manager, team lead. */
  | { type: 'wallboard.update'; data: import('../reports/wallboard.js').WallboardSnapshot };
