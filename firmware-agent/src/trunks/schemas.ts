// API shapes of trunks, outbound routes and inbound routes (TypeBox; the web UI imports the
// types). Formats are checked where the message can name the trunk/route (trunk-store.ts,
// route-store.ts, and the PBX model's validation mapped back).
import { Type, type Static } from '@sinclair/typebox';

export const TRUNK_KINDS = ['sip', 'fxo', 'e1'] as const;
export const TrunkKind = Type.Union(TRUNK_KINDS.map((k) => Type.Literal(k)), { description: 'sip: SIP carrier; fxo: analog lines on FXO ports; e1: E1 spans (PRI or MFC/R2)' });
export type TrunkKind = Static<typeof TrunkKind>;

export const Presentation = Type.Union([Type.Literal('allowed'), Type.Literal('restricted')]);
export type Presentation = Static<typeof Presentation>;
export const DtmfMode = Type.Union([Type.Literal('rfc4733'), Type.Literal('inband'), Type.Literal('info'), Type.Literal('auto')]);
export const TrunkCodec = Type.Union([Type.Literal('alaw'), Type.Literal('ulaw'), Type.Literal('g722'), Type.Literal('gsm')]);

export const Trunk = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: TrunkKind,
  enabled: Type.Boolean(),
  /** Section name in Asterisk ("trunk-<id>"), shown to technicians reading logs. */
  pbxId: Type.String(),
  maxChannels: Type.Integer(),
  /** Present (true) on a dedicated fax line. */
  faxLine: Type.Optional(Type.Boolean()),
  callerIdNumber: Type.Union([Type.String(), Type.Null()]),
  callerIdName: Type.Union([Type.String(), Type.Null()]),
  presentation: Presentation,
  sip: Type.Union([
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      register: Type.Boolean({ description: 'true: register with username/password; false: IP authentication' }),
      username: Type.Union([Type.String(), Type.Null()]),
      hasSecret: Type.Boolean(),
      fromUser: Type.Union([Type.String(), Type.Null()]),
      fromDomain: Type.Union([Type.String(), Type.Null()]),
      codecs: Type.Array(Type.String()),
      qualifySeconds: Type.Integer(),
      dtmfMode: Type.String(),
      match: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  /** fxo/e1: the chan_dahdi group (dialled DAHDI/g<group>/<number>). */
  group: Type.Union([Type.Integer(), Type.Null()]),
  /** fxo: DAHDI channels of its FXO ports. */
  channels: Type.Array(Type.Integer()),
  /** e1: its spans. */
  spans: Type.Array(Type.Integer()),
  /** Outbound routes using it (a trunk in use cannot be deleted). */
  usedBy: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Trunk = Static<typeof Trunk>;

// Nullable request fields list Null first: fastify's Ajv coerces types and tries union members
// in order, so with String first a null arrives as "" (and with Integer first as 0).
const trunkFields = {
  enabled: Type.Optional(Type.Boolean()),
  maxChannels: Type.Optional(Type.Integer()),
  callerIdNumber: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 40 })])),
  callerIdName: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  presentation: Type.Optional(Presentation),
  /** A dedicated fax line: every inbound call is received as a fax (docs/fax.md). */
  faxLine: Type.Optional(Type.Boolean()),
  // sip
  host: Type.Optional(Type.String({ maxLength: 300 })),
  port: Type.Optional(Type.Integer()),
  register: Type.Optional(Type.Boolean()),
  username: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  /** Omitted on update: keep the stored password. */
  secret: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  fromUser: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  fromDomain: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 300 })])),
  codecs: Type.Optional(Type.Array(TrunkCodec, { maxItems: 8 })),
  qualifySeconds: Type.Optional(Type.Integer()),
  dtmfMode: Type.Optional(DtmfMode),
  match: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 32 })),
  // fxo
  channels: Type.Optional(Type.Array(Type.Integer(), { maxItems: 128 })),
  // e1
  spans: Type.Optional(Type.Array(Type.Integer(), { maxItems: 32 })),
  /** e1: signalling given to spans that are not configured yet (default pri_cpe). */
  e1Signalling: Type.Optional(Type.Union([Type.Literal('pri_cpe'), Type.Literal('pri_net'), Type.Literal('r2')])),
};

export const CreateTrunkRequest = Type.Object({ name: Type.String({ maxLength: 200 }), kind: TrunkKind, ...trunkFields }, { additionalProperties: false });
export type CreateTrunkRequest = Static<typeof CreateTrunkRequest>;

export const UpdateTrunkRequest = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), ...trunkFields }, { additionalProperties: false, minProperties: 1 });
export type UpdateTrunkRequest = Static<typeof UpdateTrunkRequest>;

export const TrunkList = Type.Object({ trunks: Type.Array(Trunk) });
export type TrunkList = Static<typeof TrunkList>;

// ---- outbound routes

export const OutboundRoute = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  position: Type.Integer(),
  patterns: Type.Array(Type.String()),
  stripDigits: Type.Integer(),
  prepend: Type.String(),
  trunks: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), enabled: Type.Boolean() })),
  enabled: Type.Boolean(),
  /** Enabled but every trunk of it is disabled: calls find no way out. */
  active: Type.Boolean(),
});
export type OutboundRoute = Static<typeof OutboundRoute>;

export const OutboundRouteRequest = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    patterns: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 64 }),
    stripDigits: Type.Optional(Type.Integer()),
    prepend: Type.Optional(Type.String({ maxLength: 40 })),
    /** Trunk ids in failover order. */
    trunkIds: Type.Array(Type.Integer(), { maxItems: 16 }),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type OutboundRouteRequest = Static<typeof OutboundRouteRequest>;

export const RouteOrderRequest = Type.Object({ ids: Type.Array(Type.Integer(), { maxItems: 128 }) }, { additionalProperties: false });
export type RouteOrderRequest = Static<typeof RouteOrderRequest>;

export const RoutePreset = Type.Object({
  key: Type.String(),
  patterns: Type.Array(Type.String()),
  /** Example numbers the patterns match (for the UI). */
  examples: Type.Array(Type.String()),
});
export type RoutePreset = Static<typeof RoutePreset>;

export const OutboundRouteList = Type.Object({
  routes: Type.Array(OutboundRoute),
  presets: Type.Array(RoutePreset),
  /** Dialled before outside numbers ("" = none). */
  outsidePrefix: Type.String(),
  /** Always allowed, whatever the routes say. */
  emergencyNumbers: Type.Array(Type.String()),
});
export type OutboundRouteList = Static<typeof OutboundRouteList>;

// ---- inbound routes

export const InboundDestination = Type.Union([Type.Literal('seat'), Type.Literal('queue'), Type.Literal('hangup'), Type.Literal('fax')]);

export const InboundRoute = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  /** Number as the trunk delivers it; "any" = every number without its own route. */
  did: Type.String(),
  destination: InboundDestination,
  seat: Type.Union([Type.String(), Type.Null()]),
  queue: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
});
export type InboundRoute = Static<typeof InboundRoute>;

export const InboundRouteRequest = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    did: Type.String({ maxLength: 40 }),
    destination: InboundDestination,
    seat: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 16 })])),
    queue: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 64 })])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type InboundRouteRequest = Static<typeof InboundRouteRequest>;

export const InboundRouteList = Type.Object({
  routes: Type.Array(InboundRoute),
  /** What an inbound route may point to. */
  seats: Type.Array(Type.Object({ extension: Type.String(), name: Type.String() })),
  queues: Type.Array(Type.String()),
});
export type InboundRouteList = Static<typeof InboundRouteList>;
