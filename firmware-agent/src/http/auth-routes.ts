import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/sessions.js';
import type { HttpDeps } from './server.js';
import { requireUser } from './server.js';
import { CsrfResponse, LoginRequest, SetupRequest, SetupStatus, UpdateMeRequest, UserResponse, type User } from './schemas.js';

const errorRef = Type.Ref('ApiError');

export const authRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const { users, sessions, audit, throttle } = deps;

  const startSession = (reply: FastifyReply, user: User, req: FastifyRequest): void => {
    const token = sessions.create(user.id, { ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: deps.secureCookies ?? false, maxAge: 12 * 3600 });
  };

  app.get('/auth/csrf', { schema: { tags: ['auth'], summary: 'CSRF token for state-changing requests (send as x-csrf-token)', response: { 200: CsrfResponse } } }, async (_req, reply) => {
    return { token: reply.generateCsrf() };
  });

  app.get('/setup/status', { schema: { tags: ['auth'], summary: 'Whether first-run setup (the admin account) is still needed', response: { 200: SetupStatus } } }, async () => {
    return { needsSetup: users.count() === 0 };
  });

  app.post(
    '/setup',
    {
      schema: { tags: ['auth'], summary: 'First run: create the admin account (there is no default password)', body: SetupRequest, response: { 200: UserResponse, 400: errorRef, 409: errorRef } },
      config: { rateLimit: { max: deps.loginRateLimit ?? 10, timeWindow: '1 minute' } },
    },
    async (req, reply) => {
      const user = await users.createFirstAdmin(req.body);
      audit.write({ userId: user.id, username: user.username, action: 'setup.admin_created', target: `user:${user.id}`, ip: req.ip });
      startSession(reply, user, req);
      return { user };
    },
  );

  app.post(
    '/auth/login',
    {
      schema: { tags: ['auth'], summary: 'Log in; sets the session cookie', body: LoginRequest, response: { 200: UserResponse, 401: errorRef, 429: errorRef } },
      config: { rateLimit: { max: deps.loginRateLimit ?? 10, timeWindow: '1 minute' } },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const wait = throttle.retryAfter(username);
      if (wait > 0) {
        audit.write({ username, action: 'auth.login_locked', ip: req.ip });
        return reply.code(429).header('Retry-After', String(wait)).send({ error: 'rate_limited', message: `too many failed logins for this account; try again in ${wait} s` });
      }
      const user = await users.verify(username, password);
      if (!user) {
        throttle.fail(username);
        audit.write({ username, action: 'auth.login_failed', ip: req.ip });
        return reply.code(401).send({ error: 'invalid_credentials', message: 'wrong username or password' });
      }
      throttle.succeed(username);
      audit.write({ userId: user.id, username: user.username, action: 'auth.login', ip: req.ip });
      startSession(reply, user, req);
      return { user };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'End the session', response: { 200: Type.Object({}) } } }, async (req, reply) => {
    if (req.sessionToken) {
      sessions.destroy(req.sessionToken);
      audit.write({ userId: req.user?.id, username: req.user?.username, action: 'auth.logout', ip: req.ip });
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return {};
  });

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: UserResponse, 401: errorRef } }, preHandler: requireUser() }, async (req) => {
    return { user: req.user! };
  });

  app.patch(
    '/auth/me',
    { schema: { tags: ['auth'], summary: "Change the logged-in user's language or display name", body: UpdateMeRequest, response: { 200: UserResponse, 400: errorRef, 401: errorRef } }, preHandler: requireUser() },
    async (req) => {
      const user = users.updateProfile(req.user!.id, req.body)!;
      audit.write({ userId: user.id, username: user.username, action: 'user.profile_changed', target: `user:${user.id}`, detail: req.body, ip: req.ip });
      return { user };
    },
  );
};
