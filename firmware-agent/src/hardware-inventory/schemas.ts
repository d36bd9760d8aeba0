// API shapes of the telephony-card inventory (TypeBox; the web UI imports the types).
import { Type, type Static } from '@sinclair/typebox';
import { SpanSettings } from './span-settings.js';

export const HwAlarms = Type.Object({
  ok: Type.Boolean(),
  severity: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('critical')]),
  /** RED, YELLOW, BLUE … (empty when OK). */
  alarms: Type.Array(Type.String()),
  text: Type.String({ description: 'OK, or the alarms as the tools print them' }),
});
export type HwAlarms = Static<typeof HwAlarms>;

export const HwCard = Type.Object({
  id: Type.String({ description: 'dahdi_hardware location, e.g. pci:0000:04:05.0' }),
  vendor: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  driver: Type.String(),
  driverLoaded: Type.Boolean(),
  kind: Type.String({ description: 'analog | digital | hybrid | unknown' }),
  spans: Type.Array(Type.Integer()),
});
export type HwCard = Static<typeof HwCard>;

export const HwPort = Type.Object({
  channel: Type.Integer(),
  span: Type.Integer(),
  port: Type.Integer({ description: '1-based port label on the card' }),
  kind: Type.String({ description: 'FXS (a phone plugs in) | FXO (a PSTN line) | empty | failed | unknown' }),
  alarms: HwAlarms,
  inUse: Type.Boolean(),
  signallingMismatch: Type.Boolean(),
  /** FXS: the seat using it; FXO: the trunk. */
  seat: Type.Union([Type.Object({ id: Type.Integer(), extension: Type.String(), name: Type.String() }), Type.Null()]),
  trunk: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
});
export type HwPort = Static<typeof HwPort>;

export const HwSpan = Type.Object({
  span: Type.Integer(),
  card: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  description: Type.String(),
  kind: Type.String({ description: 'analog | E1 | T1 | BRI | unknown' }),
  firstChannel: Type.Union([Type.Integer(), Type.Null()]),
  channelCount: Type.Union([Type.Integer(), Type.Null()]),
  alarms: HwAlarms,
  alarmMeaning: Type.Array(Type.String()),
  clockSource: Type.Boolean(),
  /** Line settings the card reports now. */
  lineConfig: Type.Union([Type.Object({ framing: Type.Union([Type.String(), Type.Null()]), coding: Type.Union([Type.String(), Type.Null()]), crc4: Type.Boolean() }), Type.Null()]),
  counters: Type.Record(Type.String(), Type.Number()),
  channelsInUse: Type.Integer(),
  /** Channels that carry calls: E1 30 (timeslot 16 signals), T1 23, analog every port. */
  voiceChannels: Type.Union([Type.Integer(), Type.Null()]),
  /** E1/T1: stored SeatBox settings (null: not configured). */
  settings: Type.Union([SpanSettings, Type.Null()]),
  trunk: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
});
export type HwSpan = Static<typeof HwSpan>;

export const HardwareEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  kind: Type.String(),
  span: Type.Union([Type.Integer(), Type.Null()]),
  card: Type.Union([Type.String(), Type.Null()]),
  alarms: Type.Array(Type.String()),
  severity: Type.String(),
  message: Type.String(),
});
export type HardwareEventView = Static<typeof HardwareEventSchema>;

export const HardwareView = Type.Object({
  source: Type.String({ description: 'fixture (recorded outputs under the host root) | command (the DAHDI tools) | none' }),
  probe: Type.String(),
  probedAt: Type.Union([Type.String(), Type.Null()]),
  probeErrors: Type.Array(Type.String()),
  cards: Type.Array(HwCard),
  spans: Type.Array(HwSpan),
  ports: Type.Array(HwPort),
  warnings: Type.Array(Type.String()),
  /** Ports and spans stored for cards that are not detected now. */
  missing: Type.Array(Type.String()),
  events: Type.Array(HardwareEventSchema),
});
export type HardwareView = Static<typeof HardwareView>;

export const PortAssignmentRequest = Type.Object(
  {
    /** FXS port: the analog seat's extension (null: free the port). */
    seat: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 16 })])),
    /** FXO port: the analog trunk's id (null: free the port). */
    trunkId: Type.Optional(Type.Union([Type.Null(), Type.Integer()])),
  },
  { additionalProperties: false },
);
export type PortAssignmentRequest = Static<typeof PortAssignmentRequest>;
