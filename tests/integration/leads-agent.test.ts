// The campaigns module inside a whole agent (real Asterisk, demo mode): the demo campaign is
// seeded once with its custody done, an agent user runs "next lead for me" over HTTP, a callback
// reminder arrives on the live websocket, the seed is not repeated after a restart, and
// destroying the campaign leaves none of its numbers in seatbox.db / seatbox.db-wal while the
// agent keeps running.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { DEMO_CAMPAIGN } from '../../firmware-agent/src/campaigns/demo-seed.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

let t: TestAgent;
beforeAll(async () => {
  t = await startTestAgent();
}, 120_000);
afterAll(async () => {
  await t?.stop();
}, 60_000);

/** A second session (an agent user) against the same agent. */
async function login(username: string, password: string) {
  let cookie = '';
  let csrf = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(t.base + path, { method, headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  csrf = (await call('GET', '/api/v1/auth/csrf')).body.token;
  expect((await call('POST', '/api/v1/auth/login', { username, password })).status).toBe(200);
  csrf = (await call('GET', '/api/v1/auth/csrf')).body.token;
  return call;
}

describe('campaigns in the running agent', () => {
  it('seeds the demo campaign with custody done; an agent works its queue; reminders arrive live', async () => {
    const list = (await t.api('GET', '/api/v1/campaigns')).body.campaigns as Array<{ id: number; name: string; status: string; leads: { total: number } }>;
    const demo = list.find((c) => c.name === DEMO_CAMPAIGN)!;
    expect(demo).toMatchObject({ status: 'active', leads: { total: 300 } });
    const custody = (await t.api('GET', `/api/v1/campaigns/${demo.id}/custody`)).body;
    expect(custody.summary.byCustody).toEqual({ imported: 0, received: 0, team: 60, agent: 240 });
    expect(custody.lists[0]).toMatchObject({ sampleResult: 'pass', sampleSize: 20 });
    // Open around the clock (the test may run at any hour).
    const all = { from: '00:00', to: '24:00' };
    const weekly = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [all]]));
    expect((await t.api('PUT', `/api/v1/campaigns/${demo.id}`, { settings: { hours: { weekly } } })).status).toBe(200);

    const db = t.agent.db;
    const agentRow = db.prepare(`SELECT id FROM agents WHERE number = '9101'`).get() as { id: number };
    const user = await new UserStore(db).create({ username: 'zhang', password: 'Quiet-Harbor-4821', roles: ['agent'] });
    db.prepare('UPDATE agents SET user_id = ? WHERE id = ?').run(user.id, agentRow.id);
    const agent = await login('zhang', 'Quiet-Harbor-4821');
    const next = await agent('POST', `/api/v1/campaigns/${demo.id}/next`);
    expect(next.status).toBe(200);
    expect(next.body.lead).toMatchObject({ agentId: agentRow.id, masked: false, why: { due: true } });
    expect(next.body.lead.phone).toMatch(/^170\d{8}$/);
    expect(next.body.lead.script.text).toMatch(/^您好，请问是.+吗？我是.+的客服。.+请问现在方便吗？$/);
    // Asking again returns the same held lead (one at a time).
    expect((await agent('POST', `/api/v1/campaigns/${demo.id}/next`)).body.lead.id).toBe(next.body.lead.id);

    const ws = await t.openLive();
    const at = new Date(Date.now() + 1500).toISOString();
    const cb = await agent('POST', `/api/v1/leads/${next.body.lead.id}/outcome`, { outcome: 'connected', disposition: 'callback', callbackAt: at });
    expect(cb.body).toMatchObject({ status: 'callback', callbackAt: at, why: { code: 'callback_scheduled' } });
    await new Promise((r) => setTimeout(r, 1600));
    expect(t.agent.campaigns.remind()).toBe(1);
    const frame = await waitFor('callback frame', () => t.frames.find((f) => f.type === 'lead.callback_due'));
    expect(frame.data).toMatchObject({ leadId: next.body.lead.id, agentId: agentRow.id, scope: 'personal', campaignName: DEMO_CAMPAIGN });
    ws.close();
    // The callback is first in the agent's queue now.
    expect((await agent('POST', `/api/v1/campaigns/${demo.id}/next`)).body.lead).toMatchObject({ id: next.body.lead.id, why: { code: 'callback_due' } });
  });

  it('does not seed twice after a restart; destruction scrubs the live database file and WAL', async () => {
    await t.restart();
    const list = (await t.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'Long-Enough-Pw-1' }), (await t.api('GET', '/api/v1/campaigns')).body.campaigns) as Array<{ id: number; name: string }>;
    expect(list.filter((c) => c.name === DEMO_CAMPAIGN)).toHaveLength(1);
    const demo = list.find((c) => c.name === DEMO_CAMPAIGN)!;
    const db = t.agent.db;
    const phones = (db.prepare('SELECT phone FROM leads WHERE campaign_id = ?').all(demo.id) as Array<{ phone: string }>).map((r) => r.phone);
    expect(phones).toHaveLength(300);
    const raw = () => Buffer.concat(['seatbox.db', 'seatbox.db-wal'].map((f) => join(t.dataDir, f)).filter(existsSync).map((f) => readFileSync(f)));
    expect(phones.filter((p) => raw().includes(p))).toHaveLength(300);
    expect((await t.api('POST', `/api/v1/campaigns/${demo.id}/status`, { status: 'ended' })).status).toBe(200);
    const r = await t.api('POST', `/api/v1/campaigns/${demo.id}/destroy`, { confirm: DEMO_CAMPAIGN });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ leads: 300, verified: true, remaining: 0 });
    const after = raw();
    expect(phones.filter((p) => after.includes(p))).toEqual([]);
    expect(after.includes(Buffer.from('华夏商贸'))).toBe(false);
    // The agent keeps working on the scrubbed file.
    expect((await t.api('GET', `/api/v1/campaigns/${demo.id}`)).body).toMatchObject({ status: 'destroyed', leads: { total: 300 } });
    const audit = db.prepare(`SELECT detail FROM audit_log WHERE action = 'campaign.destroyed'`).get() as { detail: string };
    expect(JSON.parse(audit.detail)).toMatchObject({ leads: 300, verified: true });
  });
});
