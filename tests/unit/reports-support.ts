// The hand-worked KPI data set shared by the reports tests (docs/kpis.md). Times are UTC;
// the center is Asia/Shanghai (UTC+8), so 02:00Z is 10:00 local on Monday 2026-03-02.
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { QueueRecorder } from '../../firmware-agent/src/reports/queue-recorder.js';

export const DAY = '2026-03-02';
export const T = (hms: string) => `${DAY}T${hms}.000Z`;
/** "now" for the reports: everything is over. */
export const AFTER = Date.parse('2026-03-04T00:00:00Z');

function ev(fields: Record<string, string>): AmiMessage {
  return new AmiMessage(Object.entries(fields));
}

/** The hand-worked data set. */
export function seed(d: Db): void {
  const agent = d.prepare('INSERT INTO agents (id, number, name, team, level, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  agent.run(1, '1001', 'Li Lei', 'A', 1, '2024-01-01T00:00:00.000Z'); // over one year of service
  agent.run(2, '1002', 'Han Meimei', 'A', 1, '2026-01-01T00:00:00.000Z'); // newer
  agent.run(3, '1003', 'Wang Fang', 'B', 1, '2024-06-01T00:00:00.000Z');
  agent.run(4, '1004', 'Zhao Qiang', 'A', 1, '2025-01-01T00:00:00.000Z');
  const session = d.prepare("INSERT INTO agent_sessions (id, agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, ?, 'ui')");
  session.run(1, 1, '8001', T('01:55:00'), T('02:30:00'));
  session.run(2, 2, '8002', T('02:00:00'), T('02:10:00'));
  session.run(3, 3, '8003', T('02:55:00'), T('03:05:00'));
  session.run(4, 4, '8004', T('02:00:00'), T('02:10:00'));
  const st = d.prepare('INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, linkedid, start_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  // A1: ready 306 s (300 s before 02:00, 6 s after), ringing 4, talking 120, wrap-up 15,
  // pause reason 1 for 455 s then reason 2 for 600 s (adjacent, NOT one pause), ready 600.
  // 306 + 4 + 120 + 15 + 455 + 600 + 600 = 2100 s = the session (01:55 - 02:30).
  st.run(1, 1, '8001', 'ready', null, null, T('01:55:00'), T('02:00:06'));
  st.run(1, 1, '8001', 'ringing', null, 'L1', T('02:00:06'), T('02:00:10'));
  st.run(1, 1, '8001', 'talking', null, 'L1', T('02:00:10'), T('02:02:10'));
  st.run(1, 1, '8001', 'wrap_up', null, 'L1', T('02:02:10'), T('02:02:25'));
  st.run(1, 1, '8001', 'paused', '1', null, T('02:02:25'), T('02:10:00'));
  st.run(1, 1, '8001', 'paused', '2', null, T('02:10:00'), T('02:20:00'));
  st.run(1, 1, '8001', 'ready', null, null, T('02:20:00'), T('02:30:00'));
  // A2: ready 84, ringing 6, talking 180, wrap-up 30, ready 300 = 600 s.
  st.run(2, 2, '8002', 'ready', null, null, T('02:00:00'), T('02:01:24'));
  st.run(2, 2, '8002', 'ringing', null, 'L2', T('02:01:24'), T('02:01:30'));
  st.run(2, 2, '8002', 'talking', null, 'L2', T('02:01:30'), T('02:04:30'));
  st.run(2, 2, '8002', 'wrap_up', null, 'L2', T('02:04:30'), T('02:05:00'));
  st.run(2, 2, '8002', 'ready', null, null, T('02:05:00'), T('02:10:00'));
  // A3 (team B, a dialer call): ready 305, talking 60, wrap-up 15, ready 220 = 600 s.
  st.run(3, 3, '8003', 'ready', null, null, T('02:55:00'), T('03:00:05'));
  st.run(3, 3, '8003', 'talking', null, 'D1', T('03:00:05'), T('03:01:05'));
  st.run(3, 3, '8003', 'wrap_up', null, 'D1', T('03:01:05'), T('03:01:20'));
  st.run(3, 3, '8003', 'ready', null, null, T('03:01:20'), T('03:05:00'));
  // A4 (team A): paused (training) the whole 600 s, no conversation.
  st.run(4, 4, '8004', 'paused', '3', null, T('02:00:00'), T('02:10:00'));

  // Queue entries, recorded from AMI events as Asterisk sends them.
  let now = new Date(0);
  const rec = new QueueRecorder(d, () => now);
  const at = (hms: string, fields: Record<string, string>) => {
    now = new Date(T(hms));
    rec.handle(ev(fields));
  };
  const join = (u: string) => ({ Event: 'QueueCallerJoin', Queue: 'sales', Uniqueid: u, Linkedid: u, Position: '1' });
  // q1 → A1: waited 10 s (in SL), ring 4 s, talk 120 s.
  at('02:00:00', join('L1'));
  at('02:00:10', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'L1' }); // app_queue leaves before AgentConnect
  at('02:00:10', { Event: 'AgentConnect', Queue: 'sales', Uniqueid: 'L1', Linkedid: 'L1', Interface: 'PJSIP/8001', MemberName: '8001', RingTime: '4', HoldTime: '10' });
  at('02:02:10', { Event: 'AgentComplete', Queue: 'sales', Uniqueid: 'L1', Reason: 'agent', TalkTime: '120' });
  at('02:02:30', { Event: 'Hangup', Uniqueid: 'L1' }); // the survey ran after the agent hung up
  // q2 → A2: waited 30 s (outside SL), ring 6 s, talk 180 s; THE CALLER hangs up (trap: still answered).
  at('02:01:00', join('L2'));
  at('02:01:30', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'L2' });
  at('02:01:30', { Event: 'AgentConnect', Queue: 'sales', Uniqueid: 'L2', Linkedid: 'L2', Interface: 'PJSIP/8002', MemberName: '8002', RingTime: '6', HoldTime: '30' });
  at('02:04:30', { Event: 'Hangup', Uniqueid: 'L2' });
  at('02:04:30', { Event: 'AgentComplete', Queue: 'sales', Uniqueid: 'L2', Reason: 'caller', TalkTime: '180' });
  // q3: hung up after 3 s in the queue → short abandon.
  at('02:02:00', join('L3'));
  at('02:02:03', { Event: 'QueueCallerAbandon', Queue: 'sales', Uniqueid: 'L3', HoldTime: '3' });
  at('02:02:03', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'L3' });
  at('02:02:03', { Event: 'Hangup', Uniqueid: 'L3' });
  // q4: hung up after 40 s → abandon.
  at('02:03:00', join('L4'));
  at('02:03:40', { Event: 'QueueCallerAbandon', Queue: 'sales', Uniqueid: 'L4', HoldTime: '40' });
  at('02:03:40', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'L4' });
  at('02:03:40', { Event: 'Hangup', Uniqueid: 'L4' });
  // q5: the queue timed out after 60 s (overflow), the caller hung up in the overflow.
  at('02:05:00', join('L5'));
  at('02:06:00', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'L5' });
  at('02:06:30', { Event: 'Hangup', Uniqueid: 'L5' });

  // Surveys: q1 scored 5 (satisfied), q2 scored 3 (not).
  d.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)').run('L1', 5, T('02:02:20'));
  d.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)').run('L2', 3, T('02:04:40'));
  // Transfers: A1 tried and failed, A2 succeeded → 1 of 2.
  const tr = d.prepare('INSERT INTO call_transfers (linkedid, kind, result, transferer, target, at) VALUES (?, ?, ?, ?, ?, ?)');
  tr.run('L1', 'blind', 'Fail', 'PJSIP/8001-00000001', '8009', T('02:02:00'));
  tr.run('L2', 'attended', 'Success', 'PJSIP/8002-00000002', '8009', T('02:04:00'));

  // Dialer campaign "Spring": 4 dials, 2 live answers, 1 connected to A3 (60 s), 1 dropped.
  d.prepare("INSERT INTO campaigns (id, name, status, dial_mode) VALUES (1, 'Spring', 'active', 'predictive')").run();
  const dc = d.prepare('INSERT INTO dialer_calls (campaign_id, dialed_at, answered_at, connected_at, ended_at, outcome, live_answer, dropped, agent_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)');
  dc.run(T('03:00:00'), T('03:00:04'), T('03:00:05'), T('03:01:05'), 'connected', 1, 0, 3);
  dc.run(T('03:00:00'), T('03:00:06'), null, T('03:00:08'), 'dropped', 1, 1, null);
  dc.run(T('03:00:00'), null, null, T('03:00:26'), 'no_answer', 0, 0, null);
  dc.run(T('03:00:00'), null, null, T('03:00:02'), 'busy', 0, 0, null);

  // Registrations (issue 8 desk records): A1 one, A3 two; A2 and A4 none.
  const reg = d.prepare("INSERT INTO registrations (at, campaign_id, agent_id, values_json) VALUES (?, 1, ?, '{}')");
  reg.run(T('02:01:00'), 1);
  reg.run(T('03:01:00'), 3);
  reg.run(T('03:01:10'), 3);
  // One complaint ticket about A2's call.
  d.prepare(
    "INSERT INTO tickets (created_at, agent_id, team, linkedid, category, severity, description, due_at, updated_at) VALUES (?, 2, 'A', 'L2', 'agent_conduct', 'normal', 'rude', ?, ?)",
  ).run(T('02:06:00'), T('23:00:00'), T('02:06:00'));
}

