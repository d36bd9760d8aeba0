// The demo's agent desktop account: created once for agent 9101 with a random password that is
// logged once (no universal default), linked to the agent; never twice, never over a linked agent.
import { afterEach, describe, expect, it } from 'vitest';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { seedDemoDeskAgent, seedDemoSeats } from '../../firmware-agent/src/desk/demo.js';
import type { Logger } from '../../firmware-agent/src/logging.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { cleanupDbs, tempDb } from './agents-support.js';

afterEach(() => cleanupDbs());

describe('demo agent desktop account', () => {
  it('creates demo-agent for agent 9101 with a logged random password', async () => {
    const db = tempDb();
    const users = new UserStore(db);
    expect(await seedDemoDeskAgent(db, users, silentLogger())).toBeNull(); // no agent 9101 yet
    const agentId = Number(db.prepare("INSERT INTO agents (number, name) VALUES ('9101', '演示坐席一')").run().lastInsertRowid);
    const logged: unknown[] = [];
    const log = { ...silentLogger(), info: (o: unknown) => logged.push(o) } as unknown as Logger;
    const r = await seedDemoDeskAgent(db, users, log);
    expect(r?.username).toBe('demo-agent');
    expect(r!.password).toMatch(/^Demo-[A-Za-z0-9_-]{12}$/);
    expect(logged).toEqual([{ username: 'demo-agent', password: r!.password, agent: '9101' }]);
    const u = await users.verify('demo-agent', r!.password);
    expect(u?.roles).toEqual(['agent']);
    expect((db.prepare('SELECT user_id FROM agents WHERE id = ?').get(agentId) as { user_id: number }).user_id).toBe(u!.id);
    // Idempotent; a second box gets another password.
    expect(await seedDemoDeskAgent(db, users, silentLogger())).toBeNull();
    const db2 = tempDb();
    db2.prepare("INSERT INTO agents (number, name) VALUES ('9101', 'x')").run();
    const r2 = await seedDemoDeskAgent(db2, new UserStore(db2), silentLogger());
    expect(r2!.password).not.toBe(r!.password);
    db.close();
    db2.close();
  });

  it('seeds demo seats 8001-8010 once, each with its own strong secret, never on a box that has seats', () => {
    const db = tempDb();
    expect(seedDemoSeats(db, silentLogger())).toBe(10);
    const rows = db.prepare('SELECT extension, tech, secret FROM seats ORDER BY extension').all() as Array<{ extension: string; tech: string; secret: string }>;
    expect(rows.map((r) => r.extension)).toEqual(Array.from({ length: 10 }, (_, i) => String(8001 + i)));
    expect(new Set(rows.map((r) => r.secret)).size).toBe(10);
    for (const r of rows) expect(r.secret.length).toBeGreaterThanOrEqual(16);
    // Once: removed seats do not come back at the next start.
    db.prepare('DELETE FROM seats').run();
    expect(seedDemoSeats(db, silentLogger())).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM seats').get() as { n: number }).n).toBe(0);
    // A box that already has seats gets none.
    const db2 = tempDb();
    db2.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES ('8500', 'own', 'sip', 'x')").run();
    expect(seedDemoSeats(db2, silentLogger())).toBe(0);
    db.close();
    db2.close();
  });
});
