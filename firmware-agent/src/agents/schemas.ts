// TypeBox schemas of the agents API, shared by the routes (validation + OpenAPI) and the web
// UI (types only). The live contract (SeatLive, AGENT_STATES) is in http/schemas.ts.
import { Type, type Static } from '@sinclair/typebox';
import { AgentStateName } from '../http/schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const AgentNumber = Type.String({ pattern: '^[0-9]{3,8}$', description: '3-8 digits, typed on the phone after *21*' });
export const Pin = Type.String({ pattern: '^[0-9]{4,8}$', description: '4-8 digits' });
export const ReasonCode = Type.String({ pattern: '^[0-9]$', description: 'one digit, dialled after *23' });
export const SeatExtension = Type.String({ pattern: '^[0-9]{2,8}$', description: 'seat extension' });

export const AgentLiveState = Type.Object({
  seat: Type.String(),
  state: AgentStateName,
  since: Type.String({ format: 'date-time' }),
  pauseReason: Nullable(Type.String()),
  wrapUpEndsAt: Nullable(Type.String({ format: 'date-time' })),
  callLinkedid: Nullable(Type.String()),
  /** What the agent asked for that takes effect after the current call: 'paused' with a reason, or 'ready'. */
  afterCall: Type.Union([Type.Literal('ready'), Type.Literal('paused')]),
  afterCallReason: Nullable(Type.String()),
});
export type AgentLiveState = Static<typeof AgentLiveState>;

export const Agent = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  name: Type.String(),
  userId: Nullable(Type.Integer()),
  level: Type.Integer(),
  team: Nullable(Type.String()),
  hasPin: Type.Boolean(),
  pinSetAt: Nullable(Type.String()),
  wrapUpSeconds: Nullable(Type.Integer({ description: 'own wrap-up time; null = the default' })),
  active: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Logged in now: where and in which state; null when logged out. */
  live: Nullable(AgentLiveState),
});
export type Agent = Static<typeof Agent>;

export const AgentList = Type.Object({ agents: Type.Array(Agent) });
export type AgentList = Static<typeof AgentList>;
export const AgentResponse = Type.Object({ agent: Agent });
export type AgentResponse = Static<typeof AgentResponse>;

export const CreateAgentRequest = Type.Object(
  {
    number: AgentNumber,
    name: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    team: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    pin: Type.Optional(Pin),
    wrapUpSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 3600 }))),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateAgentRequest = Static<typeof CreateAgentRequest>;

export const UpdateAgentRequest = Type.Object(
  {
    number: Type.Optional(AgentNumber),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    userId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    team: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    wrapUpSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 3600 }))),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAgentRequest = Static<typeof UpdateAgentRequest>;

export const SetPinRequest = Type.Object({ pin: Pin }, { additionalProperties: false });
export type SetPinRequest = Static<typeof SetPinRequest>;
export const ResetPinResponse = Type.Object({ agent: Agent, pin: Type.String({ description: 'the new PIN; shown once' }) });
export type ResetPinResponse = Static<typeof ResetPinResponse>;

export const PauseReason = Type.Object({
  code: Type.String(),
  labelZh: Type.String(),
  labelEn: Type.String(),
  productive: Type.Boolean({ description: 'counts as work time (training, meetings)' }),
  active: Type.Boolean(),
});
export type PauseReason = Static<typeof PauseReason>;
export const PauseReasonList = Type.Object({ reasons: Type.Array(PauseReason) });
export type PauseReasonList = Static<typeof PauseReasonList>;

export const CreatePauseReasonRequest = Type.Object(
  {
    code: ReasonCode,
    labelZh: Type.String({ minLength: 1, maxLength: 32 }),
    labelEn: Type.String({ minLength: 1, maxLength: 32 }),
    productive: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreatePauseReasonRequest = Static<typeof CreatePauseReasonRequest>;
export const UpdatePauseReasonRequest = Type.Object(
  {
    labelZh: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    labelEn: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    productive: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePauseReasonRequest = Static<typeof UpdatePauseReasonRequest>;

export const AgentSettings = Type.Object({ wrapUpSeconds: Type.Integer({ minimum: 0, maximum: 3600, description: 'default after-call work time' }) }, { additionalProperties: false });
export type AgentSettings = Static<typeof AgentSettings>;

export const LoginRequest = Type.Object(
  {
    seat: SeatExtension,
    force: Type.Optional(Type.Boolean({ description: 'log out the agent who holds the seat (team lead, manager, admin)' })),
  },
  { additionalProperties: false },
);
export type AgentLoginRequest = Static<typeof LoginRequest>;
export const PauseRequest = Type.Object({ reasonCode: Type.Optional(Nullable(ReasonCode)) }, { additionalProperties: false });
export type PauseRequest = Static<typeof PauseRequest>;

export const ActionResponse = Type.Object({
  agent: Agent,
  /** 'after_call': a pause (or ready) asked for during a call takes effect after it and its wrap-up. */
  effect: Type.Union([Type.Literal('now'), Type.Literal('after_call')]),
});
export type ActionResponse = Static<typeof ActionResponse>;

export const HistoryInterval = Type.Object({
  id: Type.Integer(),
  sessionId: Type.Integer(),
  seat: Type.String(),
  state: Type.String(),
  reason: Nullable(Type.String()),
  linkedid: Nullable(Type.String()),
  startAt: Type.String(),
  endAt: Nullable(Type.String({ description: 'null while the state lasts' })),
});
export const HistorySession = Type.Object({
  id: Type.Integer(),
  seat: Type.String(),
  loginAt: Type.String(),
  logoutAt: Nullable(Type.String()),
  loginSource: Type.String(),
  logoutReason: Nullable(Type.String()),
});
export const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO time; default 24 h before `to`' })),
  to: Type.Optional(Type.String({ description: 'ISO time; default now' })),
});
export const HistoryResponse = Type.Object({
  agentId: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  sessions: Type.Array(HistorySession),
  intervals: Type.Array(HistoryInterval),
});
export type HistoryResponse = Static<typeof HistoryResponse>;
