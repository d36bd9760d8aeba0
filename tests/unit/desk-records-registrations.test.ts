// Registrations / order entry (注册, issue 8) and the desk settings: the campaign's form
// (defaults, old documents, errors by path), every field rule of the server-side validation
// with its `values.<key>` path, roles, export; and a campaign's destruction clearing the desk
// records' personal data (registrations, tickets, threat numbers) while counts stay.
import ExcelJS from 'exceljs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CampaignSettingsError, defaultSettings, validateSettings } from '../../firmware-agent/src/campaigns/settings.js';
import { validateValues } from '../../firmware-agent/src/desk/registrations.js';
import { addAgent, addCall, agentOnCall, client, readyCampaign, validId, world, type World } from './desk-records-support.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.close();
});

const issues = (doc: unknown) => {
  try {
    validateSettings(doc);
    return [];
  } catch (e) {
    if (e instanceof CampaignSettingsError) return e.issues;
    throw e;
  }
};

const FORM = {
  fields: [
    { key: 'plan', labelZh: '套餐', labelEn: 'Plan', type: 'select', required: true, options: [{ value: 'a', labelZh: '甲', labelEn: 'A' }, { value: 'b', labelZh: '乙', labelEn: 'B' }] },
    { key: 'qty', labelZh: '数量', labelEn: 'Qty', type: 'number', required: true, min: 1, max: 10 },
    { key: 'phone', labelZh: '电话', labelEn: 'Phone', type: 'phone', required: true },
    { key: 'id_no', labelZh: '身份证', labelEn: 'ID', type: 'id_number' },
    { key: 'birthday', labelZh: '生日', labelEn: 'Birthday', type: 'date' },
    { key: 'nick', labelZh: '称呼', labelEn: 'Nickname', type: 'text', maxLength: 4 },
    { key: 'memo', labelZh: '备注', labelEn: 'Memo', type: 'textarea' },
    { key: 'consent', labelZh: '同意条款', labelEn: 'Consent', type: 'checkbox', required: true },
  ],
};

describe('desk settings in the campaign document', () => {
  it('defaults (identity, order form, targets); old documents validate; form errors name the path', () => {
    const d = defaultSettings();
    expect(d.identity).toEqual({ sensitiveFields: ['id_number', 'address'], idField: 'id_number', maxAttempts: 3 });
    expect(d.registrationForm.fields.map((f) => [f.key, f.type, f.required])).toEqual([
      ['product', 'select', true],
      ['quantity', 'number', true],
      ['delivery_address', 'textarea', true],
      ['contact_phone', 'phone', true],
      ['note', 'textarea', false],
    ]);
    expect(d.targets).toEqual({ callsPerDay: null, contactsPerDay: null, salesPerDay: null, talkMinutesPerDay: null });
    // A document saved before these settings existed.
    const { identity: _i, registrationForm: _r, targets: _t, ...old } = d;
    w.e.db.prepare("INSERT INTO campaigns (name, status, dial_mode, settings_json) VALUES ('Old', 'draft', 'preview', ?)").run(JSON.stringify(old));
    const c = w.e.mod.campaigns.require((w.e.db.prepare("SELECT id FROM campaigns WHERE name = 'Old'").get() as { id: number }).id);
    expect(c.settings.identity.maxAttempts).toBe(3);
    expect(c.settings.registrationForm.fields).toHaveLength(5);
    // Partial targets; a field without `required` gets false.
    const s = validateSettings({ targets: { callsPerDay: 120 }, registrationForm: { fields: [{ key: 'x', labelZh: '甲', labelEn: 'X', type: 'text' }] } });
    expect(s.targets).toEqual({ callsPerDay: 120, contactsPerDay: null, salesPerDay: null, talkMinutesPerDay: null });
    expect(s.registrationForm.fields[0]!.required).toBe(false);

    expect(issues({ registrationForm: { fields: [{ key: 'Bad Key', labelZh: '甲', labelEn: 'X', type: 'text' }] } })[0]!.path).toBe('settings.registrationForm.fields.0.key');
    expect(issues({ registrationForm: { fields: [{ key: 'x', labelZh: '甲', labelEn: 'X', type: 'colour' }] } })[0]!.path).toBe('settings.registrationForm.fields.0.type');
    expect(issues({ targets: { talkMinutesPerDay: -1 } })[0]!.path).toBe('settings.targets.talkMinutesPerDay');
    expect(issues({ identity: { maxAttempts: 0 } })[0]!.path).toBe('settings.identity.maxAttempts');
    expect(
      issues({
        registrationForm: {
          fields: [
            { key: 'x', labelZh: '甲', labelEn: 'X', type: 'select' },
            { key: 'x', labelZh: '乙', labelEn: 'Y', type: 'number', min: 5, max: 1 },
            { key: 'z', labelZh: '丙', labelEn: 'Z', type: 'text', options: [{ value: 'a', labelZh: 'a', labelEn: 'a' }] },
          ],
        },
      }),
    ).toEqual([
      { path: 'settings.registrationForm.fields.0.options', message: 'a select field needs at least one option' },
      { path: 'settings.registrationForm.fields.1.key', message: 'duplicate field key "x"' },
      { path: 'settings.registrationForm.fields.1.min', message: 'min (5) is greater than max (1)' },
      { path: 'settings.registrationForm.fields.2.options', message: 'only select fields have options (this one is text)' },
    ]);
  });
});

