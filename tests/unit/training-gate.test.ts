// Train before work: the login gate's reasons (written/oral/recording), the pass-mark boundary,
// the 3-day re-exam rule on a fixed clock, the half-class redesign flag, retraining gating, and
// the gate on the agents module's login paths (UI action and the phone's UserEvent).
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentsModule } from '../../firmware-agent/src/agents/agents-module.js';
import { AgentActionError } from '../../firmware-agent/src/agents/engine.js';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { assignRetraining, setTrainingService, TrainingError, TrainingService } from '../../firmware-agent/src/training/training-service.js';
import { addAgent, cleanupDbs, FakeClock, tempDb } from './agents-support.js';

class IdleAmi extends EventEmitter {
  connected = false;
  asteriskVersion = undefined;
  async action() {
    return new AmiMessage([['Response', 'Success']]);
  }
}

let db: Db;
let clock: FakeClock;
let audit: AuditLog;
let svc: TrainingService;
let trainerId: number;
const trainer = () => ({ userId: trainerId, username: 'trainer1' });
let recSeq = 0;

function addRecording(agentId: number, state = 'complete'): number {
  recSeq += 1;
  return Number(
    db
      .prepare("INSERT INTO recordings (linkedid, uniqueid, seat, agent_id, path, format, state, started_at) VALUES (?, ?, '8001', ?, ?, 'wav', ?, '2026-03-01T10:00:00.000Z')")
      .run(`L${recSeq}`, `U${recSeq}`, agentId, `2026/03/01/r${recSeq}.wav`, state).lastInsertRowid,
  );
}

beforeEach(async () => {
  db = tempDb();
  clock = new FakeClock(Date.parse('2026-03-02T09:00:00.000Z'));
  audit = new AuditLog(db);
  svc = new TrainingService({ db, audit, now: () => clock.now() });
  trainerId = (await new UserStore(db).create({ username: 'trainer1', password: 'Quiet-Harbor-4821', roles: ['trainer'] })).id;
});
afterEach(() => {
  setTrainingService(undefined);
  db.close();
  cleanupDbs();
});

const plan = (trainees: number[], extra: Record<string, unknown> = {}) =>
  svc.createPlan({ title: 'New hire class', startsAt: '2026-03-02T09:00:00Z', place: 'Room 3', material: 'Script v2', trainerUserId: trainerId, trainees, ...extra }, trainer());

