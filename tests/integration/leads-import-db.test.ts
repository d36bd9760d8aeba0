// Lead import against a real SQLite database file: all-or-nothing leaves nothing behind,
// valid-only imports exactly the valid rows, duplicates against the campaign and do-not-call
// hits are refused with their lines, the source's mapping is remembered, 110,000 rows in < 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { LeadsImportError, LeadsImportService } from '../../firmware-agent/src/leads/import/import-service.js';
import { encodeGbk } from '../../firmware-agent/src/leads/import/encoding.js';
import { messyLeadsCsv, sampleLeadsCsv } from '../../firmware-agent/src/leads/import/sample.js';

let dir: string;
let db: Db;
let svc: LeadsImportService;
let live: LiveFeed;
let audit: AuditLog;
let campaign: number;

const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).pluck().get(...args) as number);
const leadsOf = (c: number) => count('SELECT count(*) FROM leads WHERE campaign_id = ?', c);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-leads-import-'));
  db = openDatabase(dir);
  live = new LiveFeed();
  audit = new AuditLog(db);
  svc = new LeadsImportService({ db, dataDir: dir, audit, live, now: () => new Date('2026-11-23T10:00:00Z') });
  await svc.start();
  campaign = Number(db.prepare("INSERT INTO campaigns (name, status) VALUES ('双十一回访', 'active')").run().lastInsertRowid);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// The sample's 9 valid numbers by line (leads/import/sample.ts).
const SAMPLE_VALID: Record<number, string> = {
  2: '13812345678',
  3: '13912345678',
  4: '13712345678',
  6: '13612345678',
  7: '01087654321',
  8: '075586123456',
  12: '13987654321',
  15: '02162345678',
  20: '057188123456',
};

