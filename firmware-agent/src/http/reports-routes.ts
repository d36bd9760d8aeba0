// Reports API (tag reports): KPI tables by agent / team / queue / campaign / center per
// half-hour, day, week or month with targets against actuals (JSON, CSV, XLSX), the daily
// conversations-vs-team-average list, targets and report settings. docs/reports.md.
// Who sees what: admin and manager everything; a team lead the teams they lead; an agent
// only their own figures (any dimension, filtered to their own calls and time).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_DAY_COLUMNS, kpiCsv, kpiXlsx, tableCsv, tableXlsx } from '../reports/export.js';
import { DIMENSIONS, PERIODS, ReportError } from '../reports/query.js';
import type { ReportsModule } from '../reports/reports-module.js';
import { RUN_KINDS } from '../reports/runs.js';
import { TARGET_METRICS, TARGET_SCOPES } from '../reports/targets.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef };
const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const NNum = Type.Union([Type.Number(), Type.Null()]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date YYYY-MM-DD (inclusive)' });

const KpisSchema = Type.Object({
  offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), shortAbandoned: Type.Integer(), timedOut: Type.Integer(),
  answerRate: NNum, serviceLevel: NNum, abandonRate: NNum, asaSeconds: NNum, avgAbandonWaitSeconds: NNum, avgRingSeconds: NNum,
  avgTalkSeconds: NNum, avgWrapSeconds: NNum, ahtSeconds: NNum, transfers: Type.Integer(), transferRate: NNum, surveys: Type.Integer(),
  satisfactionRate: NNum, dials: Type.Integer(), liveAnswers: Type.Integer(), connected: Type.Integer(), drops: Type.Integer(), dropRate: NNum,
  registrations: Type.Integer(), complaints: Type.Integer(),
  conversations: NNum, loginSeconds: NNum, readySeconds: NNum, ringSeconds: NNum, talkSeconds: NNum, wrapSeconds: NNum, pausedSeconds: NNum,
  pauses: NNum, pauseSecondsByReason: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]), occupancy: NNum, utilisation: NNum,
});
const TargetCheckSchema = Type.Object({ metric: Type.String(), op: lit(['min', 'max'] as const), target: Type.Number(), actual: NNum, met: Type.Union([Type.Boolean(), Type.Null()]), source: Type.String() });
const KpiReportSchema = Type.Object({
  dimension: Type.String(),
  period: Type.String(),
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  foldedUntil: Type.Union([Type.String(), Type.Null()]),
  rows: Type.Array(Type.Object({ period: Type.String(), key: Type.String(), label: Type.String(), kpis: KpisSchema, targets: Type.Array(TargetCheckSchema) })),
});
const AgentDaySchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  registrationsAvailable: Type.Boolean(),
  rows: Type.Array(
    Type.Object({
      day: Type.String(), agentId: Type.Integer(), label: Type.String(), team: Type.String(), conversations: Type.Integer(), registrations: Type.Union([Type.Integer(), Type.Null()]),
      teamAverageConversations: Type.Number(), teamAverageRegistrations: NNum, shareOfTeamAverage: NNum, registrationsShareOfTeamAverage: NNum, flagged: Type.Boolean(),
    }),
  ),
});
const TargetSchema = Type.Object({ scope: lit(TARGET_SCOPES), scopeKey: Type.String({ maxLength: 64 }), metric: lit(TARGET_METRICS), op: lit(['min', 'max'] as const), value: Type.Number({ minimum: 0 }) });
const ParamsSchema = Type.Object({
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  serviceLevelSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  shortAbandonSeconds: Type.Integer({ minimum: 0, maximum: 120 }),
  flagBelowTeamShare: Type.Number({ minimum: 0, maximum: 1 }),
});
const Format = Type.Optional(lit(['json', 'csv', 'xlsx'] as const));
const Lang = Type.Optional(lit(['en', 'zh-CN'] as const));

const READERS = ['manager', 'team_lead', 'agent'] as const;

