// QA sampling, QA reports and monthly assessment API (tag qa-sampling; docs/qa-sampling.md). Managers configure and run; QA reviewers and team leads read their
// work queues and the plan; reports: manager / qa everything, a team lead their teams;
// assessments: manager / qa everything, a team lead their teams, an agent their own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tableCsv, tableXlsx, type Column } from '../reports/export.js';
import type { AssessmentRow } from '../qa/assessment.js';
import { AGENT_DAY_QA_COLUMNS, GROUP_COLUMNS, ITEM_COLUMNS } from '../qa/qa-reports.js';
import type { QaSamplingModule } from '../qa/qa-sampling-module.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef };
const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const NNum = Type.Union([Type.Number(), Type.Null()]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date YYYY-MM-DD' });
const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM' });
const Format = Type.Optional(lit(['json', 'csv', 'xlsx'] as const));
const Lang = Type.Optional(lit(['en', 'zh-CN'] as const));

const SamplingSettingsSchema = Type.Object({
  period: lit(['week', 'month'] as const),
  leadRate: Type.Number({ minimum: 0, maximum: 1 }),
  qaRate: Type.Number({ minimum: 0, maximum: 1 }),
  dueDays: Type.Integer({ minimum: 0, maximum: 60 }),
  seed: Type.String({ minLength: 1, maxLength: 64 }),
});
const Period = Type.Object({ kind: Type.String(), from: Type.String(), to: Type.String() });
const RunSchema = Type.Object({ runId: Type.Integer(), period: Period, calls: Type.Integer(), addedLead: Type.Integer(), addedQa: Type.Integer() });
const StatusSchema = Type.Object({
  period: Period,
  settings: SamplingSettingsSchema,
  lastRunAt: Type.Union([Type.String(), Type.Null()]),
  agents: Type.Array(Type.Object({ agentId: Type.Integer(), label: Type.String(), team: Type.String(), calls: Type.Integer(), leadTarget: Type.Integer(), qaTarget: Type.Integer(), lead: Type.Integer(), qa: Type.Integer(), leadUnassigned: Type.Integer() })),
  reviewers: Type.Array(Type.Object({ userId: Type.Integer(), name: Type.String(), assigned: Type.Integer(), done: Type.Integer(), overdue: Type.Integer() })),
});
const QueueItemSchema = Type.Object({
  assignmentId: Type.Integer(), recordingId: Type.Integer(), linkedid: Type.String(), agentId: Type.Integer(), agentLabel: Type.String(), kind: lit(['lead', 'qa'] as const),
  day: Type.String(), callType: lit(['inbound', 'dialer', 'manual'] as const), startedAt: Type.String(), durationMs: Type.Union([Type.Integer(), Type.Null()]), dueAt: Type.String(),
  status: lit(['assigned', 'done', 'overdue'] as const),
});
const GroupRow = Type.Object({ key: Type.String(), label: Type.String(), evaluations: Type.Integer(), averageScore: NNum, failures: Type.Integer(), failureRate: NNum });
const ReportSchema = Type.Object({
  from: Type.String(), to: Type.String(), flagAt: Type.Number(),
  agents: Type.Array(GroupRow), teams: Type.Array(GroupRow), reviewers: Type.Array(GroupRow),
  agentDays: Type.Array(Type.Object({ day: Type.String(), agentId: Type.Integer(), label: Type.String(), evaluations: Type.Integer(), failures: Type.Integer(), failureRate: Type.Number(), flagged: Type.Boolean() })),
  items: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), failures: Type.Integer(), share: Type.Number() })),
});
const Weights = Type.Object({ qa: Type.Number({ minimum: 0, maximum: 100 }), kpi: Type.Number({ minimum: 0, maximum: 100 }), attendance: Type.Number({ minimum: 0, maximum: 100 }) });
const AssessmentSettingsSchema = Type.Object({
  weights: Weights,
  expectedHoursPerDay: Type.Number({ exclusiveMinimum: 0, maximum: 24 }),
  workingWeekdays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7 }),
});
const AssessmentSchema = Type.Object({
  agentId: Type.Integer(), label: Type.String(), team: Type.String(), month: Type.String(), qaScore: NNum, kpiScore: NNum, attendanceScore: NNum, total: Type.Number(), passed: Type.Boolean(),
  flag: lit(['', 'below_60', 'below_80_twice'] as const), retraining: Type.Union([Type.String(), Type.Null()]),
  details: Type.Object({ evaluations: Type.Integer(), targetsMet: Type.Integer(), targetsChecked: Type.Integer(), loginHours: Type.Number(), expectedHours: Type.Number(), weights: Weights }),
  computedAt: Type.String(),
});

