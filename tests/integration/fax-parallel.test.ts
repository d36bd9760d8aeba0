// Four fax transfers at once through the real Asterisk 22 (the box's 4 fax channels), started
// with FaxModule.runSimulatedTransfers — the helper the capacity benchmark uses. Every one must
// arrive complete; the figures (wall time, T.30 time each, agent CPU) are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaxInboxItem } from '../../firmware-agent/src/fax/fax-store.js';
import { defaultRootDir, rootReady } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { startTestAgent, type TestAgent } from '../support/agent.js';

const ready = rootReady(defaultRootDir());

describe.skipIf(!ready)('fax: 4 simultaneous real transfers', () => {
  let t: TestAgent;
  beforeAll(async () => {
    t = await startTestAgent();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('4 one-page faxes at once all arrive complete', async () => {
    const cpu0 = process.cpuUsage();
    const r = await t.agent.fax.runSimulatedTransfers(4, { pages: 1, timeoutMs: 150_000 });
    const cpu = process.cpuUsage(cpu0);
    const agentCpu = (cpu.user + cpu.system) / 1e6 / r.wallSeconds;
    console.log(`fax parallel: ${r.ok}/4 in ${r.wallSeconds} s wall, T.30 ${r.seconds.join(', ')} s, agent CPU ${agentCpu.toFixed(3)} of a core`);
    expect(r).toMatchObject({ ok: 4, failed: 0 });
    const items = (await t.api<{ items: FaxInboxItem[] }>('GET', '/api/v1/fax/inbox')).body.items;
    expect(items).toHaveLength(4);
    for (const i of items) expect(i).toMatchObject({ status: 'received', pages: 1, route: 'demo', remoteStation: '+86 21 5000 1000' });
    expect(new Set(items.map((i) => i.callerNumber)).size).toBe(4);
  }, 200_000);
});
