// People API (docs/people.md): users administration, agent grades / joining date / line,
// career stages and promotions, staffing ratio warnings.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, GRADES, LINES, NotFoundError, STAGES, type Actor, type PeopleService } from '../people/people-service.js';
import { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
// Spelled out so TypeBox infers the literal unions (must match STAGES / GRADES / LINES; checked below).
const Stage = Type.Union([Type.Literal('trainee'), Type.Literal('agent'), Type.Literal('senior'), Type.Literal('supervisor'), Type.Literal('team_lead'), Type.Literal('manager'), Type.Literal('qa'), Type.Literal('trainer')]);
const Grade = Type.Union([Type.Literal('junior'), Type.Literal('intermediate'), Type.Literal('senior')]);
const Line = Type.Union([Type.Literal('service'), Type.Literal('telesales')]);
for (const [u, xs] of [[Stage, STAGES], [Grade, GRADES], [Line, LINES]] as const) {
  if (u.anyOf.map((l) => l.const).join() !== xs.join()) throw new Error('people-routes: schema literals out of sync with the service');
}
const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

const ManagedUser = Type.Object({
  id: Type.Integer(), username: Type.String(), displayName: Type.String(), roles: Type.Array(Role),
  disabled: Type.Boolean(), mustChangePassword: Type.Boolean(), createdAt: Type.String(), stage: Type.Union([Stage, Type.Null()]),
});
const Person = Type.Object({
  agentId: Type.Integer(), number: Type.String(), name: Type.String(), userId: Type.Union([Type.Integer(), Type.Null()]),
  team: Type.Union([Type.String(), Type.Null()]), grade: Grade, line: Line, joinedAt: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(), stage: Type.Union([Stage, Type.Null()]),
});
const Promotion = Type.Object({
  id: Type.Integer(), userId: Type.Integer(), from: Type.String(), to: Type.String(), at: Type.String(),
  byUsername: Type.Union([Type.String(), Type.Null()]), note: Type.Union([Type.String(), Type.Null()]),
});
const RatioLimits = Type.Object({
  leadToService: Type.Integer({ minimum: 1, maximum: 100 }), leadToTelesales: Type.Integer({ minimum: 1, maximum: 100 }),
  qaToLeads: Type.Integer({ minimum: 1, maximum: 100 }), trainerToLeads: Type.Integer({ minimum: 1, maximum: 100 }),
});
const Ratio = Type.Object({
  key: Type.String(), per: Type.Integer(), counted: Type.Integer(), limit: Type.Integer(),
  actual: Type.Union([Type.Number(), Type.Null()]), warning: Type.Boolean(),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const OkResponse = Type.Object({ ok: Type.Boolean() });

// Managing users: admin and manager (the service keeps admin/technician roles admin-only).
const MANAGE = ['manager'] as const;
// Reading people records: the people who coach and supervise.
const READ = ['manager', 'team_lead', 'qa', 'trainer'] as const;

function actorOf(req: FastifyRequest): Actor {
  return { userId: req.user?.id ?? null, username: req.user?.username ?? null, roles: req.user?.roles ?? [], ip: req.ip };
}

export const peopleRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps & { people: PeopleService } }> = async (app, { deps }) => {
  const svc = deps.people;
  const tags = ['people'];
  const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef };

  app.setErrorHandler((err: Error, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof NotFoundError) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err instanceof ForbiddenError) return reply.code(403).send({ error: 'forbidden', message: err.message });
    throw err;
  });

  // --- users ---
  app.get('/users', { schema: { tags, summary: 'All user accounts with roles (admin, manager)', response: { 200: Type.Object({ users: Type.Array(ManagedUser) }), ...errors } }, preValidation: requireUser(...MANAGE) }, async () => ({ users: svc.listUsers() }));

  app.post(
    '/users',
    {
      schema: {
        tags, summary: 'Create a user (managers cannot grant admin or technician)',
        body: Type.Object({ username: Type.String({ minLength: 2, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' }), displayName: Type.Optional(Type.String({ maxLength: 64 })), roles: Type.Array(Role, { minItems: 1 }), password: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ user: ManagedUser }), ...errors, 409: errorRef },
      },
      preValidation: requireUser(...MANAGE),
    },
    async (req) => ({ user: await svc.createUser(req.body, actorOf(req)) }),
  );

  app.put(
    '/users/:id/roles',
    { schema: { tags, summary: "Replace a user's roles (nobody can remove the last admin)", params: IdParams, body: Type.Object({ roles: Type.Array(Role, { minItems: 1 }) }), response: { 200: Type.Object({ user: ManagedUser }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => ({ user: svc.setRoles(req.params.id, req.body.roles, actorOf(req)) }),
  );

  app.put(
    '/users/:id/disabled',
    { schema: { tags, summary: 'Disable (ends their sessions) or enable a user', params: IdParams, body: Type.Object({ disabled: Type.Boolean() }), response: { 200: Type.Object({ user: ManagedUser }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => ({ user: svc.setDisabled(req.params.id, req.body.disabled, actorOf(req)) }),
  );

  app.post(
    '/users/:id/reset-password',
    { schema: { tags, summary: 'Generate a new password, shown once; the user must change it', params: IdParams, response: { 200: Type.Object({ user: ManagedUser, password: Type.String() }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => svc.resetPassword(req.params.id, actorOf(req)),
  );

  app.delete(
    '/users/:id',
    { schema: { tags, summary: 'Delete a user without history (else disable them)', params: IdParams, response: { 200: OkResponse, ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => {
      svc.deleteUser(req.params.id, actorOf(req));
      return { ok: true };
    },
  );

  // --- people records ---
  app.get('/people', { schema: { tags, summary: 'Agents with grade, line, joining date and career stage', response: { 200: Type.Object({ people: Type.Array(Person) }), ...errors } }, preValidation: requireUser(...READ) }, async () => ({ people: svc.listPeople() }));

  app.patch(
    '/people/:id',
    { schema: { tags, summary: "Change an agent's grade, line (service/telesales) or joining date", params: IdParams, body: Type.Object({ grade: Type.Optional(Grade), line: Type.Optional(Line), joinedAt: Type.Optional(DateStr) }, { minProperties: 1 }), response: { 200: Type.Object({ person: Person }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => ({ person: svc.updatePerson(req.params.id, req.body, actorOf(req)) }),
  );

  app.put(
    '/users/:id/stage',
    { schema: { tags, summary: 'Set the starting career stage of a user who has none', params: IdParams, body: Type.Object({ stage: Stage, at: Type.Optional(DateStr) }), response: { 200: Type.Object({ user: ManagedUser }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => {
      svc.setInitialStage(req.params.id, req.body.stage, actorOf(req), req.body.at);
      return { user: svc.user(req.params.id) };
    },
  );

  app.get(
    '/users/:id/promotions',
    { schema: { tags, summary: "A user's promotion records", params: IdParams, response: { 200: Type.Object({ promotions: Type.Array(Promotion) }), ...errors } }, preValidation: requireUser(...READ) },
    async (req) => {
      svc.user(req.params.id);
      return { promotions: svc.promotions(req.params.id) };
    },
  );

  app.post(
    '/users/:id/promotions',
    { schema: { tags, summary: 'Promote / move a user along the career path (refused moves: 400 move_not_allowed)', params: IdParams, body: Type.Object({ to: Stage, at: Type.Optional(DateStr), note: Type.Optional(Type.String({ maxLength: 500 })) }), response: { 200: Type.Object({ promotion: Promotion }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => ({ promotion: svc.promote(req.params.id, req.body, actorOf(req)) }),
  );

  // --- ratios ---
  app.get('/people/ratios', { schema: { tags, summary: 'Staffing ratios with their limits and warning flags', response: { 200: Type.Object({ ratios: Type.Array(Ratio), limits: RatioLimits }), ...errors } }, preValidation: requireUser(...MANAGE) }, async () => ({ ratios: svc.ratios(), limits: svc.ratioLimits() }));

  app.put(
    '/people/ratio-limits',
    { schema: { tags, summary: 'Change the ratio limits (members per one lead / QA / trainer)', body: Type.Partial(RatioLimits, { minProperties: 1 }), response: { 200: Type.Object({ limits: RatioLimits }), ...errors } }, preValidation: requireUser(...MANAGE) },
    async (req) => ({ limits: svc.setRatioLimits(req.body, actorOf(req)) }),
  );
};
