// Helpers of the desk-records tests: a real SQLite file, the campaigns module on a fixed clock,
// the desk records module and the real HTTP stack (fastify inject with sessions and CSRF),
// frames captured per audience, valid resident ID numbers, call / session / recording rows as
// the telephony, agents and recording modules write them.
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { DeskRecords } from '../../firmware-agent/src/desk/desk-records.js';
import { idCheckChar } from '../../firmware-agent/src/desk/identity.js';
import { inAudience, type LiveAudience } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage, Role, User } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { cleanup, env, type Env } from './campaigns-support.js';

export { addAgent, addList, readyCampaign } from './campaigns-support.js';

/** A valid 18-character resident ID (GB 11643-1999 check digit) from 17 digits. */
export function validId(first17: string): string {
  return first17 + idCheckChar(first17);
}

export interface Frame {
  msg: LiveMessage;
  audience: LiveAudience | undefined;
}

export interface World {
  e: Env;
  app: App;
  users: UserStore;
  desk: DeskRecords;
  settings: SettingsStore;
  frames: Frame[];
  /** Frames a user would receive over the websocket (the live route's inAudience). */
  framesFor(user: Pick<User, 'id' | 'roles'>, type?: LiveMessage['type']): LiveMessage[];
  close(): Promise<void>;
}

export async function world(opts: { agents?: ConstructorParameters<typeof DeskRecords>[0]['agents'] } = {}): Promise<World> {
  const e = env();
  const users = new UserStore(e.db);
  const settings = new SettingsStore(e.db);
  const frames: Frame[] = [];
  e.live.on('message', (msg: LiveMessage, audience?: LiveAudience) => frames.push({ msg, audience }));
  const desk = new DeskRecords({ db: e.db, audit: e.audit, live: e.live, logger: silentLogger(), campaigns: e.mod, settings, ...(opts.agents ? { agents: opts.agents } : {}) });
  await desk.start();
  const app = await buildServer({
    users,
    sessions: new SessionStore(e.db),
    audit: e.audit,
    throttle: new LoginThrottle(),
    health: () => ({ status: 'ok', version: '0', uptime: 1, db: { ok: true, schemaVersion: 12, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox', version: '0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
    calls: () => [],
    live: e.live,
    campaigns: e.mod,
    deskRecords: desk,
    cookieSecret: 'z'.repeat(32),
    logger: silentLogger(),
    loginRateLimit: 1000,
  });
  return {
    e,
    app,
    users,
    desk,
    settings,
    frames,
    framesFor: (user, type) => frames.filter((f) => inAudience(user, f.audience) && (!type || f.msg.type === type)).map((f) => f.msg),
    close: async () => {
      await app.close();
      await desk.stop();
      e.db.close();
      cleanup();
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export interface Client {
  user: User;
  call: (method: Method, url: string, payload?: unknown) => Promise<{ status: number; body: any; raw: Buffer; text: string; headers: Record<string, unknown> }>;
}

export async function client(w: World, username: string, roles: Role[]): Promise<Client> {
  const password = 'Quiet-Harbor-4821';
  const user = await w.users.create({ username, password, roles });
  let cookie = '';
  const take = (r: { headers: Record<string, unknown> }) => {
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
  };
  const r0 = await w.app.inject({ method: 'GET', url: '/api/v1/auth/csrf' });
  take(r0);
  let token = (r0.json() as { token: string }).token;
  take(await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } }));
  const r1 = await w.app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
  take(r1);
  token = (r1.json() as { token: string }).token;
  const call: Client['call'] = async (method, url, payload) => {
    const r = await w.app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    const ct = String(r.headers['content-type'] ?? '');
    return { status: r.statusCode, body: ct.includes('json') && r.body ? (r.json() as any) : undefined, raw: r.rawPayload, text: r.body, headers: r.headers as Record<string, unknown> };
  };
  return { user, call };
}

/** A call as the call store writes it (outbound: to_num is the customer). */
export function addCall(w: World, linkedid: string, opts: { direction?: 'inbound' | 'outbound'; customer: string; at?: string }) {
  const at = opts.at ?? w.e.clock.date.toISOString();
  const inbound = opts.direction === 'inbound';
  w.e.db
    .prepare(`INSERT INTO calls (linkedid, direction, state, from_num, to_num, created_at, answered_at, bridged_at) VALUES (?, ?, 'bridged', ?, ?, ?, ?, ?)`)
    .run(linkedid, opts.direction ?? 'outbound', inbound ? opts.customer : '8001', inbound ? '4008001234' : opts.customer, at, at, at);
}

/** The agent logged in at a seat and talking on a call (agent_sessions + agent_state_history, as the agents module writes them). */
export function agentOnCall(w: World, agentId: number, seat: string, linkedid: string | null): void {
  const at = w.e.clock.date.toISOString();
  const s = w.e.db.prepare('SELECT id FROM agent_sessions WHERE agent_id = ? AND logout_at IS NULL').get(agentId) as { id: number } | undefined;
  const sid = s?.id ?? Number(w.e.db.prepare(`INSERT INTO agent_sessions (agent_id, seat, login_at, login_source) VALUES (?, ?, ?, 'ui')`).run(agentId, seat, at).lastInsertRowid);
  w.e.db.prepare('UPDATE agent_state_history SET end_at = ? WHERE agent_id = ? AND end_at IS NULL').run(at, agentId);
  w.e.db.prepare(`INSERT INTO agent_state_history (agent_id, session_id, seat, state, linkedid, start_at) VALUES (?, ?, ?, ?, ?, ?)`).run(agentId, sid, seat, linkedid ? 'talking' : 'ready', linkedid, at);
}

