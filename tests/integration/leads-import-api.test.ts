// Lead import over HTTP (fastify with the real routes, real SQLite file): roles, CSRF, raw-body
// upload, preview with an edited mapping, all-or-nothing then valid-only, report and its CSV,
// audit entries, progress frames.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { LeadsImportService } from '../../firmware-agent/src/leads/import/import-service.js';
import { sampleLeadsCsv } from '../../firmware-agent/src/leads/import/sample.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';

let dir: string;
let db: Db;
let app: App;
let audit: AuditLog;
let live: LiveFeed;
let campaign: number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-leads-api-'));
  db = openDatabase(dir);
  audit = new AuditLog(db);
  live = new LiveFeed();
  const users = new UserStore(db);
  await users.createFirstAdmin({ username: 'admin', password: 'Boss-Passw0rd-x' });
  await users.create({ username: 'dm', password: 'Data-Passw0rd-y', roles: ['data_manager'] });
  await users.create({ username: 'xiaowang', password: 'Agent-Passw0rd-z', roles: ['agent'] });
  const leadsImport = new LeadsImportService({ db, dataDir: dir, audit, live });
  await leadsImport.start();
  campaign = Number(db.prepare("INSERT INTO campaigns (name, status) VALUES ('回访', 'active')").run().lastInsertRowid);
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(10, 60_000),
    health: () => ({ status: 'ok', version: '0.1.0', uptime: 1, db: { ok: true, schemaVersion: 1, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: true, version: '22', channels: 0 } }),
    status: () => ({ product: 'SeatBox' as const, version: '0.1.0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: true, version: '22', channels: 0, calls: 0, uptimeSeconds: 1, lastReloadError: null } }),
    calls: () => [], live, cookieSecret: 'x'.repeat(32), logger: silentLogger(), loginRateLimit: 100,
    leadsImport,
  });
});
afterEach(async () => {
  await app?.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(username: string, password: string) {
  let cookie = '';
  const take = (r: { headers: Record<string, unknown> }) => {
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const pair = c.split(';')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(pair.split('=')[0]! + '=')), pair].join('; ');
    }
  };
  const csrf = async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
    take(r);
    return (r.json() as { token: string }).token;
  };
  const token = await csrf();
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  take(res);
  return {
    async send(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object | Buffer, contentType?: string, csrfToken = true) {
      const token = method !== 'GET' && csrfToken ? await csrf() : undefined;
      const headers: Record<string, string> = { cookie };
      if (token) headers['x-csrf-token'] = token;
      if (contentType) headers['content-type'] = contentType;
      return app.inject({ method, url, payload, headers });
    },
  };
}

const actions = () => audit.recent(50).map((r) => r.action);

