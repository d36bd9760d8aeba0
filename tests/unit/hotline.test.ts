// Hotline data: IVR / queue validation (loops, dead ends, unknown targets mapped to editor
// items), the mapping into the PBX model (accepted by the model's own validation), business
// hours with holidays and make-up working days, and the AMI events (callbacks, survey scores,
// monitoring sessions, transfers) through a fake AMI, plus the API through fastify inject.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { HotlineModule } from '../../firmware-agent/src/hotline/hotline-module.js';
import { addHotlineToModel } from '../../firmware-agent/src/hotline/to-model.js';
import { defaultIvr, defaultQueues, type IvrDoc, type QueuesDoc } from '../../firmware-agent/src/hotline/types.js';
import { isOpen, validateIvr, validateQueues } from '../../firmware-agent/src/hotline/validate.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { defaultEndpoint, defaultModel, validateModel } from '../../firmware-agent/src/pbx-config/model.js';
import { cleanupDbs, tempDb } from './agents-support.js';

const SEATS = ['8001', '8002', '8003', '8004'];
const ctx = { seats: new Set(SEATS), prompts: new Set(['welcome']), queues: new Set(['hotline']) };

function ivrWith(extra: Partial<IvrDoc> = {}): IvrDoc {
  const d = defaultIvr();
  d.menus = [
    { id: 'main', name: '主菜单', prompt: 'welcome', timeoutSeconds: 5, maxRetries: 2, invalidPrompt: null, options: [{ digit: '1', destination: { kind: 'queue', target: 'hotline' } }, { digit: '2', destination: { kind: 'menu', target: 'sales' } }], fallback: { kind: 'queue', target: 'hotline' } },
    { id: 'sales', name: '销售', prompt: null, timeoutSeconds: 5, maxRetries: 1, invalidPrompt: null, options: [{ digit: '0', destination: { kind: 'menu', target: 'main' } }, { digit: '1', destination: { kind: 'seat', target: '8002' } }], fallback: { kind: 'callback', target: 'hotline' } },
  ];
  return { ...d, ...extra };
}

function queuesWith(): QueuesDoc {
  const q = defaultQueues();
  q.queues[0]!.members = [{ seat: '8001', penalty: 0 }, { seat: '8002', penalty: 2 }];
  q.queues[0]!.overflow.seats = ['8003'];
  return q;
}