describe('qualification gate', () => {
  it('a trainee is refused with each missing item named, until written, oral and an approved recording are all there', () => {
    const a = addAgent(db, '1001');
    expect(svc.gate(a)).toEqual({ ok: true }); // not a trainee: no gate
    svc.setRequired(a, true, trainer());
    let g = svc.gate(a);
    expect(g).toMatchObject({ ok: false, code: 'training_required', status: 403 });
    expect(svc.status(a).missing).toEqual(['written', 'oral', 'recording']);
    if (!g.ok) expect(g.message).toMatch(/written exam.*oral exam.*qualifying recording/);

    const p = plan([a]);
    svc.recordResult(p.id, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 90, oralScore: 85 }, trainer());
    expect(svc.status(a).missing).toEqual(['recording']);
    g = svc.gate(a);
    expect(g.ok).toBe(false);
    if (!g.ok) {
      expect(g.message).toMatch(/qualifying recording/);
      expect(g.message).not.toMatch(/written exam|oral exam/);
    }

    const rec = addRecording(a);
    const st = svc.approveRecording(a, rec, trainer());
    expect(st).toMatchObject({ missing: [], gated: false, qualifiedBy: 'trainer1', recordingId: rec, recordingApprovedBy: trainerId });
    expect(st.qualifiedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(svc.gate(a)).toEqual({ ok: true });
    expect(audit.recent().map((r) => r.action)).toEqual(expect.arrayContaining(['training.required_set', 'training.result_recorded', 'training.recording_approved', 'training.qualified']));
  });

  it('oral missing alone is named; recording approval needs a trainer, the agent\'s own complete recording', async () => {
    const a = addAgent(db, '1002');
    const b = addAgent(db, '1003');
    svc.setRequired(a, true, trainer());
    const p = plan([a], { examOral: false });
    svc.recordResult(p.id, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 80 }, trainer());
    svc.approveRecording(a, addRecording(a), trainer());
    expect(svc.status(a).missing).toEqual(['oral']);
    const g = svc.gate(a);
    expect(!g.ok && g.message).toMatch(/missing: oral exam \(no score\)$/);

    const qa = await new UserStore(db).create({ username: 'qa1', password: 'Quiet-Harbor-4821', roles: ['qa', 'manager'] });
    expect(() => svc.approveRecording(a, addRecording(a), { userId: qa.id, username: 'qa1' })).toThrow(/role trainer/);
    expect(() => svc.approveRecording(a, addRecording(b), trainer())).toThrow(/not a call of agent/);
    expect(() => svc.approveRecording(a, addRecording(a, 'deleted'), trainer())).toThrow(/only a complete recording/);
    expect(() => svc.approveRecording(a, 99999, trainer())).toThrow(TrainingError);
  });

  it('pass mark boundary: 79 fails, 80 passes (written and oral)', () => {
    const a = addAgent(db, '1004');
    const b = addAgent(db, '1005');
    const c = addAgent(db, '1006');
    for (const x of [a, b, c]) svc.setRequired(x, true, trainer());
    const p = plan([a, b, c]);
    const res = (id: number, w: number, o: number) => svc.recordResult(p.id, { agentId: id, examAt: '2026-03-02T15:00:00Z', writtenScore: w, oralScore: o }, trainer()).results.find((r) => r.agentId === id)!;
    expect(res(a, 79, 80).passed).toBe(false);
    expect(res(b, 80, 79).passed).toBe(false);
    expect(res(c, 80, 80).passed).toBe(true);
    expect(svc.status(a).missing).toEqual(['written', 'recording']);
    expect(svc.status(b).missing).toEqual(['oral', 'recording']);
    expect(svc.status(c).missing).toEqual(['recording']);
  });

  it('a re-exam must be within 3 days of the failed exam (fixed clock); overdue re-exams are flagged', () => {
    const a = addAgent(db, '1007');
    const b = addAgent(db, '1008');
    const p = plan([a, b]);
    svc.recordResult(p.id, { agentId: a, examAt: '2026-03-02T10:00:00Z', writtenScore: 60, oralScore: 90 }, trainer());
    svc.recordResult(p.id, { agentId: b, examAt: '2026-03-02T10:00:00Z', writtenScore: 60, oralScore: 90 }, trainer());
    // Scheduling: exactly 3 days later is allowed, one minute more is refused.
    expect(() => svc.scheduleReexam(p.id, a, '2026-03-05T10:01:00Z', trainer())).toThrow(/within 3 days.*2026-03-05T10:00:00.000Z/);
    expect(svc.scheduleReexam(p.id, a, '2026-03-05T10:00:00Z', trainer()).results[0]!.reexamAt).toBe('2026-03-05T10:00:00.000Z');
    expect(() => svc.scheduleReexam(p.id, a, '2026-03-01T10:00:00Z', trainer())).toThrow(/before the failed exam/);
    // Recording a re-exam outside the window is refused too.
    try {
      svc.recordResult(p.id, { agentId: b, examAt: '2026-03-05T10:00:01Z', writtenScore: 95, oralScore: 95 }, trainer());
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'reexam_window_closed', statusCode: 409 });
    }
    // Not overdue yet on day 2; overdue once the window closed without a re-exam.
    clock.t = Date.parse('2026-03-04T10:00:00Z');
    expect(svc.plan(p.id).results.map((r) => r.reexamOverdue)).toEqual([false, false]);
    clock.t = Date.parse('2026-03-05T10:00:01Z');
    expect(svc.plan(p.id).results.map((r) => r.reexamOverdue)).toEqual([true, true]);
    // A re-exam inside the window: attempt 2, passed, no longer overdue.
    const after = svc.recordResult(p.id, { agentId: a, examAt: '2026-03-04T09:00:00Z', writtenScore: 85, oralScore: 85 }, trainer());
    const ofA = after.results.filter((r) => r.agentId === a);
    expect(ofA.map((r) => [r.attempt, r.passed, r.reexamOverdue])).toEqual([
      [1, false, false],
      [2, true, false],
    ]);
    expect(() => svc.recordResult(p.id, { agentId: a, examAt: '2026-03-04T10:00:00Z', writtenScore: 85, oralScore: 85 }, trainer())).toThrow(/passed plan/);
  });

  it('the plan is flagged for redesign when exactly half of its trainees fail; below half it is not', () => {
    const ids = ['1101', '1102', '1103', '1104'].map((n) => addAgent(db, n));
    const p4 = plan(ids);
    const r = (p: number, id: number, ok: boolean) => svc.recordResult(p, { agentId: id, examAt: '2026-03-02T15:00:00Z', writtenScore: ok ? 90 : 50, oralScore: 90 }, trainer());
    expect(r(p4.id, ids[0]!, false).redesign).toBe(false); // 1 of 4
    expect(r(p4.id, ids[1]!, true).redesign).toBe(false);
    const flagged = r(p4.id, ids[2]!, false); // 2 of 4 = 50 %
    expect(flagged.redesign).toBe(true);
    expect(flagged.redesignFlaggedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(audit.recent().some((x) => x.action === 'training.plan_redesign_flagged' && x.target === `training_plan:${p4.id}`)).toBe(true);

    const three = ['1201', '1202', '1203'].map((n) => addAgent(db, n));
    const p3 = plan(three);
    r(p3.id, three[0]!, false); // 1 of 3 < 50 %
    r(p3.id, three[1]!, true);
    expect(r(p3.id, three[2]!, true).redesign).toBe(false);
    expect(svc.clearRedesign(p4.id, trainer()).redesign).toBe(false);
  });

  it('retraining (from QA or the assessment) gates a qualified agent until a training exam is passed', () => {
    const a = addAgent(db, '1301');
    svc.setRequired(a, true, trainer());
    const p = plan([a]);
    svc.recordResult(p.id, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 90, oralScore: 90 }, trainer());
    svc.approveRecording(a, addRecording(a), trainer());
    expect(svc.gate(a).ok).toBe(true);

    expect(() => assignRetraining(a, 'x', 'qa', { username: 'qa1' })).toThrow(/not running/);
    setTrainingService(svc);
    const rt = assignRetraining(a, 'QA score 55 in November', 'qa', { username: 'qa1' });
    expect(rt).toMatchObject({ agentId: a, source: 'qa', status: 'open', assignedBy: 'qa1' });
    const g = svc.gate(a);
    expect(g).toMatchObject({ ok: false, code: 'training_required' });
    expect(!g.ok && g.message).toMatch(/retraining assigned \(QA score 55 in November\)/);
    expect(() => svc.assignRetraining(a, '   ', 'assessment', { username: 'x' })).toThrow(/reason/);

    const re = plan([a], { kind: 'retraining' });
    svc.recordResult(re.id, { agentId: a, examAt: '2026-03-03T15:00:00Z', writtenScore: 70, oralScore: 90 }, trainer());
    expect(svc.gate(a).ok).toBe(false); // failed: still gated, and the old qualification is lost (written below the mark)
    expect(svc.status(a).missing).toEqual(['written']);
    svc.recordResult(re.id, { agentId: a, examAt: '2026-03-05T15:00:00Z', writtenScore: 88, oralScore: 90 }, trainer());
    expect(svc.gate(a)).toEqual({ ok: true });
    expect(svc.retraining('completed').map((x) => x.id)).toEqual([rt.id]);
  });

  it('the people module\'s career stage "trainee" gates when that table exists', async () => {
    const hasTable = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'career_stages'").get();
    const u = await new UserStore(db).create({ username: 'trainee1', password: 'Quiet-Harbor-4821', roles: ['agent'] });
    const a = Number(db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('1401', 'T', ?)").run(u.id).lastInsertRowid);
    expect(hasTable).toBe(true);
    db.prepare("INSERT INTO career_stages (user_id, stage, since) VALUES (?, 'trainee', '2026-03-01')").run(u.id);
    expect(svc.status(a)).toMatchObject({ trainee: true, gated: true, missing: ['written', 'oral', 'recording'] });
    expect(svc.statuses().map((s) => s.agentId)).toContain(a);
  });
});

