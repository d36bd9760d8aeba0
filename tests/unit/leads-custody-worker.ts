// A separate process working leads on a shared SQLite file (tests/unit/leads-custody.test.ts):
// argv: dataDir role(agent|dialer) id team campaignId atIso
// Agents claim the next lead, hold it ~1 ms, record a final sale; the dialer reserves 3 at a
// time and records busy. Each hold is logged (lead, phone, holder, t0, t1) into work_log.
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { CampaignsModule } from '../../firmware-agent/src/campaigns/campaigns-module.js';
import { openDatabase } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';

const [dir, role, idText, team, campaignText, atIso] = process.argv.slice(2) as [string, string, string, string, string, string];
const db = openDatabase(dir);
const at = new Date(atIso);
const mod = new CampaignsModule({ db, audit: new AuditLog(db), live: new LiveFeed(), logger: silentLogger(), clock: { now: () => at.getTime(), setTimeout: () => 0, clearTimeout: () => undefined } });
const log = db.prepare('INSERT INTO work_log (lead_id, phone, holder, t0, t1) VALUES (?, ?, ?, ?, ?)');
const hold = () => {
  const t0 = performance.timeOrigin + performance.now();
  const end = t0 + 1;
  while (performance.timeOrigin + performance.now() < end) {
    /* hold the lead ~1 ms */
  }
  return [t0, performance.timeOrigin + performance.now()] as const;
};
const id = Number(idText);
const campaignId = Number(campaignText);
let worked = 0;
for (let idle = 0; idle < 3; ) {
  if (role === 'agent') {
    const l = mod.queue.claimNext(campaignId, { agentId: id, team }, at);
    if (!l) {
      idle++;
      continue;
    }
    const [t0, t1] = hold();
    log.run(l.id, l.phone, `agent:${id}`, t0, t1);
    mod.queue.record(l.id, { outcome: 'connected', disposition: 'sale', agentId: id, source: 'agent' }, at);
    worked++;
  } else {
    const got = mod.queue.reserve(campaignId, 3, at);
    if (!got.length) {
      idle++;
      continue;
    }
    for (const g of got) {
      const [t0, t1] = hold();
      log.run(g.leadId, g.phone, 'dialer', t0, t1);
      mod.queue.recordOutcome(g.leadId, 'busy', at);
      worked++;
    }
  }
}
db.close();
process.stdout.write(JSON.stringify({ worked }));
