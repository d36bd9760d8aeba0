// Demo mode: a web-UI account for the demo agent 9101 (演示坐席一), so the agent desktop can be
// tried at once. No universal default password: a random one is generated at creation and
// printed once in the startup log ("demo agent desktop account"). An admin can also create
// agent accounts in the UI (Users: role agent; Agents: link the user).
import { randomBytes } from 'node:crypto';
import type { UserStore } from '../auth/users.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging.js';
import { generateSeatSecret } from '../seats/seat-store.js';

export const DEMO_DESK_USER = 'demo-agent';
export const DEMO_DESK_AGENT = '9101';

export async function seedDemoDeskAgent(db: Db, users: UserStore, log: Logger): Promise<{ username: string; password: string; agentNumber: string } | null> {
  const agent = db.prepare('SELECT id, user_id FROM agents WHERE number = ? AND active = 1').get(DEMO_DESK_AGENT) as { id: number; user_id: number | null } | undefined;
  if (!agent || agent.user_id !== null) return null;
  if (db.prepare('SELECT 1 FROM users WHERE username = ?').get(DEMO_DESK_USER)) return null;
  const password = `Demo-${randomBytes(9).toString('base64url')}`;
  const user = await users.create({ username: DEMO_DESK_USER, password, displayName: '演示坐席一', roles: ['agent'] });
  db.prepare('UPDATE agents SET user_id = ? WHERE id = ?').run(user.id, agent.id);
  log.info({ username: DEMO_DESK_USER, password, agent: DEMO_DESK_AGENT }, 'demo agent desktop account created (the password is shown only now)');
  return { username: DEMO_DESK_USER, password, agentNumber: DEMO_DESK_AGENT };
}

export const DEMO_SEATS = { from: 8001, to: 8010 } as const;
const DEMO_SEATS_KEY = 'demo.seatsSeeded';

/**
 * Demo: seats 8001–8010 on a box that has none, so the demo agent can log into the desktop at
 * once (the demo's `seatbox-dialer-seat` answers for the seat like a phone). Each gets its own
 * generated SIP secret. Done once: a box whose admin later removes them stays without.
 */
export function seedDemoSeats(db: Db, log: Logger): number {
  if (db.prepare('SELECT 1 FROM settings WHERE key = ?').get(DEMO_SEATS_KEY)) return 0;
  const has = (db.prepare('SELECT count(*) AS n FROM seats').get() as { n: number }).n > 0;
  let created = 0;
  db.transaction(() => {
    if (!has) {
      const ins = db.prepare("INSERT INTO seats (extension, name, kind, tech, secret, secret_set_at) VALUES (?, ?, 'agent', 'sip', ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
      for (let ext = DEMO_SEATS.from; ext <= DEMO_SEATS.to; ext++) created += ins.run(String(ext), `演示坐席 ${ext}`, generateSeatSecret()).changes;
    }
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(DEMO_SEATS_KEY, JSON.stringify(true));
  })();
  if (created > 0) log.info({ seats: `${DEMO_SEATS.from}-${DEMO_SEATS.to}` }, 'demo seats created (each with its own SIP secret)');
  return created;
}