const ASSESSMENT_COLUMNS: Array<Column<AssessmentRow>> = [
  { en: 'Month', zh: '月份', kind: 'text', get: (r) => r.month },
  { en: 'Agent', zh: '坐席', kind: 'text', get: (r) => r.label },
  { en: 'Team', zh: '班组', kind: 'text', get: (r) => r.team },
  { en: 'QA', zh: '质检', kind: 'dec', get: (r) => r.qaScore },
  { en: 'KPI', zh: '绩效指标', kind: 'dec', get: (r) => r.kpiScore },
  { en: 'Attendance', zh: '出勤', kind: 'dec', get: (r) => r.attendanceScore },
  { en: 'Total', zh: '总分', kind: 'dec', get: (r) => r.total },
  { en: 'Passed', zh: '合格', kind: 'text', get: (r) => (r.passed ? 'yes' : 'no') },
  { en: 'Flag', zh: '预警', kind: 'text', get: (r) => r.flag },
  { en: 'Retraining', zh: '再培训', kind: 'text', get: (r) => r.retraining },
];

const STAFF = ['manager', 'qa', 'team_lead'] as const;

export const qaSamplingRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps & { qaSampling: QaSamplingModule } }> = async (app, { deps }) => {
  const m = deps.qaSampling;
  const tags = ['qa-sampling'];
  const actor = (req: FastifyRequest) => ({ userId: req.user!.id, username: req.user!.username, ip: req.ip });
  const has = (req: FastifyRequest, ...roles: string[]) => req.user!.roles.includes('admin') || roles.some((r) => req.user!.roles.includes(r as never));

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    if (err instanceof RangeError) return reply.code(400).send({ error: 'invalid_request', message: err.message, field: err.message.split(':')[0] });
    throw err;
  });

  async function send<R>(reply: FastifyReply, format: 'json' | 'csv' | 'xlsx' | undefined, lang: 'en' | 'zh-CN' | undefined, name: string, cols: Array<Column<R>>, rows: R[], json: unknown) {
    if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(tableCsv(cols, rows, lang));
    if (format === 'xlsx') {
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(await tableXlsx(cols, rows, name, lang));
    }
    return json;
  }

  app.get('/qa/sampling/settings', { schema: { tags, summary: 'Sampling settings: period, team-lead and QA rates, due days, seed', response: { 200: SamplingSettingsSchema, ...errors } }, preHandler: requireUser(...STAFF) }, async () => m.samplingSettings());
  app.put(
    '/qa/sampling/settings',
    { schema: { tags, summary: 'Change the sampling settings (manager; audited)', body: SamplingSettingsSchema, response: { 200: SamplingSettingsSchema, ...errors } }, preHandler: requireUser('manager') },
    async (req) => m.setSamplingSettings(req.body, actor(req)),
  );
  app.post(
    '/qa/sampling/run',
    { schema: { tags, summary: 'Sample (or top up) the plan of the period containing day (default today; manager; audited)', body: Type.Object({ day: Type.Optional(Day) }), response: { 200: RunSchema, ...errors } }, preHandler: requireUser('manager') },
    async (req) => m.runSampling(req.body.day, actor(req)),
  );
  app.get(
    '/qa/sampling/status',
    { schema: { tags, summary: 'The plan of a period: per agent calls, targets and samples; per reviewer assigned / done / overdue', querystring: Type.Object({ day: Type.Optional(Day) }), response: { 200: StatusSchema, ...errors } }, preHandler: requireUser(...STAFF) },
    async (req) => {
      const st = m.sampling.status(req.query.day);
      if (has(req, 'manager', 'qa')) return st;
      // A team lead sees their teams' agents and their own queue figures.
      const teams = new Set(m.teamsLedBy(req.user!.id));
      return { ...st, agents: st.agents.filter((a) => teams.has(a.team)), reviewers: st.reviewers.filter((r) => r.userId === req.user!.id) };
    },
  );
  app.get(
    '/qa/sampling/queue',
    {
      schema: {
        tags,
        summary: "A reviewer's sampled calls (own; a manager may name userId): assigned, done (evaluated by that reviewer) or overdue",
        querystring: Type.Object({ userId: Type.Optional(Type.Integer({ minimum: 1 })), periodFrom: Type.Optional(Day), status: Type.Optional(lit(['assigned', 'done', 'overdue'] as const)) }),
        response: { 200: Type.Object({ items: Type.Array(QueueItemSchema) }), ...errors },
      },
      preHandler: requireUser(...STAFF),
    },
    async (req, reply) => {
      const uid = req.query.userId ?? req.user!.id;
      if (uid !== req.user!.id && !has(req, 'manager')) return reply.code(403).send({ error: 'forbidden', message: "only a manager reads another reviewer's queue" });
      return { items: m.sampling.queue(uid, { ...(req.query.periodFrom ? { periodFrom: req.query.periodFrom } : {}), ...(req.query.status ? { status: req.query.status } : {}) }) };
    },
  );

  app.get(
    '/qa/reports',
    {
      schema: {
        tags,
        summary: 'QA report: per agent / team / reviewer, failure rate per agent per day (flag >= 30 %), most-failed items; section + format for CSV/XLSX',
        querystring: Type.Object({ from: Day, to: Day, reviewerUserId: Type.Optional(Type.Integer({ minimum: 1 })), section: Type.Optional(lit(['agents', 'teams', 'reviewers', 'agentDays', 'items'] as const)), format: Format, lang: Lang }),
        response: { 200: Type.Union([ReportSchema, Type.Any()]), ...errors },
      },
      preHandler: requireUser(...STAFF),
    },
    async (req, reply) => {
      const q = req.query;
      const scope = has(req, 'manager', 'qa') ? {} : { teams: m.teamsLedBy(req.user!.id) };
      const rep = m.report({ from: q.from, to: q.to, ...scope, ...(q.reviewerUserId ? { reviewerUserId: q.reviewerUserId } : {}) });
      if (!q.format || q.format === 'json') return rep;
      const section = q.section ?? 'agents';
      const name = `qa-${section}-${q.from}-${q.to}`;
      if (section === 'agentDays') return send(reply, q.format, q.lang, name, AGENT_DAY_QA_COLUMNS, rep.agentDays, rep);
      if (section === 'items') return send(reply, q.format, q.lang, name, ITEM_COLUMNS, rep.items, rep);
      return send(reply, q.format, q.lang, name, GROUP_COLUMNS, rep[section], rep);
    },
  );

  app.get('/qa/assessments/settings', { schema: { tags, summary: 'Assessment weights, expected hours per working day, working weekdays', response: { 200: AssessmentSettingsSchema, ...errors } }, preHandler: requireUser(...STAFF) }, async () => m.assessmentSettings());
  app.put(
    '/qa/assessments/settings',
    { schema: { tags, summary: 'Change the assessment settings (manager; audited)', body: AssessmentSettingsSchema, response: { 200: AssessmentSettingsSchema, ...errors } }, preHandler: requireUser('manager') },
    async (req) => m.setAssessmentSettings(req.body, actor(req)),
  );
  app.post(
    '/qa/assessments/run',
    { schema: { tags, summary: "Assess every active agent for a month (again replaces that month's scores; manager; audited)", body: Type.Object({ month: Month }), response: { 200: Type.Object({ rows: Type.Array(AssessmentSchema) }), ...errors } }, preHandler: requireUser('manager') },
    async (req) => ({ rows: m.runAssessment(req.body.month, actor(req)) }),
  );
  app.get(
    '/qa/assessments',
    {
      schema: {
        tags,
        summary: 'Monthly assessments with flags (an agent reads their own; a team lead their teams)',
        querystring: Type.Object({ month: Type.Optional(Month), agentId: Type.Optional(Type.Integer({ minimum: 1 })), flagged: Type.Optional(Type.Boolean()), format: Format, lang: Lang }),
        response: { 200: Type.Union([Type.Object({ rows: Type.Array(AssessmentSchema) }), Type.Any()]), ...errors },
      },
      preHandler: requireUser('manager', 'qa', 'team_lead', 'agent'),
    },
    async (req, reply) => {
      const q = req.query;
      const base = { ...(q.month ? { month: q.month } : {}), ...(q.flagged ? { flaggedOnly: true } : {}) };
      let rows: AssessmentRow[];
      if (has(req, 'manager', 'qa')) rows = m.assessment.list({ ...base, ...(q.agentId ? { agentId: q.agentId } : {}) });
      else if (has(req, 'team_lead')) rows = m.assessment.list({ ...base, ...(q.agentId ? { agentId: q.agentId } : {}), teams: m.teamsLedBy(req.user!.id) });
      else {
        const own = m.agentOfUser(req.user!.id);
        if (own === null) return reply.code(403).send({ error: 'forbidden', message: 'no agent is linked to this account' });
        if (q.agentId && q.agentId !== own) return reply.code(403).send({ error: 'forbidden', message: 'an agent reads only their own assessment' });
        rows = m.assessment.list({ ...base, agentId: own });
      }
      return send(reply, q.format, q.lang, `assessments${q.month ? `-${q.month}` : ''}`, ASSESSMENT_COLUMNS, rows, { rows });
    },
  );
};