describe('the gate on the agents module login paths', () => {
  let mod: AgentsModule;
  let ami: IdleAmi;
  beforeEach(async () => {
    ami = new IdleAmi();
    mod = new AgentsModule({
      db,
      ami: ami as never,
      settings: new SettingsStore(db),
      audit,
      live: new LiveFeed(),
      seats: { list: () => ['8001', '8002'].map((extension) => ({ extension, kind: 'sip' as const, registered: true })) },
      logger: silentLogger(),
      clock,
    });
    mod.engine.setLoginGate((id) => svc.gate(id));
    await mod.start();
  });
  afterEach(async () => {
    await mod.stop();
  });

  it('UI login of a trainee throws 403 training_required; the phone login event leaves the agent logged out, audited', () => {
    const a = addAgent(db, '1501');
    svc.setRequired(a, true, trainer());
    try {
      mod.login(a, '8001', { force: false, forced: false }, { username: 'x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AgentActionError);
      expect(err).toMatchObject({ code: 'training_required', statusCode: 403 });
    }
    ami.emit('event', new AmiMessage([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxAgent'], ['Op', 'login'], ['Seat', '8002'], ['Agent', '1501']]));
    expect(mod.liveOf(a)).toBeUndefined();
    expect(mod.seatLive('8002').state).toBe('logged_out');
    const refused = audit.recent().find((r) => r.action === 'agent.phone_action_refused');
    expect(JSON.parse(refused!.detail!)).toMatchObject({ op: 'login', agent: '1501', code: 'training_required' });
    expect(db.prepare('SELECT count(*) AS n FROM agent_sessions WHERE agent_id = ?').get(a)).toEqual({ n: 0 });

    // Qualified: both paths log in.
    const p = plan([a]);
    svc.recordResult(p.id, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 80, oralScore: 80 }, trainer());
    svc.approveRecording(a, addRecording(a), trainer());
    ami.emit('event', new AmiMessage([['Event', 'UserEvent'], ['UserEvent', 'SeatBoxAgent'], ['Op', 'login'], ['Seat', '8002'], ['Agent', '1501']]));
    expect(mod.liveOf(a)?.seat).toBe('8002');
    expect(mod.login(a, '8001', { force: false, forced: false }, { username: 'x' }).agent?.id).toBe(a);
  });
});