describe('registration values', () => {
  const fields = validateSettings({ registrationForm: FORM }).registrationForm.fields;
  const ok = { plan: 'a', qty: '2', phone: '+86 139-1234-5678', consent: true };
  it('each field rule, with its path', () => {
    const check = (values: Record<string, unknown>) => validateValues(fields, values).issues;
    expect(validateValues(fields, { ...ok, id_no: '11010519491231002x', birthday: '1990-02-28', nick: '小王', memo: '  晚上联系 ' })).toEqual({
      values: { plan: 'a', qty: 2, phone: '13912345678', id_no: '11010519491231002X', birthday: '1990-02-28', nick: '小王', memo: '晚上联系', consent: true },
      issues: [],
    });
    expect(check({})).toEqual([
      { path: 'values.plan', message: 'required' },
      { path: 'values.qty', message: 'required' },
      { path: 'values.phone', message: 'required' },
      { path: 'values.consent', message: 'must be ticked' },
    ]);
    expect(check({ ...ok, plan: 'c' })).toEqual([{ path: 'values.plan', message: '"c" is not one of: a, b' }]);
    expect(check({ ...ok, qty: 0 })).toEqual([{ path: 'values.qty', message: 'at least 1' }]);
    expect(check({ ...ok, qty: 11 })).toEqual([{ path: 'values.qty', message: 'at most 10' }]);
    expect(check({ ...ok, qty: 'two' })).toEqual([{ path: 'values.qty', message: 'must be a number' }]);
    expect(check({ ...ok, qty: '３' })).toEqual([]);
    expect(check({ ...ok, phone: '1391234567' })[0]).toMatchObject({ path: 'values.phone', message: expect.stringMatching(/10 digits/) });
    expect(check({ ...ok, id_no: '110105194912310021' })).toEqual([{ path: 'values.id_no', message: expect.stringMatching(/check digit/) }]);
    expect(check({ ...ok, birthday: '1990-02-30' })).toEqual([{ path: 'values.birthday', message: 'must be a date YYYY-MM-DD' }]);
    expect(check({ ...ok, nick: '王老先生好' })).toEqual([{ path: 'values.nick', message: 'at most 4 characters (5 given)' }]);
    expect(check({ ...ok, memo: 'x'.repeat(2001) })[0]!.path).toBe('values.memo');
    expect(check({ ...ok, consent: 'yes' })).toEqual([{ path: 'values.consent', message: 'must be true or false' }]);
    expect(check({ ...ok, consent: false })).toEqual([{ path: 'values.consent', message: 'must be ticked' }]);
    expect(check({ ...ok, colour: 'red' })).toEqual([{ path: 'values.colour', message: 'unknown field "colour" (not in this campaign\'s form)' }]);
  });
});

