// Identity check (issue 8): the agent confirms the caller's name and resident ID against the
// record before sensitive fields show. Checksum (GB 11643-1999), normalisation, which part
// mismatched (never the stored value), lock after maxAttempts per call, every attempt a row
// without the typed values, misses in the audit log, roles — through the real HTTP stack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idCheckChar, idNumberProblem, normaliseName } from '../../firmware-agent/src/desk/identity.js';
import { addAgent, client, readyCampaign, validId, world, type World } from './desk-records-support.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.close();
});

const ID = validId('11010519491231002'); // 11010519491231002X
const ID2 = validId('44030419900307123');

describe('resident ID and name rules', () => {
  it('validates the GB 11643-1999 check digit, X in any case, birth date; 15-digit old IDs as is', () => {
    expect(ID).toBe('11010519491231002X');
    expect(idNumberProblem('11010519491231002X')).toBeNull();
    expect(idNumberProblem('11010519491231002x')).toBeNull();
    expect(idNumberProblem('１１０１０５１９４９１２３１００２Ｘ')).toBeNull(); // full-width
    expect(idNumberProblem('110105 19491231 002X')).toBeNull();
    expect(idNumberProblem('110105194912310021')).toMatch(/check digit/);
    expect(idNumberProblem('110105194913310028')).toMatch(/not a real date/);
    expect(idNumberProblem('11010519491231002')).toMatch(/18 characters/);
    expect(idNumberProblem('1101051949123100X2')).toMatch(/17 digits/);
    expect(idNumberProblem('110105491231002')).toBeNull();
    // Every single-digit typo in the body is caught by the checksum.
    for (let i = 0; i < 17; i++) {
      const d = (Number(ID[i]) + 1) % 10;
      const typo = ID.slice(0, i) + d + ID.slice(i + 1);
      if (!/not a real date/.test(idNumberProblem(typo) ?? '')) expect(idNumberProblem(typo)).toMatch(/check digit/);
    }
    expect(idCheckChar('34052419800101001')).toBe('X');
  });

  it('normalises names: full-width, spaces (also ideographic), middle dots, case', () => {
    expect(normaliseName(' 张 伟 ')).toBe(normaliseName('张伟'));
    expect(normaliseName('张\u3000伟')).toBe('张伟');
    expect(normaliseName('ＺＨＡＮＧ Wei')).toBe('zhangwei');
    expect(normaliseName('买买提•艾力')).toBe(normaliseName('买买提·艾力'));
    expect(normaliseName('张伟')).not.toBe(normaliseName('张玮'));
  });
});

async function setup(settings?: unknown) {
  const mgr = await client(w, 'mgr', ['manager']);
  const lead = await client(w, 'leadA', ['team_lead']);
  const qa = await client(w, 'qa', ['qa']);
  const ag1 = await client(w, 'ag1', ['agent']);
  const ag2 = await client(w, 'ag2', ['agent']);
  const a1 = addAgent(w.e.db, '801', 'A', ag1.user.id);
  const a2 = addAgent(w.e.db, '802', 'A', ag2.user.id);
  const { campaign, leadIds } = readyCampaign(w.e, { leads: 4, agents: [a1, a2], settings });
  // Lead 0 is agent 1's (even split: leads 0,1 → a1).
  const l = leadIds[0]!;
  w.e.db.prepare('UPDATE leads SET name = ?, fields_json = ? WHERE id = ?').run('张伟', JSON.stringify({ company: '华夏商贸', id_number: ID, address: '北京市朝阳区建国路 88 号' }), l);
  return { mgr, lead, qa, ag1, ag2, a1, a2, campaign, l, leadIds };
}

