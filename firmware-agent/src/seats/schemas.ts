// API shapes of seats (TypeBox: route validation + OpenAPI; the web UI imports the types).
// Formats are checked by seat-store.ts with messages naming the seat, not by these schemas.
import { Type, type Static } from '@sinclair/typebox';

export const SEAT_KINDS = ['agent', 'team_lead', 'manager'] as const;
export const SeatKind = Type.Union(SEAT_KINDS.map((k) => Type.Literal(k)), { description: 'agent seat, team-lead seat or manager terminal' });
export type SeatKind = Static<typeof SeatKind>;

export const SEAT_TECHS = ['sip', 'fxs'] as const;
export const SeatTech = Type.Union(SEAT_TECHS.map((k) => Type.Literal(k)), { description: 'sip: a SIP desk phone or softphone; fxs: an analog phone on a card port' });
export type SeatTech = Static<typeof SeatTech>;

export const SeatCodec = Type.Union([Type.Literal('alaw'), Type.Literal('ulaw'), Type.Literal('g722'), Type.Literal('gsm')]);

export const SeatPort = Type.Object({
  channel: Type.Integer({ description: 'DAHDI channel of the FXS port' }),
  span: Type.Integer(),
  /** 1-based port number on the card, when the card is detected. */
  port: Type.Union([Type.Integer(), Type.Null()]),
  card: Type.Union([Type.String(), Type.Null()]),
});
export type SeatPort = Static<typeof SeatPort>;

export const Seat = Type.Object({
  id: Type.Integer(),
  extension: Type.String(),
  name: Type.String(),
  kind: SeatKind,
  tech: SeatTech,
  enabled: Type.Boolean(),
  codecs: Type.Array(Type.String()),
  port: Type.Union([SeatPort, Type.Null()]),
  /** SIP: a contact is registered; FXS: the port is present and not in alarm. */
  registered: Type.Boolean(),
  contact: Type.Union([Type.Object({ uri: Type.String(), userAgent: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  secretSetAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Seat = Static<typeof Seat>;

/** Everything a technician types into a desk phone. Shown once; the secret is not stored in the browser. */
export const Provisioning = Type.Object({
  extension: Type.String(),
  displayName: Type.String(),
  server: Type.String({ description: 'address phones register to (the box)' }),
  port: Type.Integer(),
  transport: Type.Literal('udp'),
  username: Type.String({ description: 'SIP user / register name' }),
  authUsername: Type.String(),
  secret: Type.String(),
  codecs: Type.Array(Type.String({ description: 'SDP names in order of preference, e.g. PCMA' })),
});
export type Provisioning = Static<typeof Provisioning>;

export const SeatList = Type.Object({
  seats: Type.Array(Seat),
  /** Address and port phones register to, for the UI's hints. */
  server: Type.Object({ address: Type.String(), port: Type.Integer(), transport: Type.Literal('udp') }),
});
export type SeatList = Static<typeof SeatList>;

export const CreateSeatRequest = Type.Object(
  {
    extension: Type.String({ maxLength: 16 }),
    name: Type.String({ maxLength: 200 }),
    kind: Type.Optional(SeatKind),
    tech: Type.Optional(SeatTech),
    /** FXS seats: the DAHDI channel of a free FXS port (see GET /hardware). */
    channel: Type.Optional(Type.Integer()),
    codecs: Type.Optional(Type.Array(SeatCodec, { maxItems: 8 })),
  },
  { additionalProperties: false },
);
export type CreateSeatRequest = Static<typeof CreateSeatRequest>;

export const BulkCreateSeatsRequest = Type.Object(
  {
    from: Type.String({ maxLength: 16, description: 'first extension, e.g. 8001' }),
    to: Type.String({ maxLength: 16, description: 'last extension, e.g. 8048' }),
    /** "{n}" = the extension, "{i}" = 1, 2, 3 … e.g. "坐席 {n}". */
    namePattern: Type.String({ maxLength: 200 }),
    kind: Type.Optional(SeatKind),
    tech: Type.Optional(SeatTech),
    codecs: Type.Optional(Type.Array(SeatCodec, { maxItems: 8 })),
  },
  { additionalProperties: false },
);
export type BulkCreateSeatsRequest = Static<typeof BulkCreateSeatsRequest>;

export const UpdateSeatRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(SeatKind),
    enabled: Type.Optional(Type.Boolean()),
    codecs: Type.Optional(Type.Array(SeatCodec, { maxItems: 8 })),
    /** FXS seats: move to another FXS port (null: no port). Null first: Ajv coerces along the union's order. */
    channel: Type.Optional(Type.Union([Type.Null(), Type.Integer()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSeatRequest = Static<typeof UpdateSeatRequest>;

export const SeatCreated = Type.Object({ seat: Seat, provisioning: Type.Union([Provisioning, Type.Null()]) });
export type SeatCreated = Static<typeof SeatCreated>;

export const SeatsCreated = Type.Object({ seats: Type.Array(Seat), provisioning: Type.Array(Provisioning) });
export type SeatsCreated = Static<typeof SeatsCreated>;

export const DeleteSeatsRequest = Type.Object({ extensions: Type.Array(Type.String({ maxLength: 16 }), { minItems: 1, maxItems: 256 }) }, { additionalProperties: false });
export type DeleteSeatsRequest = Static<typeof DeleteSeatsRequest>;