async function setup() {
  const mgr = await client(w, 'mgr', ['manager']);
  const leadA = await client(w, 'leadA', ['team_lead']);
  const ag1 = await client(w, 'ag1', ['agent']);
  const ag2 = await client(w, 'ag2', ['agent']);
  const a1 = addAgent(w.e.db, '801', 'A', ag1.user.id);
  const a2 = addAgent(w.e.db, '802', 'A', ag2.user.id);
  const { campaign, leadIds } = readyCampaign(w.e, { name: '春季', leads: 4, agents: [a1, a2], settings: { registrationForm: FORM } });
  w.e.db.prepare('INSERT OR REPLACE INTO teams (name, lead_user_id) VALUES (?, ?)').run('A', leadA.user.id);
  return { mgr, leadA, ag1, ag2, a1, a2, campaign, leadIds };
}

describe('registrations API', () => {
  it('form, errors by path, save, own reads, team lead list and export', async () => {
    const s = await setup();
    expect((await s.ag1.call('GET', `/campaigns/${s.campaign.id}/registration-form`)).body.fields.map((f: { key: string }) => f.key)).toEqual(FORM.fields.map((f) => f.key));
    const bad = await s.ag1.call('POST', '/registrations', { campaignId: s.campaign.id, leadId: s.leadIds[0], values: { plan: 'z', qty: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_registration', field: 'values.plan' });
    expect(bad.body.issues).toEqual([
      { path: 'values.plan', message: '"z" is not one of: a, b' },
      { path: 'values.qty', message: 'at least 1' },
      { path: 'values.phone', message: 'required' },
      { path: 'values.consent', message: 'must be ticked' },
    ]);
    expect(w.e.db.prepare('SELECT count(*) AS n FROM registrations').get()).toEqual({ n: 0 });
    // Agent 2 may not register on agent 1's lead.
    expect((await s.ag2.call('POST', '/registrations', { campaignId: s.campaign.id, leadId: s.leadIds[0], values: { plan: 'a', qty: 1, phone: '13912345678', consent: true } })).status).toBe(403);
    const saved = await s.ag1.call('POST', '/registrations', { campaignId: s.campaign.id, leadId: s.leadIds[0], linkedid: '5000.1', values: { plan: 'b', qty: '3', phone: '０１０-８８８８ ６６６６', consent: true, memo: '=1+1' } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ campaignId: s.campaign.id, leadId: s.leadIds[0], linkedid: '5000.1', agentId: s.a1, username: 'ag1', values: { plan: 'b', qty: 3, phone: '01088886666', consent: true, memo: '=1+1' } });
    expect((await s.ag1.call('GET', `/registrations/${saved.body.id}`)).status).toBe(200);
    expect((await s.ag2.call('GET', `/registrations/${saved.body.id}`)).status).toBe(403);
    expect((await s.ag2.call('GET', '/registrations')).body.total).toBe(0);
    expect((await s.ag1.call('GET', '/registrations')).body.total).toBe(1);
    expect((await s.ag1.call('GET', `/registrations?campaignId=${s.campaign.id}&format=csv`)).status).toBe(403);
    expect((await s.leadA.call('GET', `/registrations?campaignId=${s.campaign.id}&from=2026-03-02&to=2026-03-02`)).body.total).toBe(1);
    expect((await s.leadA.call('GET', `/registrations?campaignId=${s.campaign.id}&from=2026-03-03`)).body.total).toBe(0);
    const csv = await s.mgr.call('GET', `/registrations?campaignId=${s.campaign.id}&format=csv`);
    expect(csv.raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [head, row] = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(head).toBe('id,time,campaign,agent,user,lead,call,套餐 / Plan,数量 / Qty,电话 / Phone,身份证 / ID,生日 / Birthday,称呼 / Nickname,备注 / Memo,同意条款 / Consent');
    expect(row).toContain("'=1+1");
    expect(row).toContain('01088886666');
    const xlsx = await s.leadA.call('GET', `/registrations?campaignId=${s.campaign.id}&format=xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('registrations')!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(9).value).toBe(3);
    // Audit: ids only, never the values.
    const audit = w.e.db.prepare(`SELECT action, detail FROM audit_log WHERE action LIKE 'registration%' ORDER BY id`).all() as Array<{ action: string; detail: string }>;
    expect(audit.map((a) => a.action)).toEqual(['registration.created', 'registrations.exported', 'registrations.exported']);
    expect(audit[0]!.detail).not.toContain('01088886666');
  });
});

describe('destruction', () => {
  it("clears the desk records' personal data of the campaign; counts stay; the file holds no number", async () => {
    const s = await setup();
    const lead = w.e.db.prepare('SELECT id, phone FROM leads WHERE id = ?').get(s.leadIds[0]) as { id: number; phone: string };
    w.e.db.prepare('UPDATE leads SET fields_json = ? WHERE id = ?').run(JSON.stringify({ id_number: validId('11010519491231002'), address: '北京' }), lead.id);
    addCall(w, '6000.1', { customer: lead.phone });
    agentOnCall(w, s.a1, '8001', '6000.1');
    await s.ag1.call('POST', '/registrations', { campaignId: s.campaign.id, leadId: lead.id, linkedid: '6000.1', values: { plan: 'a', qty: 1, phone: lead.phone, consent: true, memo: '送货前电话联系王先生' } });
    const t = (await s.ag1.call('POST', '/tickets', { leadId: lead.id, linkedid: '6000.1', category: 'service', severity: 'normal', description: '王先生投诉送货慢', request: '尽快送达' })).body;
    await s.leadA.call('POST', `/tickets/${t.id}/follow-ups`, { note: '已联系王先生', contactMade: true, status: 'in_progress' });
    await s.ag1.call('POST', '/desk/threats', { notes: '威胁' });
    await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '6000.1', leadId: lead.id, name: '客户0', idNumber: validId('11010519491231002') });
    // A ticket of another campaign stays untouched.
    const other = readyCampaign(w.e, { name: '其他', leads: 1, agents: [s.a1] });
    const keep = (await s.ag1.call('POST', '/tickets', { leadId: other.leadIds[0], category: 'other', severity: 'normal', description: '别的活动' })).body;

    expect(w.e.db.prepare('SELECT customer_phone FROM registrations').get()).toEqual({ customer_phone: lead.phone });
    w.e.mod.campaigns.setStatus(s.campaign.id, 'ended', w.e.clock.date);
    const r = w.e.mod.custody.destroy(s.campaign.id, '春季', { userId: s.mgr.user.id, username: 'mgr' }, w.e.clock.date);
    expect(r.verified).toBe(true);
    expect(w.e.db.prepare('SELECT values_json, customer_phone, destroyed_at IS NOT NULL AS d FROM registrations').all()).toEqual([{ values_json: '{}', customer_phone: null, d: 1 }]);
    expect(w.e.db.prepare('SELECT caller_number, customer_name, description, request, status, category FROM tickets WHERE id = ?').get(t.id)).toEqual({ caller_number: null, customer_name: null, description: '[destroyed]', request: null, status: 'in_progress', category: 'service' });
    expect(w.e.db.prepare('SELECT note FROM ticket_followups').all()).toEqual([{ note: '[destroyed]' }]);
    expect(w.e.db.prepare('SELECT caller_number FROM desk_threats').get()).toEqual({ caller_number: '***' });
    expect(w.e.db.prepare('SELECT description FROM tickets WHERE id = ?').get(keep.id)).toEqual({ description: '别的活动' });
    expect(w.e.db.prepare('SELECT count(*) AS n FROM identity_checks').get()).toEqual({ n: 1 });
    // Rows (counts) stay; the API reports them as destroyed.
    expect((await s.mgr.call('GET', `/tickets/${t.id}`)).body.ticket).toMatchObject({ destroyed: true, callerNumber: null });
    expect(await s.leadA.call('POST', `/tickets/${t.id}/follow-ups`, { note: 'x', contactMade: false })).toMatchObject({ status: 409, body: { error: 'destroyed' } });
    const raw = ['seatbox.db', 'seatbox.db-wal'].map((f) => join(w.e.dir, f)).filter(existsSync).map((f) => readFileSync(f).toString('utf8')).join('');
    expect(raw).not.toContain('王先生');
    expect(raw).not.toContain(lead.phone);
  });
});
