// Threat calls (issue 8): one button marks the call; seat and caller number come from the
// server's state; the call's recordings become evidence (also one that starts after the button,
// through the real recording module); the duty lead, team leads and managers are alerted
// (desk.threat + critical alarm) and other agents are not; ack, notes, audit.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmiMessage, type AmiClient } from '../../firmware-agent/src/ami/types.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { RecordingModule } from '../../firmware-agent/src/recording/recording-module.js';
import { RecordingStore } from '../../firmware-agent/src/recording/recording-store.js';
import { addAgent, addCall, agentOnCall, client, world, type World } from './desk-records-support.js';

let w: World;
afterEach(async () => {
  await w.close();
});

async function people() {
  const mgr = await client(w, 'mgr', ['manager']);
  const leadA = await client(w, 'leadA', ['team_lead']);
  const leadB = await client(w, 'leadB', ['team_lead']);
  const ag1 = await client(w, 'ag1', ['agent']);
  const ag2 = await client(w, 'ag2', ['agent']);
  const a1 = addAgent(w.e.db, '801', 'A', ag1.user.id);
  const a2 = addAgent(w.e.db, '802', 'A', ag2.user.id);
  w.e.db.prepare('INSERT INTO teams (name, lead_user_id) VALUES (?, ?), (?, ?)').run('A', leadA.user.id, 'B', leadB.user.id);
  return { mgr, leadA, leadB, ag1, ag2, a1, a2 };
}

