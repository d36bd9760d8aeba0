// Complaint tickets (投诉, issue 8): created from the desk, assigned to the team lead of the
// agent's team, due by severity (configurable), overdue on a fixed clock, follow-ups with
// status rules and reopen, filters, live frames to leads/managers/creator only, agents see
// only their own, CSV (BOM, formula-safe) and XLSX export opened with exceljs.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, addCall, agentOnCall, client, readyCampaign, world, type World } from './desk-records-support.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.close();
});

async function setup() {
  const mgr = await client(w, 'mgr', ['manager']);
  const leadA = await client(w, 'leadA', ['team_lead']);
  const leadB = await client(w, 'leadB', ['team_lead']);
  const ag1 = await client(w, 'ag1', ['agent']);
  const ag2 = await client(w, 'ag2', ['agent']);
  const ag3 = await client(w, 'ag3', ['agent']);
  const a1 = addAgent(w.e.db, '801', 'A', ag1.user.id);
  const a2 = addAgent(w.e.db, '802', 'A', ag2.user.id);
  addAgent(w.e.db, '803', null, ag3.user.id);
  const { leadIds } = readyCampaign(w.e, { leads: 4, agents: [a1, a2] });
  w.e.db.prepare('INSERT OR REPLACE INTO teams (name, lead_user_id) VALUES (?, ?), (?, ?)').run('A', leadA.user.id, 'B', leadB.user.id);
  addCall(w, '3000.1', { customer: '13955556666' });
  agentOnCall(w, a1, '8001', '3000.1');
  return { mgr, leadA, leadB, ag1, ag2, ag3, a1, a2, leadIds };
}