describe('lead import API', () => {
  it('upload → preview → all-or-nothing refused → valid-only imported → report and CSV', async () => {
    const frames: LiveMessage[] = [];
    live.on('message', (m: LiveMessage) => frames.push(m));
    const dm = await login('dm', 'Data-Passw0rd-y');
    expect((await dm.send('GET', '/api/v1/leads/import/campaigns')).json()).toEqual({ campaigns: [{ id: campaign, name: '回访', status: 'active', leads: 0 }] });

    const up = await dm.send('POST', `/api/v1/leads/import/uploads?fileName=${encodeURIComponent('客户.csv')}`, sampleLeadsCsv(), 'application/octet-stream');
    expect(up.statusCode).toBe(200);
    const upload = up.json() as { id: number; encoding: string; fileName: string };
    expect(upload).toMatchObject({ encoding: 'gbk', fileName: '客户.csv' });

    const prev = await dm.send('POST', `/api/v1/leads/import/uploads/${upload.id}/preview`, { source: '数据商A', campaignId: campaign });
    expect(prev.statusCode).toBe(200);
    const p = prev.json();
    expect(p.mapping).toEqual({ 姓名: 'name', 手机号码: 'phone', 地址: 'address', 备注: 'note', 性别: 'gender', 公司: 'company', 来源渠道: 'field' });
    expect(p.report).toMatchObject({ encoding: 'gbk', rows: 17, valid: 9, duplicates: 2 });
    expect(p.refused.map((r: { line: number; code: string }) => `${r.line}:${r.code}`)).toEqual([
      '9:scientific_notation', '10:invalid_phone', '11:duplicate_in_file', '14:missing_area_code', '16:invalid_phone', '17:duplicate_in_file', '18:invalid_phone', '19:missing_phone',
    ]);
    expect(p.report.invalid.map((i: { line: number }) => i.line)).toEqual([9, 10, 14, 16, 18, 19]);

    // The default area code fixes line 14 in the preview.
    const prev2 = (await dm.send('POST', `/api/v1/leads/import/uploads/${upload.id}/preview`, { source: '数据商A', defaultAreaCode: '0755' })).json();
    expect(prev2.report.valid).toBe(10);
    expect((await dm.send('POST', `/api/v1/leads/import/uploads/${upload.id}/preview`, { mapping: { 姓名: 'phone', 手机号码: 'phone' } })).json()).toMatchObject({ error: 'bad_mapping' });

    const refused = await dm.send('POST', `/api/v1/leads/import/uploads/${upload.id}/import`, { campaignId: campaign, source: '数据商A' });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ status: 'refused', imported: 0 });
    expect(db.prepare('SELECT count(*) FROM leads').pluck().get()).toBe(0);

    const done = await dm.send('POST', `/api/v1/leads/import/uploads/${upload.id}/import`, { campaignId: campaign, source: '数据商A', mode: 'valid_only' });
    const rep = done.json();
    expect(rep).toMatchObject({ status: 'imported', imported: 9, rows: 17, invalid: 6, duplicatesInFile: 2 });
    expect(rep.refused).toHaveLength(8);
    expect(db.prepare('SELECT count(*) FROM leads WHERE campaign_id = ?').pluck().get(campaign)).toBe(9);
    // The uploaded file (personal data) is gone once imported.
    expect(readdirSync(join(dir, 'leads-import'))).toEqual([]);

    const report = (await dm.send('GET', `/api/v1/leads/import/jobs/${rep.jobId}`)).json();
    expect(report.refused[0]).toEqual({ line: 9, code: 'scientific_notation', reason: expect.stringContaining('"1.38E+10" is in scientific notation') });
    const csv = await dm.send('GET', `/api/v1/leads/import/jobs/${rep.jobId}/refused.csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n').slice(0, 3)).toEqual(['\ufeffline,code,reason', expect.stringMatching(/^9,scientific_notation,/), '10,invalid_phone,"invalid_phone: ""1381234567"" has 10 digits, a mobile number needs 11"']);
    expect((await dm.send('GET', `/api/v1/leads/import/jobs?campaignId=${campaign}`)).json().jobs.map((j: { status: string }) => j.status)).toEqual(['imported', 'refused']);
    expect((await dm.send('GET', '/api/v1/leads/import/sources')).json().sources[0]).toMatchObject({ source: '数据商A' });

    expect(actions()).toEqual(expect.arrayContaining(['leads.import_uploaded', 'leads.import_refused', 'leads.imported', 'leads.import_report_downloaded']));
    const phases = frames.filter((f) => f.type === 'leads.import.progress').map((f) => (f as Extract<LiveMessage, { type: 'leads.import.progress' }>).data);
    expect(phases.every((f) => f.uploadId === upload.id)).toBe(true);
    expect(phases.map((f) => f.phase)).toEqual(['reading', 'checking', 'writing', 'refused', 'reading', 'checking', 'writing', 'done']);
  });

  it('serves the messy GBK sample file', async () => {
    const dm = await login('dm', 'Data-Passw0rd-y');
    const r = await dm.send('GET', '/api/v1/leads/import/sample.csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toContain('sample-messy-gbk.csv');
    expect(r.rawPayload.equals(sampleLeadsCsv())).toBe(true);
    // Every route is in the OpenAPI document under the leads tag.
    const doc = (await dm.send('GET', '/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const paths = Object.keys(doc.paths).filter((k) => k.startsWith('/api/v1/leads/import'));
    expect(paths.sort()).toEqual(['campaigns', 'jobs', 'jobs/{id}', 'jobs/{id}/refused.csv', 'sample.csv', 'sources', 'uploads', 'uploads/{id}', 'uploads/{id}/import', 'uploads/{id}/preview'].map((p) => `/api/v1/leads/import/${p}`));
    expect(doc.paths['/api/v1/leads/import/uploads/{id}/import']!.post!.tags).toEqual(['leads']);
  });

  it('roles, CSRF and bad input', async () => {
    const agent = await login('xiaowang', 'Agent-Passw0rd-z');
    expect((await agent.send('GET', '/api/v1/leads/import/campaigns')).statusCode).toBe(403);
    expect((await agent.send('POST', '/api/v1/leads/import/uploads?fileName=a.csv', sampleLeadsCsv(), 'application/octet-stream')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/leads/import/campaigns' })).statusCode).toBe(401);
    const admin = await login('admin', 'Boss-Passw0rd-x');
    expect((await admin.send('POST', '/api/v1/leads/import/uploads?fileName=a.csv', sampleLeadsCsv(), 'application/octet-stream', false)).statusCode).toBe(403);
    const xls = await admin.send('POST', '/api/v1/leads/import/uploads?fileName=a.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'application/octet-stream');
    expect(xls.statusCode).toBe(422);
    expect(xls.json().message).toMatch(/old Excel \.xls/);
    expect((await admin.send('POST', '/api/v1/leads/import/uploads?fileName=a.csv', { a: 1 })).statusCode).toBe(415);
    const up = (await admin.send('POST', '/api/v1/leads/import/uploads?fileName=a.csv', sampleLeadsCsv(), 'text/csv')).json();
    expect((await admin.send('POST', `/api/v1/leads/import/uploads/${up.id}/import`, { campaignId: 999, source: 'x' })).statusCode).toBe(404);
    expect((await admin.send('POST', `/api/v1/leads/import/uploads/${up.id}/import`, { campaignId: campaign, source: 'x', mode: 'some' })).statusCode).toBe(400);
    expect((await admin.send('DELETE', `/api/v1/leads/import/uploads/${up.id}`)).statusCode).toBe(204);
    expect((await admin.send('POST', `/api/v1/leads/import/uploads/${up.id}/preview`, {})).statusCode).toBe(409);
  });
});