describe('threat calls', () => {
  beforeEach(async () => {
    w = await world();
  });

  it('captures seat, caller, recording from server state; evidence; alerts to the duty lead and managers only; ack and notes', async () => {
    const p = await people();
    addCall(w, '1800.1', { customer: '13912345678' });
    agentOnCall(w, p.a1, '8001', '1800.1');
    const rec = new RecordingStore(w.e.db).begin({ linkedid: '1800.1', uniqueid: '1800.1', channel: 'PJSIP/8001-00000001', seat: '8001', path: '2026/03/02/1800.1-1800.1.wav' });
    // Another agent's call: refused (the client cannot pick someone else's linkedid).
    addCall(w, '1800.9', { customer: '13700000000' });
    agentOnCall(w, p.a2, '8002', '1800.9');
    expect((await p.ag1.call('POST', '/desk/threats', { linkedid: '1800.9', notes: 'x' })).status).toBe(403);
    expect((await p.leadA.call('POST', '/desk/threats', { notes: 'x' })).status).toBe(403);
    w.frames.length = 0;

    const r = await p.ag1.call('POST', '/desk/threats', { notes: '来电人威胁要到公司闹事' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ seat: '8001', agentId: p.a1, agentName: 'Agent 801', linkedid: '1800.1', notes: '来电人威胁要到公司闹事', recordingId: rec.id, acknowledgedAt: null, callerNumber: '139****5678' });
    const row = w.e.db.prepare('SELECT seat, caller_number, linkedid, team, at FROM desk_threats').get();
    expect(row).toEqual({ seat: '8001', caller_number: '13912345678', linkedid: '1800.1', team: 'A', at: w.e.clock.date.toISOString() });
    expect(new RecordingStore(w.e.db).byId(rec.id)).toMatchObject({ evidence: 1, evidence_reason: 'threat call', evidence_by: 'ag1' });

    // Frames: the duty lead (masked number), managers (full), no agent, not even the reporter.
    const leadFrames = w.framesFor(p.leadA.user, 'desk.threat');
    expect(leadFrames).toHaveLength(1);
    expect(leadFrames[0]).toMatchObject({ data: { id: r.body.id, seat: '8001', callerNumber: '139****5678' } });
    const mgrFrames = w.framesFor(p.mgr.user, 'desk.threat');
    expect(mgrFrames).toHaveLength(1);
    expect(mgrFrames[0]).toMatchObject({ data: { callerNumber: '13912345678' } });
    expect(w.framesFor(p.ag2.user)).toEqual([]);
    expect(w.framesFor(p.ag1.user)).toEqual([]);
    expect(w.framesFor(p.leadA.user, 'alarm')).toEqual([{ type: 'alarm', data: expect.objectContaining({ source: 'desk.threat', severity: 'critical', message: expect.stringContaining('8001') }) }]);
    expect(w.framesFor(p.mgr.user, 'alarm')[0]).toMatchObject({ data: { message: expect.stringContaining('13912345678') } });
    // The duty lead is addressed by user id, not only by role.
    expect(w.frames.some((f) => f.msg.type === 'desk.threat' && f.audience?.userIds?.includes(p.leadA.user.id))).toBe(true);

    // Lists: leads see all, agents their own.
    expect((await p.leadB.call('GET', '/threats')).body.threats).toHaveLength(1);
    expect((await p.ag1.call('GET', '/threats')).body.threats).toHaveLength(1);
    expect((await p.ag2.call('GET', '/threats')).body.threats).toHaveLength(0);
    expect((await p.mgr.call('GET', '/threats?unacknowledged=true')).body.threats[0]).toMatchObject({ callerNumber: '13912345678', team: 'A', reportedBy: 'ag1' });

    // Notes: the reporter and leads; ack by a lead only.
    expect((await p.ag1.call('POST', `/threats/${r.body.id}/notes`, { note: '客户报出了公司地址' })).body.notes).toHaveLength(1);
    expect((await p.ag2.call('POST', `/threats/${r.body.id}/notes`, { note: 'x' })).status).toBe(403);
    expect((await p.ag1.call('POST', `/threats/${r.body.id}/ack`)).status).toBe(403);
    w.frames.length = 0;
    const ack = await p.leadA.call('POST', `/threats/${r.body.id}/ack`);
    expect(ack.body).toMatchObject({ acknowledgedBy: 'leadA', acknowledgedAt: expect.any(String) });
    expect(w.framesFor(p.leadB.user, 'desk.threat')[0]).toMatchObject({ data: { acknowledgedBy: 'leadA' } });
    expect((await p.mgr.call('GET', '/threats?unacknowledged=true')).body.threats).toHaveLength(0);
    expect(w.e.db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'threat.%' OR action LIKE 'recording.%' ORDER BY id`).all()).toEqual([
      { action: 'recording.evidence_set' },
      { action: 'threat.reported' },
      { action: 'threat.note_added' },
      { action: 'threat.acknowledged' },
    ]);
  });

  it('inbound call: the caller number is the calling number; no call → clear error', async () => {
    const p = await people();
    expect(await p.ag1.call('POST', '/desk/threats', { notes: '' })).toMatchObject({ status: 409, body: { error: 'no_call' } });
    addCall(w, '1900.1', { direction: 'inbound', customer: '02188886666' });
    agentOnCall(w, p.a1, '8001', '1900.1');
    const r = await p.ag1.call('POST', '/desk/threats', { linkedid: '1900.1', notes: '' });
    expect(r.body).toMatchObject({ seat: '8001', recordingId: null });
    expect(w.e.db.prepare('SELECT caller_number FROM desk_threats').get()).toEqual({ caller_number: '02188886666' });
  });
});

class HandAmi extends EventEmitter {
  connected = false;
  async action() {
    return new AmiMessage([['Response', 'Success']]);
  }
  async listAction() {
    return { response: new AmiMessage([['Response', 'Success']]), events: [] };
  }
}

describe('threat call whose recording starts after the button', () => {
  let dir: string;
  let rec: RecordingModule;
  const ami = new HandAmi();
  beforeEach(async () => {
    // The engine stand-in says where the agent is (as AgentsModule.engine.ofAgent does).
    const where = new Map<number, { seat: string; linkedid: string | null }>();
    w = await world({ agents: { engine: { ofAgent: (id: number) => where.get(id) } } });
    dir = mkdtempSync(join(tmpdir(), 'seatbox-desk-rec-'));
    rec = new RecordingModule({ db: w.e.db, ami: ami as unknown as AmiClient, live: w.e.live, audit: w.e.audit, settings: w.settings, logger: silentLogger(), root: join(dir, 'monitor'), rootDir: '/nonexistent', disk: () => ({ totalBytes: 1e12, freeBytes: 5e11 }), diskPollMs: 0, settleMs: 300 });
    await rec.start();
    (w as unknown as { where: typeof where }).where = where;
  });
  afterEach(async () => {
    await rec.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the recording module’s new row of that call is kept as evidence at once', async () => {
    const p = await people();
    const where = (w as unknown as { where: Map<number, { seat: string; linkedid: string | null }> }).where;
    where.set(p.a1, { seat: '8003', linkedid: '2000.5' });
    addCall(w, '2000.5', { customer: '13811112222' });
    const r = await p.ag1.call('POST', '/desk/threats', { notes: '刚接通就威胁' });
    expect(r.body).toMatchObject({ seat: '8003', linkedid: '2000.5', recordingId: null });
    expect(w.e.db.prepare('SELECT count(*) AS n FROM recordings').get()).toEqual({ n: 0 });
    // MixMonitor starts now: the dialplan's UserEvent reaches the recording module.
    const ev = (f: Record<string, string>) => new AmiMessage(Object.entries(f));
    ami.emit('event', ev({ Event: 'UserEvent', UserEvent: 'SeatBoxRecording', Phase: 'start', File: '2026/03/02/2000.5-2000.6.wav', Seat: '8003', Uniqueid: '2000.6', Linkedid: '2000.5', Channel: 'PJSIP/8003-0001' }));
    // An unrelated recording stays as it is.
    ami.emit('event', ev({ Event: 'UserEvent', UserEvent: 'SeatBoxRecording', Phase: 'start', File: '2026/03/02/2100.1-2100.1.wav', Seat: '8004', Uniqueid: '2100.1', Linkedid: '2100.1', Channel: 'PJSIP/8004-0001' }));
    expect(w.e.db.prepare('SELECT linkedid, evidence, evidence_reason FROM recordings ORDER BY id').all()).toEqual([
      { linkedid: '2000.5', evidence: 1, evidence_reason: 'threat call' },
      { linkedid: '2100.1', evidence: 0, evidence_reason: null },
    ]);
    expect(w.desk.threats.get(r.body.id)!.recordingId).not.toBeNull();
  });
});
