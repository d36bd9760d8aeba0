// Wallboard API (tag reports): GET /wallboard → the whole board now (docs/wallboard.md).
// Afterwards the page only listens to 'wallboard.update' frames on the live feed (no polling).
// Readers: admin, manager, team lead — the board is center-wide (a TV on the floor).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { WALLBOARD_ROLES, type WallboardModule, type WallboardSnapshot } from '../reports/wallboard.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const NNum = Type.Union([Type.Number(), Type.Null()]);
const NStr = Type.Union([Type.String(), Type.Null()]);
const Check = Type.Object({ metric: Type.String(), op: Type.Union([Type.Literal('min'), Type.Literal('max')]), target: Type.Number(), actual: NNum, met: Type.Union([Type.Boolean(), Type.Null()]), source: Type.String() });
const Kpis = Type.Object({
  offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), shortAbandoned: Type.Integer(), timedOut: Type.Integer(),
  answerRate: NNum, serviceLevel: NNum, abandonRate: NNum, asaSeconds: NNum, avgTalkSeconds: NNum,
});
export const WallboardSnapshotSchema = Type.Object({
  serverTime: Type.String(),
  day: Type.String(),
  timeZone: Type.String(),
  serviceLevelSeconds: Type.Integer(),
  seq: Type.Integer(),
  trigger: Type.Union([Type.Object({ source: Type.String(), at: Type.String() }), Type.Null()]),
  queues: Type.Array(Type.Object({ name: Type.String(), label: Type.String(), waiting: Type.Integer(), oldestSince: NStr, today: Kpis, targets: Type.Array(Check) })),
  center: Type.Object({ waiting: Type.Integer(), oldestSince: NStr, today: Kpis, targets: Type.Array(Check) }),
  campaigns: Type.Array(
    Type.Object({
      id: Type.Integer(), name: Type.String(), status: Type.String(), dials: Type.Integer(), liveAnswers: Type.Integer(), connected: Type.Integer(), drops: Type.Integer(),
      dropRate: NNum, dropCap: Type.Number(), dropMet: Type.Union([Type.Boolean(), Type.Null()]), avgTalkSeconds: NNum, targets: Type.Array(Check),
    }),
  ),
  teams: Type.Array(
    Type.Object({
      team: Type.String(),
      counts: Type.Record(Type.String(), Type.Integer()),
      agents: Type.Array(Type.Object({ id: Type.Integer(), number: Type.String(), name: Type.String(), seat: Type.String(), state: Type.String(), since: Type.String(), pauseReason: NStr })),
    }),
  ),
});

export const wallboardRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps & { wallboard: WallboardModule } }> = async (app, { deps }) => {
  app.get(
    '/wallboard',
    {
      preHandler: requireUser(...WALLBOARD_ROLES),
      schema: { tags: ['reports'], summary: 'The wallboard now: queues, campaigns, agents by team (then wallboard.update frames)', response: { 200: WallboardSnapshotSchema, 401: errorRef, 403: errorRef } },
    },
    async (): Promise<WallboardSnapshot> => deps.wallboard.snapshot(null),
  );
};