describe('lead import into a campaign', () => {
  it('all-or-nothing: a refused row leaves nothing imported (no lead, no list), the report lists every refused line', async () => {
    const rep = await svc.importBytes(sampleLeadsCsv(), 'sample.csv', { campaignId: campaign, source: '某数据公司' }, { username: 'dm' });
    expect(rep.status).toBe('refused');
    expect(rep.imported).toBe(0);
    expect(rep.listId).toBeNull();
    expect(rep.refused.map((r) => r.line)).toEqual([9, 10, 11, 14, 16, 17, 18, 19]);
    expect(rep.refused.find((r) => r.line === 17)).toEqual({ line: 17, code: 'duplicate_in_file', reason: 'duplicate_in_file: 13812345678 already on line 2' });
    expect(rep).toMatchObject({ rows: 17, invalid: 6, duplicatesInFile: 2, duplicatesInCampaign: 0, dnc: 0, valid: 9 });
    expect(leadsOf(campaign)).toBe(0);
    expect(count('SELECT count(*) FROM lead_lists')).toBe(0);
    expect(count("SELECT count(*) FROM lead_import_jobs WHERE status = 'refused'")).toBe(1);
    // A refused import teaches no mapping.
    expect(svc.remembered('某数据公司')).toBeNull();
    expect(audit.recent(5).map((a) => a.action)).toContain('leads.import_refused');
  });

  it('valid rows only: exactly the 9 valid rows, with their lines, names and fields; list row with counts and sha256', async () => {
    const bytes = sampleLeadsCsv();
    const rep = await svc.importBytes(bytes, 'sample.csv', { campaignId: campaign, source: '某数据公司', mode: 'valid_only' }, { username: 'dm' });
    expect(rep).toMatchObject({ status: 'imported', imported: 9, rows: 17, invalid: 6, duplicatesInFile: 2 });
    const leads = db.prepare('SELECT source_line, phone, phone_kind, area_code, extension, name, fields_json FROM leads WHERE campaign_id = ? ORDER BY source_line').all(campaign) as Array<Record<string, unknown>>;
    expect(Object.fromEntries(leads.map((l) => [l.source_line, l.phone]))).toEqual(SAMPLE_VALID);
    expect(leads.find((l) => l.source_line === 8)).toMatchObject({ phone_kind: 'landline', area_code: '0755', extension: '123', name: '杨磊' });
    expect(JSON.parse(leads.find((l) => l.source_line === 12)!.fields_json as string)).toMatchObject({ address: '杭州市西湖区\n文三路100号', note: '地址含换行' });
    const list = db.prepare('SELECT * FROM lead_lists').get() as Record<string, unknown>;
    const { createHash } = await import('node:crypto');
    expect(list).toMatchObject({ campaign_id: campaign, source: '某数据公司', file_name: 'sample.csv', encoding: 'gbk', rows_total: 17, rows_imported: 9, rows_invalid: 6, rows_duplicate: 2, rows_dnc: 0, imported_by: 'dm', file_sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('duplicates against the campaign and do-not-call hits (expired entries do not count) are refused', async () => {
    // An earlier list already holds line 2's and line 3's numbers.
    await svc.importBytes(encodeGbk('姓名,电话\r\n老王,13812345678\r\n老李,139 1234 5678\r\n'), 'old.csv', { campaignId: campaign, source: 'old' });
    expect(leadsOf(campaign)).toBe(2);
    db.prepare("INSERT INTO dnc_numbers (phone, reason, expires_at) VALUES ('13712345678', 'refusal', '2027-05-01T00:00:00.000Z')").run();
    db.prepare("INSERT INTO dnc_numbers (phone, reason) VALUES ('01087654321', 'complaint')").run();
    db.prepare("INSERT INTO dnc_numbers (phone, reason, expires_at) VALUES ('13612345678', 'refusal', '2026-11-01 00:00:00')").run(); // expired
    const refused = await svc.importBytes(sampleLeadsCsv(), 'sample.csv', { campaignId: campaign, source: 's' });
    expect(refused.status).toBe('refused');
    expect(refused).toMatchObject({ duplicatesInCampaign: 2, dnc: 2 });
    const byLine = new Map(refused.refused.map((r) => [r.line, r]));
    expect(byLine.get(2)!.code).toBe('duplicate_in_campaign');
    expect(byLine.get(3)!.code).toBe('duplicate_in_campaign');
    expect(byLine.get(4)).toEqual({ line: 4, code: 'do_not_call', reason: 'do_not_call: 13712345678 is on the do-not-call list (refusal, until 2027-05-01)' });
    expect(byLine.get(7)!.reason).toBe('do_not_call: 01087654321 is on the do-not-call list (complaint)');
    expect(byLine.has(6)).toBe(false);
    expect(leadsOf(campaign)).toBe(2);

    const rep = await svc.importBytes(sampleLeadsCsv(), 'sample.csv', { campaignId: campaign, source: 's', mode: 'valid_only' });
    expect(rep.imported).toBe(5); // 9 valid - 2 already in the campaign - 2 on the DNC list
    const phones = db.prepare('SELECT phone FROM leads WHERE list_id = ? ORDER BY source_line').pluck().all(rep.listId) as string[];
    expect(phones).toEqual(['13612345678', '075586123456', '13987654321', '02162345678', '057188123456']);
    expect(db.prepare('SELECT rows_duplicate, rows_dnc FROM lead_lists WHERE id = ?').get(rep.listId)).toEqual({ rows_duplicate: 4, rows_dnc: 2 });
  });

  it('a database error mid-import rolls everything back', async () => {
    // A trigger makes the 5th insert fail: the transaction must leave no lead and no list.
    db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON leads WHEN (SELECT count(*) FROM leads) >= 4 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    await expect(svc.importBytes(sampleLeadsCsv(), 'sample.csv', { campaignId: campaign, source: 's', mode: 'valid_only' })).rejects.toThrow(/nothing was imported: disk on fire/);
    expect(leadsOf(campaign)).toBe(0);
    expect(count('SELECT count(*) FROM lead_lists')).toBe(0);
    expect(db.prepare("SELECT status, error FROM lead_import_jobs").get()).toEqual({ status: 'failed', error: 'disk on fire' });
  });

  it('remembers the mapping per source and reuses it for the next file of that source', async () => {
    const file1 = Buffer.from('Kunde,Nummer,Ort\nA,13800000001,Peking\n');
    await expect(svc.importBytes(file1, 'a.csv', { campaignId: campaign, source: 'vendor-x', mapping: { Kunde: 'name', Nummer: 'field', Ort: 'address' } })).rejects.toThrow(LeadsImportError);
    const r1 = await svc.importBytes(file1, 'a.csv', { campaignId: campaign, source: 'vendor-x', mapping: { Kunde: 'name', Nummer: 'phone', Ort: 'address' } });
    expect(r1.status).toBe('imported');
    expect(svc.remembered('vendor-x')!.mapping).toEqual({ Kunde: 'name', Nummer: 'phone', Ort: 'address' });
    // Next file, same vendor, no mapping given: names and addresses land where they did before.
    const r2 = await svc.importBytes(Buffer.from('Kunde,Nummer,Ort\nB,13800000002,Shanghai\n'), 'b.csv', { campaignId: campaign, source: 'vendor-x' });
    expect(r2.imported).toBe(1);
    expect(db.prepare('SELECT name, fields_json FROM leads WHERE phone = ?').get('13800000002')).toEqual({ name: 'B', fields_json: '{"address":"Shanghai"}' });
  });

  it('refuses ended campaigns and unknown ones', async () => {
    db.prepare("UPDATE campaigns SET status = 'ended' WHERE id = ?").run(campaign);
    await expect(svc.importBytes(sampleLeadsCsv(), 'x.csv', { campaignId: campaign, source: 's' })).rejects.toMatchObject({ code: 'campaign_closed', status: 409 });
    await expect(svc.importBytes(sampleLeadsCsv(), 'x.csv', { campaignId: 999, source: 's' })).rejects.toMatchObject({ code: 'campaign_not_found', status: 404 });
  });

  it('110,000 messy GBK rows import in under 10 s with progress frames', async () => {
    const frames: LiveMessage[] = [];
    live.on('message', (m: LiveMessage) => frames.push(m));
    const file = messyLeadsCsv(110_000);
    const t = performance.now();
    const rep = await svc.importBytes(file.bytes, 'big.csv', { campaignId: campaign, source: 'big', mode: 'valid_only' });
    const ms = performance.now() - t;
    expect(rep.imported).toBe(file.expected.valid);
    expect(leadsOf(campaign)).toBe(file.expected.valid);
    expect(rep.invalid).toBe(file.expected.invalid);
    expect(rep.duplicatesInFile).toBe(file.expected.duplicates);
    expect(ms).toBeLessThan(10_000);
    const progress = frames.filter((f) => f.type === 'leads.import.progress').map((f) => (f as Extract<LiveMessage, { type: 'leads.import.progress' }>).data);
    expect(progress.filter((p) => p.phase === 'checking').length).toBe(11);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 110_000, total: 110_000, jobId: rep.jobId });
  }, 60_000);
});

describe('a 110,000-row Excel workbook', () => {
  it('imports in under 10 s, numbers stored as numbers included', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['客户姓名', '手机', '地址']);
    // Row i+2: every 50th phone is text in scientific notation (invalid), the others numbers.
    let invalid = 0;
    for (let i = 0; i < 110_000; i++) {
      const bad = i % 50 === 0;
      if (bad) invalid++;
      ws.addRow([`客户${i}`, bad ? '1.38E+10' : 13_000_000_000 + i * 7, `广州市天河区${i}号`]);
    }
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const t = performance.now();
    const rep = await svc.importBytes(bytes, 'big.xlsx', { campaignId: campaign, source: 'xlsx-vendor', mode: 'valid_only' });
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(rep).toMatchObject({ status: 'imported', encoding: 'xlsx', rows: 110_000, invalid, imported: 110_000 - invalid, duplicatesInFile: 0 });
    expect(rep.refused[0]).toMatchObject({ line: 2, code: 'scientific_notation' });
    expect(db.prepare('SELECT phone FROM leads WHERE source_line = 3 AND campaign_id = ?').pluck().get(campaign)).toBe('13000000007');
  }, 90_000);
});