export const reportsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const reports = deps.reports as ReportsModule;
  const tags = ['reports'];

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    if (err instanceof ReportError) return reply.code(400).send({ error: err.code, message: err.message, field: err.field });
    if (err instanceof RangeError) return reply.code(400).send({ error: 'invalid_request', message: err.message, field: err.message.split(':')[0] });
    throw err;
  });

  /** What the signed-in user may see: everything, some teams, or one agent. */
  const scopeOf = (req: FastifyRequest, reply: FastifyReply): { agentIds?: number[]; teams?: string[] } | null => {
    const roles = req.user!.roles;
    if (roles.includes('admin') || roles.includes('manager')) return {};
    if (roles.includes('team_lead')) return { teams: reports.teamsLedBy(req.user!.id) };
    const agent = reports.agentOfUser(req.user!.id);
    if (agent === null) {
      void reply.code(403).send({ error: 'forbidden', message: 'no agent is linked to this account' });
      return null;
    }
    return { agentIds: [agent] };
  };

  app.get(
    '/reports/kpis',
    {
      schema: {
        tags,
        summary: 'KPIs per agent / team / queue / campaign / center and half-hour / day / week / month, with targets (json, csv or xlsx)',
        querystring: Type.Object({ dimension: lit(DIMENSIONS), period: lit(PERIODS), from: Day, to: Day, format: Format, lang: Lang }),
        response: { 200: Type.Union([KpiReportSchema, Type.Any()]), ...errors },
      },
      preHandler: requireUser(...READERS),
    },
    async (req, reply) => {
      const scope = scopeOf(req, reply);
      if (!scope) return reply;
      const q = req.query;
      const report = reports.kpis({ dimension: q.dimension, period: q.period, from: q.from, to: q.to, ...scope });
      const name = `kpis-${q.dimension}-${q.period}-${q.from}-${q.to}`;
      if (q.format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(kpiCsv(report, q.lang));
      if (q.format === 'xlsx') {
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await kpiXlsx(report, q.lang));
      }
      return report;
    },
  );

  app.get(
    '/reports/agent-daily',
    {
      schema: {
        tags,
        summary: 'Conversations (and registrations) per agent per day against the team average; flagged below the configured share',
        querystring: Type.Object({ from: Day, to: Day, format: Format, lang: Lang }),
        response: { 200: Type.Union([AgentDaySchema, Type.Any()]), ...errors },
      },
      preHandler: requireUser(...READERS),
    },
    async (req, reply) => {
      const scope = scopeOf(req, reply);
      if (!scope) return reply;
      const q = req.query;
      const res = reports.agentDaily({ from: q.from, to: q.to, ...scope });
      const name = `agent-daily-${q.from}-${q.to}`;
      if (q.format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(tableCsv(AGENT_DAY_COLUMNS, res.rows, q.lang));
      if (q.format === 'xlsx') {
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await tableXlsx(AGENT_DAY_COLUMNS, res.rows, 'agent-daily', q.lang));
      }
      return res;
    },
  );

  app.get('/reports/targets', { schema: { tags, summary: 'Targets per center / team / agent level / seniority', response: { 200: Type.Array(TargetSchema), ...errors } }, preHandler: requireUser(...READERS) }, async () => reports.targets());

  app.put(
    '/reports/targets',
    { schema: { tags, summary: 'Replace every target (audited)', body: Type.Object({ targets: Type.Array(TargetSchema, { maxItems: 500 }) }), response: { 200: Type.Array(TargetSchema), ...errors } }, preHandler: requireUser('manager') },
    async (req) => reports.setTargets(req.body.targets, { userId: req.user!.id, username: req.user!.username, ip: req.ip }),
  );

  app.get('/reports/settings', { schema: { tags, summary: 'Report settings: time zone, service-level and short-abandon thresholds, flag share', response: { 200: ParamsSchema, ...errors } }, preHandler: requireUser(...READERS) }, async () => reports.params());

  app.put(
    '/reports/settings',
    { schema: { tags, summary: 'Change report settings (audited; the rollups are rebuilt from the detail still present)', body: ParamsSchema, response: { 200: ParamsSchema, ...errors } }, preHandler: requireUser('manager') },
    async (req) => reports.setParams(req.body, { userId: req.user!.id, username: req.user!.username, ip: req.ip }),
  );

  app.post(
    '/reports/archive',
    {
      schema: {
        tags,
        summary: 'Move folded detail (agent state intervals, queue entries) before a local date to an archive file; reports over it keep working from the rollups (audited)',
        body: Type.Object({ before: Day }),
        response: { 200: Type.Object({ before: Type.String(), file: Type.String(), stateRows: Type.Integer(), queueRows: Type.Integer() }), ...errors },
      },
      preHandler: requireUser('manager'),
    },
    async (req) => reports.archive(req.body.before, { userId: req.user!.id, username: req.user!.username, ip: req.ip }),
  );

  // ---- kept reports (daily / weekly / monthly) ----

  const RunSummary = Type.Object({
    id: Type.Integer(), kind: Type.String(), from: Type.String(), to: Type.String(), trigger: Type.String(), generatedAt: Type.String(),
    publishedAt: Type.Union([Type.String(), Type.Null()]), publishedBy: Type.Union([Type.String(), Type.Null()]),
  });
  const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  const actor = (req: FastifyRequest) => ({ userId: req.user!.id, username: req.user!.username, ip: req.ip });

  app.get(
    '/reports/runs',
    { schema: { tags, summary: 'Kept daily / weekly / monthly reports, newest first', querystring: Type.Object({ kind: Type.Optional(lit(RUN_KINDS)) }), response: { 200: Type.Array(RunSummary), ...errors } }, preHandler: requireUser('manager') },
    async (req) => reports.runs(req.query.kind),
  );

  app.post(
    '/reports/runs',
    {
      schema: {
        tags,
        summary: 'Generate (or regenerate) the kept report of the period containing `from` (default: the last complete period); audited',
        body: Type.Object({ kind: lit(RUN_KINDS), from: Type.Optional(Day) }),
        response: { 200: RunSummary, ...errors },
      },
      preHandler: requireUser('manager'),
    },
    async (req) => {
      const { document: _doc, ...s } = await reports.generateRun(req.body.kind, req.body.from, actor(req));
      return s;
    },
  );

  app.get(
    '/reports/runs/:id',
    { schema: { tags, summary: 'One kept report: every dimension\'s KPIs and the agents\' days', params: IdParams, querystring: Type.Object({ dimension: Type.Optional(lit(DIMENSIONS)), format: Format, lang: Lang }), response: { 200: Type.Any(), ...errors } }, preHandler: requireUser('manager') },
    async (req, reply) => {
      const run = reports.run(req.params.id);
      if (!run) return reply.code(404).send({ error: 'not_found', message: `no kept report ${req.params.id}` });
      const q = req.query;
      if (q.format === 'csv' || q.format === 'xlsx') {
        const rep = run.document.kpis[q.dimension ?? 'agent'];
        const name = `${run.kind}-${q.dimension ?? 'agent'}-${run.from}`;
        if (q.format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(kpiCsv(rep, q.lang));
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await kpiXlsx(rep, q.lang));
      }
      return run;
    },
  );

  app.post(
    '/reports/runs/:id/publish',
    { schema: { tags, summary: 'Publish a kept report to the agents (each sees their own rows); audited', params: IdParams, response: { 200: RunSummary, ...errors } }, preHandler: requireUser('manager') },
    async (req, reply) => reports.publish(req.params.id, actor(req)) ?? reply.code(404).send({ error: 'not_found', message: `no kept report ${req.params.id}` }),
  );

  app.get(
    '/reports/my-runs',
    { schema: { tags, summary: 'Published kept reports with only my own figures (agents)', response: { 200: Type.Array(Type.Any()), ...errors } }, preHandler: requireUser() },
    async (req, reply) => {
      const agent = reports.agentOfUser(req.user!.id);
      if (agent === null) return reply.code(403).send({ error: 'forbidden', message: 'no agent is linked to this account' });
      return reports.runsForAgent(agent);
    },
  );

  app.post(
    '/reports/fold',
    { schema: { tags, summary: 'Fold new detail into the rollups now (it also runs every minute)', response: { 200: Type.Object({ ok: Type.Boolean() }), ...errors } }, preHandler: requireUser('manager') },
    async () => ({ ok: await reports.foldInBackground() }),
  );
};
