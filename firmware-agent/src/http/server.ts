import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import type { AgentsModule } from '../agents/agents-module.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import { UserInputError, type UserStore } from '../auth/users.js';
import type { Logger } from '../logging.js';
import { version } from '../version.js';
import { agentsRoutes } from './agents-routes.js';
import { trainingRoutes } from './training-routes.js';
import type { TrainingService } from '../training/training-service.js';
import { authRoutes } from './auth-routes.js';
import { backupRoutes, type BackupRouteDeps } from './backup-routes.js';
import { systemUpdateRoutes, type UpdateRouteDeps } from './system-update-routes.js';
import { liveRoutes, type LiveFeed } from './live.js';
import { ApiError, type Health, type LiveCall, type Role, type SystemMetrics, type SystemStatus, type User } from './schemas.js';
import { systemRoutes } from './system-routes.js';
import { hardwareRoutes } from './hardware-routes.js';
import { seatsRoutes } from './seats-routes.js';
import { trunksRoutes } from './trunks-routes.js';
import type { SeatsTrunksModule } from '../pbx-model/seats-trunks-module.js';
import type { HotlineModule } from '../hotline/hotline-module.js';
import { hotlineRoutes } from './hotline-routes.js';
import type { FaxActor, FaxModule } from '../fax/fax-module.js';
import { faxRoutes } from './fax-routes.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { campaignsRoutes } from './campaigns-routes.js';
import { dialerRoutes } from './dialer-routes.js';
import type { DialerModule } from '../dialer/dialer-module.js';
import { leadsRoutes } from './leads-routes.js';
import { dncRoutes } from './dnc-routes.js';
import type { LeadsImportService } from '../leads/import/import-service.js';
import { leadsImportRoutes } from './leads-import-routes.js';
import type { RecordingModule } from '../recording/recording-module.js';
import { recordingRoutes } from './recording-routes.js';
import type { SmsModule } from '../sms/sms-module.js';
import { smsRoutes } from './sms-routes.js';
import type { DeskModule } from '../desk/desk-module.js';
import { deskRoutes } from './desk-routes.js';
import type { ReportsModule } from '../reports/reports-module.js';
import { reportsRoutes } from './reports-routes.js';
import type { DeskRecords } from '../desk/desk-records.js';
import { deskRecordsRoutes } from './desk-records-routes.js';
import type { WallboardModule } from '../reports/wallboard.js';
import { wallboardRoutes } from './wallboard-routes.js';
import type { QaModule } from '../qa/qa-module.js';
import { qaRoutes } from './qa-routes.js';
import type { QaSamplingModule } from '../qa/qa-sampling-module.js';
import { qaSamplingRoutes } from './qa-sampling-routes.js';
import type { PeopleService } from '../people/people-service.js';
import { peopleRoutes } from './people-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    sessionToken?: string;
  }
}

