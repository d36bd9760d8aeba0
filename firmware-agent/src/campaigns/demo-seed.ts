// Demo mode: one campaign with a few hundred generated leads whose custody is done (received,
// sampled, handed to team 一组, split over its agents) so a newcomer can run its lead queue at once.
// Idempotent: does nothing when the demo campaign exists. Numbers use the 170 test range.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { CampaignsModule } from './campaigns-module.js';
import { DEMO_SCRIPT, demoIdentityFields } from '../desk/demo-data.js';

export const DEMO_CAMPAIGN = '演示活动 Demo';
export const DEMO_TEAM = '一组';
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '强', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明'];
const COMPANIES = ['华夏商贸', '东方电子', '长江物流', '新程教育', '蓝海科技'];

export function seedDemoCampaign(db: Db, mod: CampaignsModule, now: Date, leads = 300): { campaignId: number; leads: number } | null {
  if (db.prepare('SELECT 1 FROM campaigns WHERE name = ?').get(DEMO_CAMPAIGN)) return null;
  const actor = { userId: null, username: 'demo' };
  // Demo agents of team 一组 (created if the box has none in that team).
  let agentIds = (db.prepare('SELECT id FROM agents WHERE team = ? AND active = 1 ORDER BY id').all(DEMO_TEAM) as Array<{ id: number }>).map((r) => r.id);
  if (!agentIds.length) {
    const ins = db.prepare('INSERT OR IGNORE INTO agents (number, name, team) VALUES (?, ?, ?)');
    for (const [n, name] of [['9101', '演示坐席一'], ['9102', '演示坐席二'], ['9103', '演示坐席三']] as const) ins.run(n, name, DEMO_TEAM);
    agentIds = (db.prepare('SELECT id FROM agents WHERE team = ? AND active = 1 ORDER BY id').all(DEMO_TEAM) as Array<{ id: number }>).map((r) => r.id);
  }
  db.prepare('INSERT OR IGNORE INTO teams (name) VALUES (?)').run(DEMO_TEAM);
  // The desk's identity check and registration form (defaults) work on these leads (desk/demo-data.ts).
  const c = mod.campaigns.create({ name: DEMO_CAMPAIGN, dialMode: 'preview', createdBy: 'demo', settings: { script: DEMO_SCRIPT } });
  let listId = 0;
  db.transaction(() => {
    listId = Number(
      db
        .prepare('INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(c.id, 'demo', 'demo-leads.csv', createHash('sha256').update('demo').digest('hex'), 'utf-8', 'demo', leads, leads).lastInsertRowid,
    );
    const ins = db.prepare('INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < leads; i++) {
      const phone = `170${String(10000000 + i * 7919).slice(-8)}`;
      const name = SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]!;
      const city = i % 2 ? '上海' : '北京';
      ins.run(c.id, listId, i + 2, phone, 'mobile', name, JSON.stringify({ company: COMPANIES[i % COMPANIES.length], city, ...demoIdentityFields(i, city) }));
    }
  })();
  mod.custody.receive(listId, actor, now);
  mod.custody.drawSample(listId, 20, actor, now);
  mod.custody.recordSampleResult(listId, { ok: true, bad: 0, note: 'demo' }, actor, now);
  mod.custody.handToTeam(c.id, { team: DEMO_TEAM }, actor, now);
  if (agentIds.length) mod.custody.handToAgents(c.id, DEMO_TEAM, { split: { agentIds, total: Math.floor(leads * 0.8) } }, actor, now);
  mod.campaigns.setStatus(c.id, 'active', now);
  return { campaignId: c.id, leads };
}
