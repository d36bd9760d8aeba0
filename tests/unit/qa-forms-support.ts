// Shared fixtures of the QA unit tests (docs/qa.md): a real SQLite file, users with roles,
// agents linked to web users, recordings, and the hand-worked example form.
import type { Db } from '../../firmware-agent/src/db/database.js';
import type { FormDefinition, FormVersion } from '../../firmware-agent/src/qa/forms.js';
import { QaModule } from '../../firmware-agent/src/qa/qa-module.js';
import type { AnswerInput } from '../../firmware-agent/src/qa/scoring.js';
import { tempDb } from './agents-support.js';

/**
 * The example form: A1 weight 2 / max 5; A2 weight 1 / max 1, N/A allowed;
 * B1 critical, weight 1 / max 1; B2 weight 3 / max 10. Pass mark 80.
 */
export const EXAMPLE_FORM: FormDefinition = {
  nameZh: '外呼质检表',
  nameEn: 'Outbound QA form',
  passMark: 80,
  sections: [
    {
      titleZh: '开场',
      titleEn: 'Opening',
      items: [
        { textZh: '问候并报出公司名', textEn: 'Greets and names the company', weight: 2, maxPoints: 5, critical: false, naAllowed: false },
        { textZh: '确认客户身份', textEn: 'Confirms the customer identity', weight: 1, maxPoints: 1, critical: false, naAllowed: true },
      ],
    },
    {
      titleZh: '合规',
      titleEn: 'Compliance',
      items: [
        { textZh: '告知通话录音', textEn: 'Says the call is recorded', weight: 1, maxPoints: 1, critical: true, naAllowed: false },
        { textZh: '产品介绍准确', textEn: 'Presents the product correctly', weight: 3, maxPoints: 10, critical: false, naAllowed: false },
      ],
    },
  ],
};

/** Answers by position: [A1, A2 (null = N/A), B1, B2]. */
export function answers(form: FormVersion, points: (number | null)[]): AnswerInput[] {
  const items = form.sections.flatMap((s) => s.items);
  return items.map((it, i) => ({ itemId: it.id, points: points[i] ?? null }));
}

export interface QaFixture {
  db: Db;
  qa: QaModule;
  clock: { t: number };
  users: Record<'qa1' | 'qa2' | 'lead' | 'boss' | 'ag1' | 'ag2' | 'tech', number>;
  agents: Record<'a1' | 'a2', number>;
  recording: (agentId: number, startedAt?: string) => number;
}

/** A fresh database with QA staff, two agents with web accounts, and a fixed clock. */
export function qaFixture(opts: { outlier?: { points?: number; minSamples?: number; windowDays?: number }; ackDays?: number } = {}): QaFixture {
  const db = tempDb();
  const clock = { t: Date.parse('2026-11-02T02:00:00.000Z') };
  const user = (username: string, roles: string[]) => {
    const id = Number(db.prepare("INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x')").run(username, username).lastInsertRowid);
    for (const r of roles) db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').run(id, r);
    return id;
  };
  const users = {
    qa1: user('qa1', ['qa']),
    qa2: user('qa2', ['qa']),
    lead: user('lead', ['team_lead']),
    boss: user('boss', ['manager']),
    ag1: user('ag1', ['agent']),
    ag2: user('ag2', ['agent']),
    tech: user('tech', ['technician']),
  };
  const agent = (number: string, name: string, userId: number) => Number(db.prepare('INSERT INTO agents (number, name, user_id) VALUES (?, ?, ?)').run(number, name, userId).lastInsertRowid);
  const agents = { a1: agent('1001', 'Li Lei', users.ag1), a2: agent('1002', 'Han Meimei', users.ag2) };
  let seq = 0;
  const recording = (agentId: number, startedAt = '2026-11-01T03:00:00.000Z') => {
    seq++;
    return Number(
      db
        .prepare("INSERT INTO recordings (linkedid, uniqueid, seat, agent_id, path, format, state, started_at, duration_ms) VALUES (?, ?, '8001', ?, ?, 'wav', 'complete', ?, 95000)")
        .run(`L${seq}`, `U${seq}`, agentId, `2026/11/01/L${seq}.wav`, startedAt).lastInsertRowid,
    );
  };
  const qa = new QaModule({ db, now: () => new Date(clock.t), ackDays: opts.ackDays, outlier: opts.outlier });
  return { db, qa, clock, users, agents, recording };
}
