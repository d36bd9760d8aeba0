// Campaigns, custody, lead queue and DNC through the real HTTP stack (fastify inject, CSRF,
// sessions): roles enforced per route, numbers masked per role in the API answers, settings
// errors with path and reason, fairness export as CSV and XLSX, audit records.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { addAgent, addList, cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
let app: App;
let users: UserStore;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
async function client(username: string, roles: Role[]) {
  const password = 'Quiet-Harbor-4821';
  const user = await users.create({ username, password, roles });
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
  const call = async (method: Method, url: string, payload?: unknown) => {
    const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    const ct = String(r.headers['content-type'] ?? '');
    return { status: r.statusCode, body: ct.includes('json') && r.body ? (r.json() as any) : undefined, raw: r.rawPayload, text: r.body };
  };
  return { user, call };
}

beforeEach(async () => {
  e = env();
  users = new UserStore(e.db);
  app = await buildServer({
    users,
    sessions: new SessionStore(e.db),
    audit: e.audit,
    throttle: new LoginThrottle(),
    health: () => ({ status: 'ok', version: '0', uptime: 1, db: { ok: true, schemaVersion: 9, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox', version: '0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
    calls: () => [],
    live: e.live,
    campaigns: e.mod,
    cookieSecret: 'y'.repeat(32),
    logger: silentLogger(),
    loginRateLimit: 1000,
  });
});
afterEach(async () => {
  await app.close();
  e.db.close();
  cleanup();
});

async function world() {
  const manager = await client('mgr', ['manager']);
  const dm = await client('dm', ['data_manager']);
  const lead = await client('leadA', ['team_lead']);
  const leadB = await client('leadB', ['team_lead']);
  const qa = await client('qa', ['qa']);
  const trainer = await client('trainer', ['trainer']);
  const ag1 = await client('ag1', ['agent']);
  const ag2 = await client('ag2', ['agent']);
  const a1 = addAgent(e.db, '801', 'A', ag1.user.id);
  const a2 = addAgent(e.db, '802', 'A', ag2.user.id);
  const b1 = addAgent(e.db, '901', 'B');
  expect((await manager.call('PUT', '/teams/A', { leadUserId: lead.user.id })).status).toBe(204);
  expect((await manager.call('PUT', '/teams/B', { leadUsername: 'leadB' })).status).toBe(204);
  expect(await manager.call('PUT', '/teams/B', { leadUsername: 'nobody' })).toMatchObject({ status: 400, body: { error: 'unknown_user', field: 'leadUsername' } });
  expect(await manager.call('PUT', '/teams/C', { leadUsername: 'qa' })).toMatchObject({ status: 400, body: { error: 'not_team_lead' } });
  expect((await lead.call('PUT', '/teams/B', { leadUsername: 'leadA' })).status).toBe(403);
  return { manager, dm, lead, leadB, qa, trainer, ag1, ag2, a1, a2, b1 };
}

describe('campaigns API', () => {
  it('create/edit: managers only; settings errors name path and reason', async () => {
    const w = await world();
    expect((await w.ag1.call('POST', '/campaigns', { name: 'X' })).status).toBe(403);
    expect((await w.lead.call('POST', '/campaigns', { name: 'X' })).status).toBe(403);
    const bad = await w.manager.call('POST', '/campaigns', { name: 'X', settings: { hours: { weekly: { mon: [{ from: '21:00', to: '09:00' }] } }, retries: { busy: { afterMinutes: -1, maxAttempts: 3 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_settings');
    expect(bad.body.issues).toContainEqual({ path: 'settings.retries.busy.afterMinutes', message: expect.stringMatching(/greater or equal to 1/) });
    const ok = await w.manager.call('POST', '/campaigns', { name: '春季促销', dialMode: 'preview', settings: { dailyAttemptCap: 2 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: '春季促销', status: 'draft', settings: { dailyAttemptCap: 2, dropCapPercent: 3 }, leads: { total: 0 }, notDialingReason: 'campaign_not_active' });
    expect((await w.manager.call('POST', '/campaigns', { name: '春季促销' })).body).toMatchObject({ error: 'name_taken', field: 'name' });
    const id = ok.body.id;
    expect((await w.manager.call('PUT', `/campaigns/${id}`, { settings: { consentGate: true } })).body.settings).toMatchObject({ consentGate: true, dailyAttemptCap: 2 });
    expect((await w.manager.call('POST', `/campaigns/${id}/check`, { settings: { dropCapPercent: 101 } })).body).toMatchObject({ ok: false, issues: [{ path: 'settings.dropCapPercent' }] });
    expect((await w.manager.call('POST', `/campaigns/${id}/status`, { status: 'active' })).body.status).toBe('active');
    expect((await w.ag1.call('GET', `/campaigns/${id}`)).status).toBe(200);
    expect(e.db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'campaign.%' ORDER BY id`).all()).toEqual([{ action: 'campaign.created' }, { action: 'campaign.updated' }, { action: 'campaign.status' }]);
  });

  it('custody routes by role; numbers masked per role; agent sees its own lead in full only while holding it (preview)', async () => {
    const w = await world();
    const c = (await w.manager.call('POST', '/campaigns', { name: 'C' })).body;
    const { listId } = addList(e.db, c.id, 20);
    expect((await w.lead.call('POST', `/lead-lists/${listId}/receive`)).status).toBe(403);
    expect((await w.dm.call('POST', `/lead-lists/${listId}/receive`)).body).toMatchObject({ received: 20 });
    const sample = await w.dm.call('POST', `/lead-lists/${listId}/sample`, { size: 5 });
    expect(sample.body.leads).toHaveLength(5);
    expect(sample.body.leads[0].phone).toMatch(/^139\d{8}$/);
    expect((await w.dm.call('POST', `/lead-lists/${listId}/sample-result`, { ok: true, bad: 0 })).status).toBe(204);
    expect((await w.lead.call('POST', `/campaigns/${c.id}/handover/team`, { team: 'A', count: 10 })).status).toBe(403);
    expect((await w.dm.call('POST', `/campaigns/${c.id}/handover/team`, { team: 'A', count: 12 })).body).toMatchObject({ count: 12 });
    expect((await w.dm.call('POST', `/campaigns/${c.id}/handover/team`, { team: 'B', count: 8 })).body).toMatchObject({ count: 8 });
    // Team lead of B cannot hand out team A's leads; data manager cannot hand to agents.
    expect(await w.leadB.call('POST', `/campaigns/${c.id}/handover/agents`, { team: 'A', split: { agentIds: [w.a1, w.a2] } })).toMatchObject({ status: 403, body: { error: 'not_your_team' } });
    expect((await w.dm.call('POST', `/campaigns/${c.id}/handover/agents`, { team: 'A', split: { agentIds: [w.a1, w.a2] } })).status).toBe(403);
    expect(await w.lead.call('POST', `/campaigns/${c.id}/handover/agents`, { team: 'A', split: { agentIds: [w.a1, w.b1] } })).toMatchObject({ status: 400, body: { field: 'agentId' } });
    const split = await w.lead.call('POST', `/campaigns/${c.id}/handover/agents`, { team: 'A', split: { agentIds: [w.a1, w.a2] } });
    expect(split.body.handovers.map((h: { count: number }) => h.count)).toEqual([6, 6]);
    expect((await w.lead.call('GET', `/campaigns/${c.id}/handovers`)).body.handovers).toHaveLength(5);
    expect((await w.ag1.call('GET', `/campaigns/${c.id}/handovers`)).status).toBe(403);
    await w.manager.call('POST', `/campaigns/${c.id}/status`, { status: 'active' });

    const masked = /^139\*{4}\d{4}$/;
    for (const who of [w.qa, w.trainer, w.lead]) {
      const r = await who.call('GET', `/campaigns/${c.id}/leads?limit=50`);
      expect(r.status).toBe(200);
      expect(r.body.leads).toHaveLength(20);
      expect(r.body.leads.every((l: { phone: string; masked: boolean; name: string }) => masked.test(l.phone) && l.masked && l.name.endsWith('*'))).toBe(true);
    }
    const full = await w.dm.call('GET', `/campaigns/${c.id}/leads?limit=50`);
    expect(full.body.leads.every((l: { phone: string }) => /^139\d{8}$/.test(l.phone))).toBe(true);
    // Reading full numbers is audited (count only); masked reads are not.
    expect(e.db.prepare(`SELECT username, target, detail FROM audit_log WHERE action = 'leads.viewed_full'`).all()).toEqual([{ username: 'dm', target: `campaign:${c.id}`, detail: '{"leads":20}' }]);
    expect(JSON.stringify((await w.qa.call('GET', `/campaigns/${c.id}/leads`)).body)).not.toMatch(/139\d{8}/);

    // Agent: only own leads, masked until claimed; the claimed one in full (preview mode).
    const mine = await w.ag1.call('GET', `/campaigns/${c.id}/leads`);
    expect(mine.body.total).toBe(6);
    expect(mine.body.leads.every((l: { phone: string; agentId: number }) => masked.test(l.phone) && l.agentId === w.a1)).toBe(true);
    expect(mine.body.leads[0].why).toMatchObject({ due: true, code: 'due' });
    const next = await w.ag1.call('POST', `/campaigns/${c.id}/next`);
    expect(next.body.lead.phone).toMatch(/^139\d{8}$/);
    expect(next.body.lead.script.text).toContain('客户');
    const held = next.body.lead.id;
    const ag2sees = await w.ag2.call('GET', `/leads/${held}`);
    expect(ag2sees).toMatchObject({ status: 403 });
    expect((await w.ag2.call('POST', `/leads/${held}/outcome`, { outcome: 'busy' })).status).toBe(409);
    expect((await w.qa.call('POST', `/leads/${held}/outcome`, { outcome: 'busy' })).status).toBe(403);
    const qaView = await w.qa.call('GET', `/leads/${held}`);
    expect(qaView.body.phone).toMatch(masked);
    expect(qaView.body.why).toMatchObject({ code: 'claimed', due: false });
    const out = await w.ag1.call('POST', `/leads/${held}/outcome`, { outcome: 'busy' });
    expect(out.body).toMatchObject({ status: 'retry', attempts: 1, why: { code: 'retry_wait' } });
    expect(out.body.phone).toMatch(masked); // released: masked again
    // Predictive mode: masked even while held.
    await w.manager.call('PUT', `/campaigns/${c.id}`, { dialMode: 'predictive' });
    const next2 = await w.ag1.call('POST', `/campaigns/${c.id}/next`);
    expect(next2.body.lead.phone).toMatch(masked);
    expect(next2.body.lead.script.text).not.toMatch(/139\d{8}/);
    expect((await w.ag1.call('POST', `/leads/${next2.body.lead.id}/outcome`, { outcome: 'connected', disposition: 'sale' })).body.status).toBe('done');

    // Fairness: JSON, CSV (BOM) and XLSX; agents may not read it.
    expect((await w.ag1.call('GET', `/campaigns/${c.id}/fairness`)).status).toBe(403);
    const fair = await w.lead.call('GET', `/campaigns/${c.id}/fairness`);
    expect(fair.body.rows.find((r: { agentId: number }) => r.agentId === w.a1)).toMatchObject({ received: 6, worked: 2, sales: 1, conversion: 0.5 });
    const csv = await w.manager.call('GET', `/campaigns/${c.id}/fairness?format=csv`);
    expect(csv.text.startsWith('\uFEFFagent,name,team,received')).toBe(true);
    expect(csv.text).toContain('801,Agent 801,A,6,6,2,2,1,1,50.00');
    const xlsx = await w.manager.call('GET', `/campaigns/${c.id}/fairness?format=xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('fairness')!;
    expect(ws.getRow(1).values).toEqual([undefined, 'agent', 'name', 'team', 'received', 'held', 'worked', 'attempts', 'contacts', 'sales', 'conversion %']);
    expect(ws.getRow(2).getCell(1).value).toBe('801');
    expect(ws.getRow(2).getCell(10).value).toBe(50);

    // Audit: hand-overs and outcomes recorded, without numbers.
    const audit = e.db.prepare(`SELECT action, detail FROM audit_log WHERE action LIKE 'lead%' ORDER BY id`).all() as Array<{ action: string; detail: string | null }>;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['leads.received', 'leads.sample_drawn', 'leads.handover_team', 'leads.handover_agents', 'lead.claimed', 'lead.outcome']));
    expect(audit.some((a) => /139\d{8}/.test(a.detail ?? ''))).toBe(false);
  });

  it('DNC: team leads add and see masked entries; data managers remove and import; agents and QA are refused', async () => {
    const w = await world();
    expect((await w.ag1.call('GET', '/dnc')).status).toBe(403);
    expect((await w.qa.call('POST', '/dnc', { phone: '13800138000', reason: 'opt_out' })).status).toBe(403);
    expect((await w.lead.call('POST', '/dnc', { phone: '138 0013 8000', reason: 'opt_out', note: '客户要求' })).body).toMatchObject({ phone: '138****8000', masked: true, reason: 'opt_out' });
    expect((await w.lead.call('POST', '/dnc', { phone: 'abc', reason: 'manual' })).body).toMatchObject({ error: 'invalid_phone', field: 'phone' });
    expect((await w.lead.call('GET', '/dnc')).body.entries[0].phone).toBe('138****8000');
    expect((await w.dm.call('GET', '/dnc')).body.entries[0].phone).toBe('13800138000');
    expect((await w.lead.call('DELETE', '/dnc/13800138000')).status).toBe(403);
    const imp = await w.dm.call('POST', '/dnc/import', { text: 'phone\n13900000001\nxx\n+8613900000002\n', reason: 'import' });
    expect(imp.body).toEqual({ added: 0, invalid: [{ line: 3, reason: '"xx" is not a phone number' }] });
    expect((await w.dm.call('POST', '/dnc/import', { text: 'phone\n13900000001\nxx\n+8613900000002\n', reason: 'import', validOnly: true })).body.added).toBe(2);
    expect((await w.dm.call('GET', '/dnc/check/8613900000002')).body).toMatchObject({ blocked: true, entry: { reason: 'import' } });
    expect((await w.dm.call('DELETE', '/dnc/13800138000')).status).toBe(204);
    expect((await w.dm.call('GET', '/dnc')).body.total).toBe(2);
    const audit = e.db.prepare(`SELECT action, target FROM audit_log WHERE action LIKE 'dnc.%' ORDER BY id`).all();
    expect(audit).toEqual([
      { action: 'dnc.added', target: 'dnc:138****8000' },
      { action: 'dnc.imported', target: 'dnc' },
      { action: 'dnc.removed', target: 'dnc:138****8000' },
    ]);
  });

  it('destruction: agents refused; team lead confirms by name; counts stay', async () => {
    const w = await world();
    const c = (await w.manager.call('POST', '/campaigns', { name: '秋季' })).body;
    addList(e.db, c.id, 5);
    await w.manager.call('POST', `/campaigns/${c.id}/status`, { status: 'ended' });
    expect((await w.ag1.call('POST', `/campaigns/${c.id}/destroy`, { confirm: '秋季' })).status).toBe(403);
    expect((await w.dm.call('POST', `/campaigns/${c.id}/destroy`, { confirm: '秋季' })).status).toBe(403);
    expect(await w.lead.call('POST', `/campaigns/${c.id}/destroy`, { confirm: '秋' })).toMatchObject({ status: 400, body: { error: 'confirm_mismatch', field: 'confirm' } });
    const r = await w.lead.call('POST', `/campaigns/${c.id}/destroy`, { confirm: '秋季' });
    expect(r.body).toMatchObject({ leads: 5, verified: true, remaining: 0 });
    expect((await w.manager.call('GET', `/campaigns/${c.id}/destruction`)).body).toMatchObject({ leads: 5, byUsername: 'leadA', verified: true });
    expect(e.db.prepare(`SELECT username, detail FROM audit_log WHERE action = 'campaign.destroyed'`).get()).toMatchObject({ username: 'leadA' });
  });

  it('unauthenticated requests get 401', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/campaigns' });
    expect(r.statusCode).toBe(401);
  });
});
