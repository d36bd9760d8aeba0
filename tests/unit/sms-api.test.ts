// SMS API through the real HTTP stack (fastify inject, CSRF, sessions, real SQLite file):
// roles per route, errors naming the field, dry run and bulk send with masked numbers for team
// leads, cancel, settings, audit records. No modem here (messages stay queued); sending through
// a modem is tests/integration/sms-modem.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SmsModule } from '../../firmware-agent/src/sms/sms-module.js';
import { addList, cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
let app: App;
let users: UserStore;
let sms: SmsModule;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
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
  return async (method: Method, url: string, payload?: unknown) => {
    const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    return { status: r.statusCode, body: r.body ? (r.json() as any) : undefined };
  };
}

beforeEach(async () => {
  e = env();
  users = new UserStore(e.db);
  sms = new SmsModule({ db: e.db, audit: e.audit, live: e.live, logger: silentLogger(), campaigns: e.mod, modemFactory: () => null, now: () => e.clock.date, tickMs: 60_000 });
  await sms.start();
  app = await buildServer({
    users,
    sessions: new SessionStore(e.db),
    audit: e.audit,
    throttle: new LoginThrottle(),
    health: () => ({ status: 'ok', version: '0', uptime: 1, db: { ok: true, schemaVersion: 13, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox', version: '0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
    calls: () => [],
    live: e.live,
    campaigns: e.mod,
    sms,
    cookieSecret: 'y'.repeat(32),
    logger: silentLogger(),
    loginRateLimit: 1000,
  });
});
afterEach(async () => {
  await app.close();
  await sms.stop();
  e.db.close();
  cleanup();
});

function campaign() {
  const c = e.mod.campaigns.create({ name: 'Promo' });
  const { leadIds } = addList(e.db, c.id, 4, { phones: ['13812345678', '13812345679', '01088886666', '13812345670'], names: ['张伟', '李娜', '王强', '赵敏'] });
  e.mod.dnc.add({ phone: '13812345670', reason: 'refusal', now: e.clock.date });
  e.db.prepare(`UPDATE leads SET phone_kind = 'landline' WHERE phone = '01088886666'`).run();
  e.db.prepare(`UPDATE leads SET disposition = 'thinking' WHERE id = ?`).run(leadIds[0]);
  return { campaignId: c.id, leadIds };
}

describe('SMS API', () => {
  it('enforces roles per route', async () => {
    const agent = await client('ag', ['agent']);
    const lead = await client('tl', ['team_lead']);
    const mgr = await client('mgr', ['manager']);
    const tech = await client('tech', ['technician']);
    const { campaignId } = campaign();
    expect((await agent('GET', '/sms/templates')).status).toBe(403);
    expect((await agent('GET', '/sms/outbox')).status).toBe(403);
    expect((await lead('GET', '/sms/templates')).status).toBe(200);
    const body = { campaignId, name: 'n', body: 'x', trigger: 'manual', dispositions: [], enabled: true };
    expect((await lead('POST', '/sms/templates', body)).status).toBe(403);
    expect((await mgr('POST', '/sms/templates', body)).status).toBe(201);
    expect((await lead('PUT', '/sms/settings', sms.settings())).status).toBe(403);
    expect((await tech('GET', '/sms/settings')).status).toBe(200);
    expect((await tech('GET', '/sms/modem')).body.modem).toMatchObject({ state: 'closed', error: 'SMS is switched off' });
  });

  it('template errors name the field; the counter comes with the template', async () => {
    const mgr = await client('mgr', ['manager']);
    const { campaignId } = campaign();
    const base = { campaignId, name: 'A', body: '{{name}}您好', trigger: 'manual', dispositions: [], enabled: true };
    const bad1 = await mgr('POST', '/sms/templates', { ...base, body: 'Hi {{nmae}}' });
    expect(bad1).toMatchObject({ status: 400, body: { error: 'invalid_placeholder', field: 'body' } });
    expect(bad1.body.message).toContain('{{nmae}}');
    const bad2 = await mgr('POST', '/sms/templates', { ...base, trigger: 'after_call', dispositions: ['thinking', 'nope'] });
    expect(bad2).toMatchObject({ status: 400, body: { error: 'unknown_disposition', field: 'dispositions.1' } });
    expect((await mgr('POST', '/sms/templates', { ...base, trigger: 'after_call' })).body).toMatchObject({ error: 'no_dispositions', field: 'dispositions' });
    expect((await mgr('POST', '/sms/templates', { ...base, campaignId: 999 })).body).toMatchObject({ error: 'unknown_campaign', field: 'campaignId' });
    const ok = await mgr('POST', '/sms/templates', base);
    expect(ok.body.info).toMatchObject({ encoding: 'ucs2', parts: 1 });
    expect((await mgr('POST', '/sms/templates', base))).toMatchObject({ status: 409, body: { field: 'name' } });
    const upd = await mgr('PUT', `/sms/templates/${ok.body.id}`, { name: 'A', body: 'Hello {{name}} ' + 'x'.repeat(160), trigger: 'manual', dispositions: [], enabled: false });
    expect(upd.body).toMatchObject({ enabled: false, info: { encoding: 'gsm7', parts: 2 } });
    const schemaErr = await mgr('POST', '/sms/templates', { ...base, trigger: 'sometimes' });
    expect(schemaErr.status).toBe(400);
    expect(schemaErr.body.error).toBe('validation');
    expect((await mgr('DELETE', `/sms/templates/${ok.body.id}`)).status).toBe(200);
    expect(e.audit.recent(10).map((a) => a.action)).toEqual(expect.arrayContaining(['sms.template_created', 'sms.template_changed', 'sms.template_deleted']));
  });

  it('dry run and bulk send: skips with reasons, masked numbers for team leads, cancel', async () => {
    const mgr = await client('mgr', ['manager']);
    const lead = await client('tl', ['team_lead']);
    const { campaignId } = campaign();
    const t = (await mgr('POST', '/sms/templates', { campaignId, name: 'A', body: '{{name}}您好，您的号码{{phone}}已登记。', trigger: 'manual', dispositions: [], enabled: true })).body;
    const req = { campaignId, templateId: t.id, filter: {} };
    const pm = await mgr('POST', '/sms/bulk/preview', req);
    expect(pm.body).toMatchObject({ leads: 4, eligible: 2, parts: 2, skipped: { landline: 1, dnc: 1 }, sample: { phone: '13812345678', text: '张伟您好，您的号码13812345678已登记。' } });
    const pl = await lead('POST', '/sms/bulk/preview', req);
    expect(pl.body.sample).toMatchObject({ phone: '138****5678', text: '张伟您好，您的号码138****5678已登记。' });
    // Filter by disposition: only the lead marked "thinking".
    expect((await mgr('POST', '/sms/bulk/preview', { ...req, filter: { dispositions: ['thinking'] } })).body).toMatchObject({ leads: 1, eligible: 1 });
    // Template of another campaign / nobody eligible: errors with the field.
    expect((await mgr('POST', '/sms/bulk', { ...req, filter: { dispositions: ['sale'] } })).body).toMatchObject({ error: 'no_recipients', field: 'filter' });

    const b = await lead('POST', '/sms/bulk', req);
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ state: 'running', total: 4, counts: { queued: 2, skipped: 2 } });
    const outL = (await lead('GET', `/sms/outbox?batchId=${b.body.id}`)).body;
    expect(outL.total).toBe(4);
    expect(outL.items.every((m: any) => m.masked && (m.phone === null || m.phone.includes('****')))).toBe(true);
    expect(outL.items.some((m: any) => m.body.includes('13812345678'))).toBe(false);
    const outM = (await mgr('GET', `/sms/outbox?batchId=${b.body.id}&state=queued`)).body;
    expect(outM.items.map((m: any) => m.phone).sort()).toEqual(['13812345678', '13812345679']);

    const c = await lead('POST', `/sms/batches/${b.body.id}/cancel`);
    expect(c.body).toMatchObject({ state: 'cancelled', counts: { queued: 0, skipped: 4 } });
    expect((await lead('POST', `/sms/batches/${b.body.id}/cancel`)).status).toBe(409);
    expect((await mgr('GET', '/sms/outbox?state=skipped')).body.items.filter((m: any) => m.reason === 'cancelled')).toHaveLength(2);
    expect(e.audit.recent(10).map((a) => a.action)).toEqual(expect.arrayContaining(['sms.bulk_started', 'sms.bulk_cancelled']));
    expect((await mgr('GET', '/sms/batches')).body.batches[0]).toMatchObject({ id: b.body.id, state: 'cancelled' });
  });

  it('settings: validated with the field named, audited; demo endpoint refuses outside demo mode', async () => {
    const mgr = await client('mgr', ['manager']);
    const s = (await mgr('GET', '/sms/settings')).body;
    expect(s).toMatchObject({ enabled: false, ratePerMinute: 10, optOutKeywords: expect.arrayContaining(['退订', 'TD']) });
    const bad = await mgr('PUT', '/sms/settings', { ...s, device: 'COM3' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('device');
    const ok = await mgr('PUT', '/sms/settings', { ...s, device: '/dev/ttyUSB2', ratePerMinute: 20 });
    expect(ok.body).toMatchObject({ device: '/dev/ttyUSB2', ratePerMinute: 20 });
    expect(e.audit.recent(5).some((a) => a.action === 'sms.settings_changed')).toBe(true);
    expect((await mgr('POST', '/sms/demo/incoming', { from: '13812345678', text: 'TD' })).body).toMatchObject({ error: 'no_simulator' });
  });

  it('inbox lists replies; opt-outs masked for team leads', async () => {
    const mgr = await client('mgr', ['manager']);
    const lead = await client('tl', ['team_lead']);
    campaign();
    sms.onIncoming({ type: 'deliver', smsc: null, from: '+8613812345679', at: e.clock.date, offsetMinutes: 480, statusReportIndication: false, encoding: 'ucs2', text: 'TD', concat: null });
    sms.onIncoming({ type: 'deliver', smsc: null, from: '+8613812345678', at: e.clock.date, offsetMinutes: 480, statusReportIndication: false, encoding: 'ucs2', text: '好的，谢谢', concat: null });
    const all = (await mgr('GET', '/sms/inbox')).body;
    expect(all.items.map((i: any) => [i.phone, i.optOut])).toEqual([
      ['13812345678', false],
      ['13812345679', true],
    ]);
    const opt = (await lead('GET', '/sms/inbox?optOut=true')).body;
    expect(opt.items).toEqual([expect.objectContaining({ phone: '138****5679', masked: true, optOut: true })]);
    expect(e.mod.dnc.active('13812345679', e.clock.date)?.reason).toBe('opt_out');
  });
});