describe('complaint tickets', () => {
  it('assignment, due by severity, masking, frames to leads/managers/creator, agents see their own', async () => {
    const s = await setup();
    const t0 = w.e.clock.date.getTime();
    // Not my call and not my lead: refused.
    expect((await s.ag2.call('POST', '/tickets', { linkedid: '3000.1', category: 'service', severity: 'normal', description: 'x' })).status).toBe(403);
    w.frames.length = 0;
    const r = await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], linkedid: '3000.1', category: 'billing', severity: 'normal', description: '多扣了 30 元话费', request: '退款' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'open', team: 'A', assigneeUserId: s.leadA.user.id, assignee: 'leadA', agentId: s.a1, callerNumber: '139****6666', customerName: '客**', category: 'billing', request: '退款', overdue: false });
    expect(Date.parse(r.body.dueAt) - t0).toBe(24 * 3600_000);
    expect(w.e.db.prepare('SELECT caller_number, customer_name FROM tickets WHERE id = ?').get(r.body.id)).toEqual({ caller_number: '13955556666', customer_name: '客户0' });
    const urgent = await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], category: 'agent_conduct', severity: 'urgent', description: '投诉上一位坐席态度差' });
    expect(Date.parse(urgent.body.dueAt) - t0).toBe(4 * 3600_000);
    // An agent without a team: unassigned, for the managers.
    const loose = await s.ag3.call('POST', '/tickets', { category: 'other', severity: 'normal', description: '来信投诉' });
    expect(loose.body).toMatchObject({ team: null, assigneeUserId: null });

    expect(w.framesFor(s.leadB.user, 'ticket.updated')).toHaveLength(3);
    expect(w.framesFor(s.mgr.user, 'ticket.updated')).toHaveLength(3);
    expect(w.framesFor(s.ag1.user, 'ticket.updated').map((m) => (m as { data: { id: number } }).data.id)).toEqual([r.body.id, urgent.body.id]);
    expect(w.framesFor(s.ag2.user, 'ticket.updated')).toEqual([]);

    expect((await s.ag2.call('GET', '/tickets')).body).toMatchObject({ total: 0, tickets: [] });
    expect((await s.ag1.call('GET', '/tickets')).body.total).toBe(2);
    expect((await s.ag2.call('GET', `/tickets/${r.body.id}`)).status).toBe(403);
    // Team B's lead sees neither A's tickets nor the unassigned one; team A's lead sees A's; the manager all.
    expect((await s.leadB.call('GET', '/tickets')).body.total).toBe(0);
    expect((await s.leadB.call('GET', `/tickets/${r.body.id}`)).status).toBe(403);
    expect((await s.leadA.call('GET', '/tickets')).body.total).toBe(2);
    expect((await s.mgr.call('GET', '/tickets')).body.total).toBe(3);
    expect((await s.mgr.call('GET', '/tickets?team=A')).body.total).toBe(2);
    // The lead who follows up sees the full number (audited); the agent the masked one.
    const detail = await s.leadA.call('GET', `/tickets/${r.body.id}`);
    expect(detail.body).toMatchObject({ ticket: { callerNumber: '13955556666' }, followUps: [], canFollowUp: true });
    expect((await s.ag1.call('GET', `/tickets/${r.body.id}`)).body).toMatchObject({ ticket: { callerNumber: '139****6666' }, canFollowUp: false });
    expect(w.e.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'ticket.viewed_full'`).get()).toEqual({ n: 1 });
    expect(w.e.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'ticket.created'`).get()).toEqual({ n: 3 });
  });

  it('follow-ups by the team lead: status rules, reopen, overdue on a fixed clock, filters, settings', async () => {
    const s = await setup();
    const a = (await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], category: 'service', severity: 'normal', description: '快递一直没到' })).body;
    const b = (await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], category: 'product', severity: 'urgent', description: '商品有破损' })).body;
    expect((await s.ag1.call('POST', `/tickets/${a.id}/follow-ups`, { note: 'x', contactMade: false })).status).toBe(403);
    expect(await s.leadB.call('POST', `/tickets/${a.id}/follow-ups`, { note: 'x', contactMade: false })).toMatchObject({ status: 403, body: { error: 'not_your_team' } });
    expect(await s.leadA.call('POST', `/tickets/${a.id}/follow-ups`, { note: '直接关闭', contactMade: false, status: 'closed' })).toMatchObject({ status: 409, body: { error: 'invalid_status', field: 'status' } });

    w.e.clock.advanceMin(60);
    const f1 = await s.leadA.call('POST', `/tickets/${a.id}/follow-ups`, { note: '已致电客户，联系快递', contactMade: true, status: 'in_progress' });
    expect(f1.body.ticket).toMatchObject({ status: 'in_progress' });
    expect(f1.body.followUps).toEqual([{ id: expect.any(Number), at: w.e.clock.date.toISOString(), username: 'leadA', note: '已致电客户，联系快递', contactMade: true, fromStatus: 'open', toStatus: 'in_progress' }]);

    // 5 h later the urgent one (4 h) is overdue, the normal one (24 h) not; overdue first.
    w.e.clock.advanceMin(4 * 60);
    const list = (await s.leadA.call('GET', '/tickets')).body.tickets;
    expect(list.map((t: { id: number; overdue: boolean }) => [t.id, t.overdue])).toEqual([
      [b.id, true],
      [a.id, false],
    ]);
    expect((await s.leadA.call('GET', '/tickets?overdue=true')).body.tickets.map((t: { id: number }) => t.id)).toEqual([b.id]);
    expect((await s.leadA.call('GET', '/tickets?status=in_progress')).body.tickets.map((t: { id: number }) => t.id)).toEqual([a.id]);
    expect((await s.leadA.call('GET', '/tickets?mine=true')).body.total).toBe(2);
    expect((await s.mgr.call('GET', '/tickets?mine=true')).body.total).toBe(0);

    // Resolved → closed; a closed ticket takes no follow-up until reopened; reopen sets a new due time.
    await s.leadA.call('POST', `/tickets/${b.id}/follow-ups`, { note: '补发新品', contactMade: true, status: 'resolved' });
    expect((await s.mgr.call('GET', `/tickets/${b.id}`)).body.ticket).toMatchObject({ status: 'resolved', overdue: false, resolvedAt: w.e.clock.date.toISOString() });
    await s.mgr.call('POST', `/tickets/${b.id}/follow-ups`, { note: '客户确认收到', contactMade: true, status: 'closed' });
    expect(await s.leadA.call('POST', `/tickets/${b.id}/follow-ups`, { note: '再记一笔', contactMade: false })).toMatchObject({ status: 409, body: { error: 'closed' } });
    w.e.clock.advanceMin(30);
    const re = await s.leadA.call('POST', `/tickets/${b.id}/follow-ups`, { note: '客户反馈新品仍有问题，重新处理', contactMade: true, status: 'open' });
    expect(re.body.ticket).toMatchObject({ status: 'open', closedAt: null, resolvedAt: null, overdue: false });
    expect(Date.parse(re.body.ticket.dueAt) - w.e.clock.t).toBe(4 * 3600_000);
    expect(re.body.followUps.map((f: { fromStatus: string; toStatus: string }) => `${f.fromStatus}>${f.toStatus}`)).toEqual(['open>resolved', 'resolved>closed', 'closed>open']);

    // Due times are a setting (manager).
    expect((await s.leadA.call('PUT', '/ticket-settings', { dueHoursNormal: 48, dueHoursUrgent: 2 })).status).toBe(403);
    expect((await s.mgr.call('PUT', '/ticket-settings', { dueHoursNormal: 48, dueHoursUrgent: 0 })).status).toBe(400);
    expect((await s.mgr.call('PUT', '/ticket-settings', { dueHoursNormal: 48, dueHoursUrgent: 2 })).body).toEqual({ dueHoursNormal: 48, dueHoursUrgent: 2 });
    const c = (await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], category: 'service', severity: 'urgent', description: '又一单' })).body;
    expect(Date.parse(c.dueAt) - w.e.clock.t).toBe(2 * 3600_000);
    expect(w.e.db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'ticket%' AND action <> 'ticket.created' ORDER BY id`).all()).toEqual([
      { action: 'ticket.status_changed' },
      { action: 'ticket.status_changed' },
      { action: 'ticket.status_changed' },
      { action: 'ticket.status_changed' },
      { action: 'tickets.settings_changed' },
    ]);
  });

  it('exports CSV (BOM, formula-injection safe) and XLSX (opened with exceljs); agents cannot see others in exports', async () => {
    const s = await setup();
    await s.ag1.call('POST', '/tickets', { leadId: s.leadIds[0], linkedid: '3000.1', category: 'billing', severity: 'normal', description: '=HYPERLINK("http://x","点我")', request: '+退款, "全额"' });
    await s.ag3.call('POST', '/tickets', { category: 'other', severity: 'urgent', description: '第二单' });
    const csv = await s.mgr.call('GET', '/tickets?format=csv');
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/text\/csv/);
    expect(csv.raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('id,created,created by,agent,team,caller,customer,category,severity,status,assignee,due,overdue,description,request,resolved,closed');
    expect(lines).toHaveLength(3);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csv.text).toContain(`"'+退款, ""全额"""`);
    expect(csv.text).toContain('13955556666');
    const xlsx = await s.leadA.call('GET', '/tickets?format=xlsx');
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('tickets')!;
    expect(ws.getRow(1).getCell(1).value).toBe('id');
    // The team lead's export: team A's ticket only, number masked for team leads in lists.
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(6).value).toBe('139****6666');
    expect(ws.getRow(2).getCell(8).value).toBe('billing');
    const agentCsv = await s.ag3.call('GET', '/tickets?format=csv');
    expect(agentCsv.text.trim().split('\r\n')).toHaveLength(2);
    expect(w.e.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'tickets.exported'`).get()).toEqual({ n: 3 });
    // The routes are described in the OpenAPI document (tag desk-records).
    const doc = (await w.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/tickets', '/api/v1/tickets/{id}/follow-ups', '/api/v1/desk/threats', '/api/v1/desk/identity/verify', '/api/v1/registrations']) expect(doc.paths).toHaveProperty([p]);
  });
});