export interface HttpDeps {
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  throttle: LoginThrottle;
  health: () => Health;
  status: () => SystemStatus;
  calls: () => LiveCall[];
  /** Event lag and process figures (absent in API-only tests). */
  metrics?: (sinceMs: number) => SystemMetrics;
  /** Agents, pause reasons, agent actions, live seats (absent in API-only tests). */
  agents?: AgentsModule;
  /** Seats, trunks, routes, telephony cards (absent in API-only tests). */
  seatsTrunks?: SeatsTrunksModule;
  /** Inbound hotline: IVR, queues, prompts, callbacks, monitoring (absent in API-only tests). */
  hotline?: HotlineModule;
  /** Fax inbox/outbox (absent in API-only tests). */
  fax?: FaxModule;
  /** Re-applies the PBX config after the fax station ID / header changed. */
  applyFaxIdentity?: (actor: FaxActor) => Promise<unknown>;
  /** Campaigns, custody, lead queue, do-not-call (absent in API-only tests). */
  campaigns?: CampaignsModule;
  /** Predictive dialer (absent in API-only tests). */
  dialer?: DialerModule;
  /** Lead file import: uploads, preview, import reports (absent in API-only tests). */
  leadsImport?: LeadsImportService;
  /** Call recordings and their storage lifecycle (absent in API-only tests). */
  recording?: RecordingModule;
  /** SMS through a GSM modem: templates, bulk sends, outbox/inbox (absent in API-only tests). */
  sms?: SmsModule;
  /** Agent desktop core (docs/agent-desktop.md; absent in API-only tests). */
  desk?: DeskModule;
  /** KPI reports, targets, report settings (absent in API-only tests). */
  reports?: ReportsModule;
  /** Wallboard: today's live board (absent in API-only tests). */
  wallboard?: WallboardModule;
  /** QA: forms, scoring, appeals, calibration (docs/qa.md; absent in API-only tests). */
  qa?: QaModule;
  /** QA sampling plans, QA reports, monthly assessment (docs/qa.md; absent in API-only tests). */
  qaSampling?: QaSamplingModule;
  /** Desk records: identity checks, threat calls, complaint tickets, registrations (absent in API-only tests). */
  deskRecords?: DeskRecords;
  /** Train before work: plans, results, qualification, retraining (absent in API-only tests). */
  training?: TrainingService;
  /** People: users administration, grades, careers, ratios (docs/people.md; absent in API-only tests). */
  people?: PeopleService;
  live: LiveFeed;
  /** System → Update (absent when the box has no update key). */
  update?: UpdateRouteDeps;
  /** System → Backup. */
  backup?: BackupRouteDeps;
  cookieSecret: string;
  /** Built web UI (dist/web-ui); absent in API-only tests. */
  uiDir?: string;
  logger: Logger;
  /** Send cookies with Secure (behind HTTPS). Plain HTTP on the LAN in the demo. */
  secureCookies?: boolean;
  /** Login attempts per address per minute. */
  loginRateLimit?: number;
}

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export async function buildServer(deps: HttpDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ApiError);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'SeatBox API', version: version(), description: 'Call-center appliance API. One tag per domain.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
    },
  });
  await app.register(fastifyCookie, { secret: deps.cookieSecret });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: deps.secureCookies ?? false },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  // Resolve the session on every request; routes decide whether they need it.
  app.addHook('onRequest', async (req) => {
    const token = req.cookies[SESSION_COOKIE];
    const uid = deps.sessions.lookup(token);
    if (uid !== undefined && token) {
      const user = deps.users.byId(uid);
      if (user) {
        req.user = user;
        req.sessionToken = token;
      }
    }
  });
  // CSRF on every state-changing API call (login and setup included: login CSRF is real).
  app.addHook('onRequest', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || !req.url.startsWith('/api/')) return done();
    app.csrfProtection(req as FastifyRequest, reply as FastifyReply, done);
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string; validationContext?: string }, req, reply) => {
    if (err instanceof UserInputError) {
      return reply.code(err.code === 'setup_done' ? 409 : 400).send({ error: err.code, message: err.message, field: err.field });
    }
    if (err.validation) {
      const v = (err.validation as Array<{ instancePath?: string; params?: { missingProperty?: string } }>)[0];
      const field = (v?.instancePath?.replace(/^\//, '') || v?.params?.missingProperty) ?? undefined;
      return reply.code(400).send({ error: 'validation', message: `${err.validationContext ?? 'request'}${field ? `.${field}` : ''}: ${err.message}`, field });
    }
    if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') {
      return reply.code(403).send({ error: 'csrf', message: 'missing or invalid CSRF token; fetch /api/v1/auth/csrf and retry' });
    }
    const status = err.statusCode ?? 500;
    if (status === 429) return reply.code(429).send({ error: 'rate_limited', message: err.message });
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: status >= 500 ? 'internal' : (err.code ?? 'error'), message: status >= 500 ? 'internal error; see the agent log' : err.message });
  });

  // Role checks before schema validation: a signed-out or forbidden caller gets 401/403, not a
  // 400 that describes the body it may not send (routes declare requireUser as preHandler).
  app.addHook('onRoute', (route) => {
    const pre = ([] as unknown[]).concat(route.preHandler ?? []);
    const auth = pre.filter((h) => typeof h === 'function' && (h as { roleCheck?: boolean }).roleCheck === true);
    if (auth.length === 0) return;
    route.preHandler = pre.filter((h) => !auth.includes(h)) as typeof route.preHandler;
    route.preValidation = [...auth, ...([] as unknown[]).concat(route.preValidation ?? [])] as typeof route.preValidation;
  });

  await app.register(authRoutes, { prefix: '/api/v1', deps });
  await app.register(systemRoutes, { prefix: '/api/v1', deps });
  await app.register(liveRoutes, { prefix: '/api/v1', deps });
  if (deps.update) await app.register(systemUpdateRoutes, { prefix: '/api/v1', deps: deps.update });
  if (deps.backup) await app.register(backupRoutes, { prefix: '/api/v1', deps: deps.backup });
  if (deps.agents) await app.register(agentsRoutes, { prefix: '/api/v1', deps });
  if (deps.seatsTrunks) {
    await app.register(seatsRoutes, { prefix: '/api/v1', deps });
    await app.register(trunksRoutes, { prefix: '/api/v1', deps });
    await app.register(hardwareRoutes, { prefix: '/api/v1', deps });
  }

  if (deps.hotline) await app.register(hotlineRoutes, { prefix: '/api/v1', deps });
  if (deps.fax) await app.register(faxRoutes, { prefix: '/api/v1', deps });
  if (deps.campaigns) {
    await app.register(campaignsRoutes, { prefix: '/api/v1', deps });
    await app.register(leadsRoutes, { prefix: '/api/v1', deps });
    await app.register(dncRoutes, { prefix: '/api/v1', deps });
  }
  if (deps.dialer && deps.campaigns) await app.register(dialerRoutes, { prefix: '/api/v1', deps });
  if (deps.leadsImport) await app.register(leadsImportRoutes, { prefix: '/api/v1', deps });
  if (deps.recording) await app.register(recordingRoutes, { prefix: '/api/v1', deps });
  if (deps.sms) await app.register(smsRoutes, { prefix: '/api/v1', deps });
  if (deps.desk && deps.agents) await app.register(deskRoutes, { prefix: '/api/v1', deps: { ...deps, desk: deps.desk } });
  if (deps.reports) await app.register(reportsRoutes, { prefix: '/api/v1', deps });
  if (deps.deskRecords && deps.campaigns) await app.register(deskRecordsRoutes, { prefix: '/api/v1', deps });
  if (deps.wallboard) await app.register(wallboardRoutes, { prefix: '/api/v1', deps: { ...deps, wallboard: deps.wallboard } });
  if (deps.qa) await app.register(qaRoutes, { prefix: '/api/v1', deps });
  if (deps.qaSampling) await app.register(qaSamplingRoutes, { prefix: '/api/v1', deps: { ...deps, qaSampling: deps.qaSampling } });
  if (deps.training) await app.register(trainingRoutes, { prefix: '/api/v1', deps });
  if (deps.people) await app.register(peopleRoutes, { prefix: '/api/v1', deps: { ...deps, people: deps.people } });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => {
    // @fastify/websocket hides websocket routes from the spec; describe the live feed by hand.
    const doc = app.swagger() as { paths?: Record<string, unknown> };
    doc.paths = {
      ...doc.paths,
      '/api/v1/live': {
        get: {
          tags: ['live'],
          summary: 'Websocket (upgrade): pushes hello, system.status, call.updated and call.ended JSON frames; needs the session cookie',
          security: [{ session: [] }],
          responses: { '101': { description: 'Switching Protocols' }, '401': { description: 'closed with code 4401 when not logged in' } },
        },
      },
    };
    return doc;
  });

  if (deps.uiDir && existsSync(deps.uiDir)) {
    await app.register(fastifyStatic, { root: deps.uiDir, wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || !deps.uiDir || req.method !== 'GET') {
      return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    }
    // Client-side routes of the single-page UI.
    return reply.type('text/html').sendFile('index.html');
  });

  return app;
}

/** preHandler: 401 without a session, 403 without one of the roles (admin passes everything). */
export function requireUser(...roles: Role[]) {
  const check = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!req.user) {
      await reply.code(401).send({ error: 'unauthenticated', message: 'log in first' });
      return;
    }
    if (roles.length > 0 && !req.user.roles.includes('admin') && !roles.some((r) => req.user!.roles.includes(r))) {
      await reply.code(403).send({ error: 'forbidden', message: `needs one of the roles: ${roles.join(', ')}` });
    }
  };
  return Object.assign(check, { roleCheck: true as const });
}