describe('uploads and preview', () => {
  it('stores an upload, previews it with campaign conflicts, imports it and deletes the file', async () => {
    const up = await svc.saveUpload('../../客户.csv', sampleLeadsCsv(), { username: 'dm' });
    expect(up).toMatchObject({ fileName: '客户.csv', encoding: 'gbk', status: 'pending', sizeBytes: sampleLeadsCsv().length });
    db.prepare("INSERT INTO dnc_numbers (phone, reason) VALUES ('13712345678', 'manual')").run();
    const p = await svc.preview(up.id, { source: 'v', campaignId: campaign });
    expect(p).toMatchObject({ encoding: 'gbk', headerLine: 1, mappingFrom: 'detected', report: { rows: 17, valid: 9, duplicates: 2 }, campaign: { duplicates: 0, dnc: 1 } });
    expect(p.sample[0]).toEqual({ line: 2, cells: ['张伟', '13812345678', '北京市朝阳区建国路88号', '老客户', '男', '北京华信科技有限公司', '展会'] });
    const rep = await svc.importUpload(up.id, { campaignId: campaign, source: 'v', mode: 'valid_only' }, { username: 'dm' });
    expect(rep.imported).toBe(8);
    expect(svc.upload(up.id).status).toBe('imported');
    await expect(svc.preview(up.id)).rejects.toMatchObject({ code: 'upload_done' });
    expect(svc.refusedCsv(rep.jobId).split('\r\n')[0]).toBe('\ufeffline,code,reason');
    expect(svc.refusedCsv(rep.jobId)).toContain('4,do_not_call,do_not_call: 13712345678 is on the do-not-call list (manual)');
  });

  it('refuses unreadable uploads with the reason', async () => {
    await expect(svc.saveUpload('x.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/old Excel \.xls/) });
    await expect(svc.saveUpload('x.csv', Buffer.alloc(0))).rejects.toMatchObject({ code: 'empty_file' });
  });
});