describe('IVR validation', () => {
  it('accepts a menu tree with a "back to main menu" key', () => {
    expect(validateIvr(ivrWith(), ctx)).toMatchObject({ ok: true });
  });

  it('refuses a loop a silent caller never leaves, naming the menus and the fallback item', () => {
    const d = ivrWith();
    d.menus[0]!.fallback = { kind: 'menu', target: 'sales' };
    d.menus[1]!.fallback = { kind: 'menu', target: 'main' };
    const v = validateIvr(d, ctx);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const loop = v.issues.find((i) => i.code === 'loop')!;
    expect(loop.path).toMatch(/^menus\[[01]\]\.fallback$/);
    expect(loop.message).toContain('"主菜单"');
    expect(loop.message).toContain('"销售"');
  });

  it('refuses dead ends, unknown targets, duplicate keys, unreachable menus and bad hours', () => {
    const d = ivrWith();
    d.menus.push({ id: 'orphan', name: '孤立', prompt: 'missing', timeoutSeconds: 3, maxRetries: 0, invalidPrompt: null, options: [], fallback: { kind: 'hangup' } });
    d.menus[0]!.options.push({ digit: '1', destination: { kind: 'seat', target: '8999' } });
    d.hours.weekly = [{ days: [1], open: '18:00', close: '09:00' }];
    d.hours.holidays = [{ date: '2026-02-30', name: 'x' }];
    const v = validateIvr(d, ctx);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const paths = v.issues.map((i) => `${i.code}@${i.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dead_end@menus[2].options',
        'unknown_target@menus[2].prompt',
        'unreachable@menus[2]',
        'duplicate@menus[0].options[2].digit',
        'unknown_target@menus[0].options[2].destination',
        'hours@hours.weekly[0].close',
        'hours@hours.holidays[0].date',
      ]),
    );
  });

  it('reports schema errors with editor paths', () => {
    const d = ivrWith() as unknown as { menus: Array<{ timeoutSeconds: number }> };
    d.menus[1]!.timeoutSeconds = 0;
    const v = validateIvr(d, ctx);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues[0]!.path).toBe('menus[1].timeoutSeconds');
  });

  it('queues: unknown and duplicate members, nobody to answer', () => {
    const q = queuesWith();
    q.queues[0]!.members.push({ seat: '8001', penalty: 1 }, { seat: '8999', penalty: 0 });
    q.queues.push({ ...defaultQueues().queues[0]!, name: 'empty' });
    const v = validateQueues(q, ctx);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => `${i.code}@${i.path}`)).toEqual(['duplicate@queues[0].members[2].seat', 'unknown_target@queues[0].members[3].seat', 'dead_end@queues[1].members']);
  });
});

describe('business hours (Asia/Shanghai)', () => {
  const h = ivrWith().hours;
  h.holidays = [{ date: '2026-10-01', name: '国庆节' }];
  h.makeupWorkdays = [{ date: '2026-10-10', name: '国庆调休' }];
  it('weekday hours, holiday closed, make-up Saturday open', () => {
    expect(isOpen(h, new Date('2026-09-30T01:30:00Z'))).toBe(true); // Wed 09:30 CST
    expect(isOpen(h, new Date('2026-09-30T10:30:00Z'))).toBe(false); // Wed 18:30 CST
    expect(isOpen(h, new Date('2026-10-01T02:00:00Z'))).toBe(false); // holiday (Thu)
    expect(isOpen(h, new Date('2026-10-10T02:00:00Z'))).toBe(true); // Sat, make-up day
    expect(isOpen(h, new Date('2026-10-11T02:00:00Z'))).toBe(false); // Sun
  });
});

describe('mapping into the PBX model', () => {
  let db: Db;
  beforeEach(() => {
    db = tempDb();
  });
  afterEach(() => cleanupDbs());

  const model = () => defaultModel({ revision: 'r1', amiSecret: 'ami-secret-0123456789', demo: { enabled: false }, endpoints: SEATS.map((s) => defaultEndpoint(s, `secret-${s}-0123456789`)) });
  const store = (kind: string, doc: unknown) => db.prepare('INSERT OR REPLACE INTO hotline_documents (kind, json) VALUES (?, ?)').run(kind, JSON.stringify(doc));

  it('adds nothing without stored documents', () => {
    const m = model();
    addHotlineToModel(db, m, []);
    expect(m.ivrs).toBeUndefined();
    expect(m.hotlines).toBeUndefined();
  });

  it('maps IVR, hours, hotline and queue into a model the PBX validation accepts', () => {
    store('ivr', ivrWith());
    store('queues', queuesWith());
    const m = model();
    addHotlineToModel(db, m, []);
    const v = validateModel(m);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(m.hotlines).toEqual([{ id: 'hotline', dids: ['4000000000'], ivr: 'hotline', maxConcurrent: 8, faxDetect: false, useBusinessHours: true }]);
    expect(m.ivrs![0]!.menus[0]).toMatchObject({ id: 'main', prompt: '/seatbox/lib/sounds/custom/ivr-welcome', fallback: { kind: 'queue', target: 'hotline' } });
    expect(m.ivrs![0]!.menus[1]!.prompt).toBe('silence/1');
    expect(m.queues[0]).toMatchObject({ name: 'hotline', timeout: 15, members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 2 }], overflow: { seats: ['8003'], final: 'callback' } });
  });

  it('prompts are absolute paths under the model\'s varlib; a queue with the survey on enables the survey', () => {
    store('ivr', ivrWith());
    const q = queuesWith();
    q.queues[0]!.survey = true;
    store('queues', q);
    const m = defaultModel({ revision: 'r1', amiSecret: 'ami-secret-0123456789', demo: { enabled: false }, paths: { varlib: '/box/lib' }, endpoints: SEATS.map((s) => defaultEndpoint(s, `secret-${s}-0123456789`)) });
    addHotlineToModel(db, m, []);
    const v = validateModel(m);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(m.ivrs![0]!.menus[0]!.prompt).toBe('/box/lib/sounds/custom/ivr-welcome');
    expect(m.survey).toEqual({ enabled: true, prompt: 'beep', timeoutSeconds: 5 });
    expect(m.queues[0]!.survey).toBe(true);
  });
});

// ---- module + API ----

class FakeAmi extends EventEmitter {
  connected = true;
  actions: Array<{ action: string; headers: Record<string, unknown> }> = [];
  async action(action: string, headers: Record<string, unknown> = {}) {
    this.actions.push({ action, headers });
    return new AmiMessage([['Response', 'Success']]);
  }
}
const ev = (fields: Array<[string, string]>) => new AmiMessage(fields);

describe('hotline module and API', () => {
  let db: Db;
  let app: App;
  let ami: FakeAmi;
  let mod: HotlineModule;
  let users: UserStore;
  let promptDir: string;

  beforeEach(async () => {
    db = tempDb();
    promptDir = mkdtempSync(join(tmpdir(), 'seatbox-prompts-'));
    ami = new FakeAmi();
    users = new UserStore(db);
    const audit = new AuditLog(db);
    const live = new LiveFeed();
    mod = new HotlineModule({ db, ami: ami as never, audit, logger: silentLogger(), promptDir, seats: () => SEATS, outsidePrefix: () => '9' });
    await mod.start();
    app = await buildServer({
      users,
      sessions: new SessionStore(db),
      audit,
      throttle: new LoginThrottle(),
      health: () => ({ status: 'ok', version: '0', uptime: 1, db: { ok: true, schemaVersion: 4, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
      status: () => ({ product: 'SeatBox', version: '0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
      calls: () => [],
      live,
      hotline: mod,
      cookieSecret: 'y'.repeat(32),
      logger: silentLogger(),
      loginRateLimit: 1000,
    });
  });
  afterEach(async () => {
    await app.close();
    await mod.stop();
    rmSync(promptDir, { recursive: true, force: true });
    cleanupDbs();
  });

  async function client(username: string, roles: Role[]) {
    const password = 'Quiet-Harbor-4821';
    await users.create({ username, password, roles });
    let cookie = '';
    const take = (r: { headers: Record<string, unknown> }) => {
      for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
        const pair = c.split(';')[0]!;
        const name = pair.split('=')[0]!;
        cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
      }
    };
    const r0 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf' });
    take(r0);
    let token = (r0.json() as { token: string }).token;
    take(await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } }));
    const r1 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
    take(r1);
    token = (r1.json() as { token: string }).token;
    return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
      const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
      return { status: r.statusCode, body: r.body ? (r.json() as any) : undefined };
    };
  }

  it('SeatBoxCallback events become callback tasks (once per call); one click originates from the seat', async () => {
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxCallback'], ['Number', '13800138000'], ['Queue', 'hotline'], ['Linkedid', '1700000000.1']]));
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxCallback'], ['Number', '13800138000'], ['Queue', 'hotline'], ['Linkedid', '1700000000.1']]));
    const agent = await client('agent1', ['agent']);
    const list = await agent('GET', '/hotline/callbacks');
    expect(list.status).toBe(200);
    expect(list.body.callbacks).toHaveLength(1);
    expect(list.body.callbacks[0]).toMatchObject({ number: '13800138000', queue: 'hotline', source: 'ivr', status: 'open' });
    const id = list.body.callbacks[0].id;

    const noSeat = await agent('POST', `/hotline/callbacks/${id}/dial`, {});
    expect(noSeat).toMatchObject({ status: 400, body: { error: 'no_seat' } });
    const dial = await agent('POST', `/hotline/callbacks/${id}/dial`, { seat: '8002' });
    expect(dial.status).toBe(200);
    expect(dial.body).toMatchObject({ status: 'dialing', attempts: 1, lastSeat: '8002', lastDialedBy: 'agent1' });
    expect(ami.actions).toHaveLength(1);
    expect(ami.actions[0]).toMatchObject({ action: 'Originate', headers: { Channel: 'Local/8002@seatbox-seats', Context: 'seatbox-internal', Exten: '913800138000' } });

    expect((await agent('POST', `/hotline/callbacks/${id}/outcome`, { outcome: 'no_answer' })).body).toMatchObject({ status: 'open', outcome: null });
    expect((await agent('POST', `/hotline/callbacks/${id}/outcome`, { outcome: 'reached', note: 'ok' })).body).toMatchObject({ status: 'done', outcome: 'reached', note: 'ok' });
    expect((await agent('POST', `/hotline/callbacks/${id}/dial`, { seat: '8002' })).status).toBe(409);

    const manual = await agent('POST', '/hotline/callbacks', { number: '010-6552 9988', note: '下午回电' });
    expect(manual).toMatchObject({ status: 201, body: { number: '01065529988', source: 'manual' } });
    expect((await agent('POST', '/hotline/callbacks', { number: 'abc' })).status).toBe(400);
  });

  it('survey scores, transfers and monitoring sessions are recorded; stats give the rates', async () => {
    db.prepare("INSERT INTO calls (linkedid, state, created_at) VALUES ('c1', 'ended', '2026-03-02T01:00:00Z'), ('c2', 'ended', '2026-03-02T02:00:00Z')").run();
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxSurvey'], ['Linkedid', 'c1'], ['Score', '5']]));
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxSurvey'], ['Linkedid', 'c2'], ['Score', '2']]));
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxSurvey'], ['Linkedid', 'c3'], ['Score', '9']]));
    ami.emit('event', ev([['Event', 'BlindTransfer'], ['Result', 'Success'], ['TransfererChannel', 'PJSIP/8001-1'], ['TransfererLinkedid', 'c1'], ['Extension', '8003']]));
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxMonitor'], ['Op', 'start'], ['Lead', '8004'], ['Target', '8001'], ['Mode', 'whisper'], ['User', 'lead1']]));
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxMonitor'], ['Op', 'stop'], ['Lead', '8004'], ['Target', '8001']]));

    const lead = await client('lead1', ['team_lead']);
    expect((await lead('GET', '/hotline/calls/c1')).body).toMatchObject({ surveyScore: 5, transfers: [{ kind: 'blind', result: 'Success', target: '8003' }] });
    const year = new Date().getUTCFullYear();
    const st = await lead('GET', `/hotline/stats?from=2026-03-01T00:00:00Z&to=${year + 1}-01-01T00:00:00Z`);
    expect(st.body).toMatchObject({ surveys: 2, satisfied: 1, satisfactionRate: 0.5, calls: 2, transferredCalls: 1, transferRate: 0.5 });
    const sessions = (await lead('GET', '/hotline/monitor/sessions')).body.sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ leadSeat: '8004', targetSeat: '8001', mode: 'whisper', username: 'lead1' });
    expect(sessions[0].endedAt).not.toBeNull();

    // Only supervisor seats may monitor.
    expect((await lead('POST', '/hotline/monitor', { targetSeat: '8001', mode: 'barge', leadSeat: '8004' })).body).toMatchObject({ error: 'not_supervisor' });
    const mgr = await client('mgr2', ['manager']);
    expect((await mgr('PUT', '/hotline/monitoring', { supervisorSeats: ['8004'] })).status).toBe(200);
    const mon = await lead('POST', '/hotline/monitor', { targetSeat: '8001', mode: 'barge', leadSeat: '8004' });
    expect(mon.status).toBe(202);
    expect(ami.actions.at(-1)).toMatchObject({ action: 'Originate', headers: { Channel: 'PJSIP/8004', Context: 'seatbox-monitor', Exten: 'barge-8001' } });
    // The dialplan's own event format (Phase, SpySeat, TargetSeat); the user comes from the request.
    ami.emit('event', ev([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxMonitor'], ['Phase', 'start'], ['Mode', 'barge'], ['SpySeat', '8004'], ['TargetSeat', '8001'], ['Linkedid', 'm1']]));
    expect((await lead('GET', '/hotline/monitor/sessions')).body.sessions[0]).toMatchObject({ leadSeat: '8004', targetSeat: '8001', mode: 'barge', username: 'lead1', endedAt: null });
    const agent = await client('agent2', ['agent']);
    expect((await agent('POST', '/hotline/monitor', { targetSeat: '8001', mode: 'listen', leadSeat: '8002' })).status).toBe(403);
  });

  it('IVR with a loop is refused with every issue and the stored IVR stays untouched', async () => {
    const mgr = await client('mgr', ['manager']);
    const q = await mgr('PUT', '/hotline/queues', queuesWith());
    expect(q.status).toBe(200);
    const before = (await mgr('GET', '/hotline/ivr')).body;
    const bad = ivrWith();
    bad.menus[0]!.prompt = null;
    bad.menus[0]!.fallback = { kind: 'menu', target: 'sales' };
    bad.menus[1]!.fallback = { kind: 'menu', target: 'main' };
    const r = await mgr('PUT', '/hotline/ivr', bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('hotline_invalid');
    expect(r.body.message).toMatch(/loop: a caller who presses nothing goes round/);
    expect(r.body.issues[0]).toMatchObject({ code: 'loop' });
    expect((await mgr('GET', '/hotline/ivr')).body).toEqual(before);
    const good = ivrWith();
    good.menus[0]!.prompt = null;
    const ok = await mgr('PUT', '/hotline/ivr', good);
    expect(ok.status).toBe(200);
    expect((await mgr('GET', '/hotline/ivr')).body.menus).toHaveLength(2);
    // An agent may not edit the IVR.
    const agent = await client('agent3', ['agent']);
    expect((await agent('PUT', '/hotline/ivr', good)).status).toBe(403);
  });
});