describe('identity check API', () => {
  it('status, hidden fields, mismatch parts without echo, lock after max attempts per call, rows and audit', async () => {
    const s = await setup();
    const st = await s.ag1.call('GET', `/desk/identity?linkedid=1700.1&leadId=${s.l}`);
    expect(st.body).toEqual({ identity: { status: 'unverified', attempts: 0, maxAttempts: 3 }, hiddenFields: ['id_number', 'address'], revealed: null });
    // The other agent's lead / call: refused.
    expect((await s.ag2.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张伟', idNumber: ID })).status).toBe(403);
    expect((await s.qa.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张伟', idNumber: ID })).status).toBe(403);
    // A typo caught by the checksum costs no attempt.
    const typo = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张伟', idNumber: '110105194912310021' });
    expect(typo).toMatchObject({ status: 400, body: { error: 'invalid_id_number', field: 'idNumber' } });
    expect(w.e.db.prepare('SELECT count(*) AS n FROM identity_checks').get()).toEqual({ n: 0 });

    const name = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张玮', idNumber: ID });
    expect(name.body).toEqual({ result: 'mismatch', mismatch: 'name', identity: { status: 'unverified', attempts: 1, maxAttempts: 3 }, revealed: null });
    const id = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张伟', idNumber: ID2 });
    expect(id.body).toMatchObject({ result: 'mismatch', mismatch: 'id', identity: { attempts: 2 } });
    // Never the stored values in any answer.
    for (const r of [name, id]) {
      expect(r.text).not.toContain(ID);
      expect(r.text).not.toContain('张伟');
      expect(r.text).not.toContain('朝阳');
    }
    const both = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '李娜', idNumber: ID2 });
    expect(both.body).toMatchObject({ result: 'failed', mismatch: 'both', identity: { status: 'failed', attempts: 3 } });
    // Locked for this call: even the right answer does not open it.
    const locked = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.1', leadId: s.l, name: '张伟', idNumber: ID });
    expect(locked.body).toMatchObject({ result: 'failed', revealed: null, identity: { status: 'failed' } });
    expect(w.desk.identity.status('1700.1', s.l).status).toBe('failed');

    // Every attempt is a row; the typed values are nowhere in the database.
    expect(w.e.db.prepare('SELECT result, mismatch, agent_id AS agentId, lead_id AS leadId FROM identity_checks ORDER BY id').all()).toEqual([
      { result: 'mismatch', mismatch: 'name', agentId: s.a1, leadId: s.l },
      { result: 'mismatch', mismatch: 'id', agentId: s.a1, leadId: s.l },
      { result: 'mismatch', mismatch: 'both', agentId: s.a1, leadId: s.l },
      { result: 'locked', mismatch: null, agentId: s.a1, leadId: s.l },
    ]);
    const dump = JSON.stringify([w.e.db.prepare('SELECT * FROM identity_checks').all(), w.e.db.prepare('SELECT * FROM audit_log').all()]);
    expect(dump).not.toContain(ID2);
    expect(dump).not.toContain('张玮');
    expect(dump).not.toContain('李娜');
    expect(w.e.db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'identity.%' ORDER BY id`).all()).toEqual([
      { action: 'identity.mismatch' },
      { action: 'identity.mismatch' },
      { action: 'identity.failed' },
      { action: 'identity.locked_attempt' },
    ]);
    // The team lead reads the log.
    const log = await s.lead.call('GET', `/desk/identity/log?leadId=${s.l}`);
    expect(log.body.attempts).toHaveLength(4);
    expect((await s.ag1.call('GET', `/desk/identity/log?leadId=${s.l}`)).status).toBe(403);

    // A new call starts afresh; normalised input (spaces, full-width, lower-case x) verifies.
    const ok = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1700.2', leadId: s.l, name: ' 张 伟', idNumber: '１１０１０５１９４９１２３１００２x' });
    expect(ok.body).toEqual({ result: 'verified', mismatch: null, identity: { status: 'verified', attempts: 1, maxAttempts: 3 }, revealed: { id_number: ID, address: '北京市朝阳区建国路 88 号' } });
    expect((await s.ag1.call('GET', `/desk/identity?linkedid=1700.2&leadId=${s.l}`)).body).toMatchObject({ identity: { status: 'verified' }, hiddenFields: [], revealed: { address: '北京市朝阳区建国路 88 号' } });
    expect(w.e.db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'identity.verified'`).get()).toEqual({ n: 1 });
  });

  it('team lead and manager may check; an agent on the call may check a lead not handed to them; maxAttempts from the campaign', async () => {
    const s = await setup({ identity: { maxAttempts: 1 } });
    const refreshed: number[] = [];
    w.desk.onIdentityChanged = (agentId) => void refreshed.push(agentId);
    const miss = await s.lead.call('POST', '/desk/identity/verify', { linkedid: '9.1', leadId: s.l, name: '王芳', idNumber: ID });
    expect(miss.body).toMatchObject({ result: 'failed', mismatch: 'name', identity: { status: 'failed', attempts: 1, maxAttempts: 1 } });
    expect((await s.mgr.call('POST', '/desk/identity/verify', { linkedid: '9.2', leadId: s.l, name: '张伟', idNumber: ID })).body.result).toBe('verified');
    // Agent 2 had call 9.3 (agent state history): may check even though the lead is agent 1's.
    w.e.db.prepare(`INSERT INTO agent_sessions (agent_id, seat, login_at, login_source) VALUES (?, '8002', '2026-03-02T01:00:00Z', 'ui')`).run(s.a2);
    w.e.db.prepare(`INSERT INTO agent_state_history (agent_id, session_id, seat, state, linkedid, start_at) VALUES (?, last_insert_rowid(), '8002', 'talking', '9.3', '2026-03-02T01:59:00Z')`).run(s.a2);
    expect((await s.ag2.call('POST', '/desk/identity/verify', { linkedid: '9.3', leadId: s.l, name: '张伟', idNumber: ID })).body.result).toBe('verified');
    // The desk core is asked to push agent 2's screen pop again (the leads' checks had no agent on the call).
    expect(refreshed).toEqual([s.a2]);
  });

  it('no sensitive fields → not_required; the gate reads the campaign setting; a record without ID cannot be checked', async () => {
    const s = await setup({ identity: { sensitiveFields: [] } });
    expect(w.desk.identity.sensitiveFields(s.campaign.id)).toEqual([]);
    expect(w.desk.identity.status('1.1', s.l)).toEqual({ status: 'not_required', attempts: 0, maxAttempts: 3 });
    expect(w.desk.identity.status('1.1', null).status).toBe('not_required');
    expect((await s.ag1.call('GET', `/desk/identity?linkedid=1.1&leadId=${s.l}`)).body).toMatchObject({ identity: { status: 'not_required' }, hiddenFields: [] });
    w.e.mod.campaigns.update(s.campaign.id, { settings: { identity: { sensitiveFields: ['address'], idField: 'id_number' } } });
    expect(w.desk.identity.sensitiveFields(s.campaign.id)).toEqual(['address']);
    const other = s.leadIds[1]!; // agent 1's, no id_number field
    const r = await s.ag1.call('POST', '/desk/identity/verify', { linkedid: '1.1', leadId: other, name: '客户1', idNumber: ID });
    expect(r).toMatchObject({ status: 409, body: { error: 'no_reference' } });
  });
});

describe('demo data', () => {
  it('demo leads carry a valid ID number and an address; the demo campaign hides them and the check passes with them', async () => {
    const { seedDemoCampaign } = await import('../../firmware-agent/src/campaigns/demo-seed.js');
    const { seedDemoDialerCampaign } = await import('../../firmware-agent/src/dialer/demo.js');
    const r = seedDemoCampaign(w.e.db, w.e.mod, w.e.clock.date, 60)!;
    const dialerId = seedDemoDialerCampaign(w.e.db, w.e.mod, w.e.clock.date, 40)!;
    for (const cid of [r.campaignId, dialerId]) {
      const leads = w.e.db.prepare('SELECT id, name, fields_json FROM leads WHERE campaign_id = ?').all(cid) as Array<{ id: number; name: string; fields_json: string }>;
      const ids = leads.map((l) => JSON.parse(l.fields_json) as { id_number: string; address: string });
      expect(ids.every((f) => idNumberProblem(f.id_number) === null && /^(北京|上海)市/.test(f.address))).toBe(true);
      expect(new Set(ids.map((f) => f.id_number)).size).toBe(leads.length);
      const c = w.e.mod.campaigns.require(cid);
      expect(c.settings.script).toContain('{{fields.company}}');
      expect(c.settings.registrationForm.fields.length).toBeGreaterThan(0);
      expect(w.desk.identity.sensitiveFields(cid)).toEqual(['id_number', 'address']);
      const lead = leads[3]!;
      const res = w.desk.identity.verify({ linkedid: `demo.${cid}`, leadId: lead.id, agentId: null, userId: null, username: 'demo', name: lead.name, idNumber: ids[3]!.id_number.toLowerCase() });
      expect(res).toMatchObject({ result: 'verified', revealed: { id_number: ids[3]!.id_number, address: ids[3]!.address } });
    }
  });
});
