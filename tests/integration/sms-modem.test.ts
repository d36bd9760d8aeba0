// SMS through a real pty pair (socat) with the EC25 modem simulator on one end and the agent's
// AT modem adapter + SMS module (real SQLite file, campaigns module, DNC) on the other:
// init sequence, bulk send single and multipart UCS-2, delivery reports, +CMS ERROR retry and
// permanent failure, no SIM, registration lost, garbage/slow modem, opt-out reply → DNC,
// joined multipart reply, send-after-call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { AtModem, openSerialPort } from '../../firmware-agent/src/sms/at-modem.js';
import { ModemSimulator } from '../../firmware-agent/src/sms/modem-sim.js';
import type { DecodedSubmit } from '../../firmware-agent/src/sms/pdu.js';
import { createPtyPair, socatAvailable, type PtyPair } from '../../firmware-agent/src/sms/pty-pair.js';
import { SmsModule } from '../../firmware-agent/src/sms/sms-module.js';
import { defaultSmsSettings } from '../../firmware-agent/src/sms/sms-settings.js';
import { addList, cleanup, env, type Env } from '../unit/campaigns-support.js';

const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]]));
const actor = { userId: null, username: 'mgr' };

let pty: PtyPair;
let sim: ModemSimulator;
let e: Env;
let sms: SmsModule;
let offsetMs = 0;
const frames: LiveMessage[] = [];

async function until<T>(what: string, f: () => T | undefined | null | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) {
      // What the modem and the queue looked like: enough to tell a stuck modem from a stuck queue.
      const state = { modem: sms?.modemStatus(), outbox: sms?.outbox({ limit: 3 }).items.map((m) => [m.id, m.state, m.reason, m.nextAttemptAt]), commands: sim?.commands.slice(-8) };
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

let campaignId = 0;
let leadIds: number[] = [];
const PHONES = ['13900000001', '13900000002', '13900000003', '02188886666', '13900000005', '13900000006', '13900000007', '13900000008'];

beforeAll(async () => {
  expect(socatAvailable()).toBe(true);
  pty = await createPtyPair();
  sim = new ModemSimulator(await openSerialPort(pty.a, 115200), { faults: { deliveryDelayMs: 150 } });
  e = env();
  e.live.on('message', (m: LiveMessage) => frames.push(m));
  const c = e.mod.campaigns.create({ name: 'SMS', settings: { hours: { timezone: 'Asia/Shanghai', weekly: ALL_DAY, holidays: [] } } });
  e.mod.campaigns.setStatus(c.id, 'active', new Date());
  campaignId = c.id;
  leadIds = addList(e.db, c.id, PHONES.length, { phones: PHONES, names: PHONES.map((_, i) => `客户${i + 1}`) }).leadIds;
  e.db.prepare(`UPDATE leads SET phone_kind = 'landline' WHERE phone = '02188886666'`).run();
  e.mod.dnc.add({ phone: '13900000005', reason: 'manual', now: new Date() });
  sms = new SmsModule({
    db: e.db,
    audit: e.audit,
    live: e.live,
    logger: silentLogger(),
    campaigns: e.mod,
    tickMs: 50,
    now: () => new Date(Date.now() + offsetMs),
    modemFactory: (s) => new AtModem({ path: pty.b, baudRate: s.baudRate, logger: silentLogger(), commandTimeoutMs: 3000, sendTimeoutMs: 5000, pollMs: 60_000, reconnectMinMs: 100 }),
  });
  await sms.saveSettings({ ...defaultSmsSettings(), enabled: true, device: '/dev/ttyUSB2', ratePerMinute: 60, retrySeconds: 30 }, actor);
  await sms.start();
}, 20_000);

afterAll(async () => {
  await sms?.stop();
  await sim?.close().catch(() => undefined);
  await pty?.close();
  e?.db.close();
  cleanup();
});

const messagesOf = (batchId: number) => sms.outbox({ batchId }).items;

describe('EC25 simulator on a socat pty pair', () => {
  it('runs the init sequence and reports ready with operator and signal', async () => {
    await until('ready', () => sms.modemStatus().state === 'ready');
    expect(sms.modemStatus()).toMatchObject({ state: 'ready', operator: 'CHINA MOBILE', signal: 23, registration: 1 });
    for (const c of ['ATE0', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CREG?', 'AT+CSQ', 'AT+COPS?']) expect(sim.commands).toContain(c);
    expect(sim.commands.indexOf('ATE0')).toBeLessThan(sim.commands.indexOf('AT+CMGF=0'));
    expect(frames.some((f) => f.type === 'sms.modem' && f.data.state === 'ready')).toBe(true);
  });

  it('bulk: dry run, then single + multipart UCS-2 sends, delivery reports → delivered, skips with reasons', async () => {
    const t = sms.createTemplate({ campaignId, name: '长通知', body: '{{name}}您好！' + '本周会员日全场商品八折优惠，到店出示短信即可领取精美礼品一份，数量有限送完即止，欢迎您和家人朋友一同光临，详情请咨询门店工作人员或拨打客服热线。回复TD退订', trigger: 'manual', dispositions: [], enabled: true }, actor);
    expect(t.info).toMatchObject({ encoding: 'ucs2', parts: 2 });
    const filter = { leadIds: leadIds.slice(0, 5) };
    const preview = sms.previewBulk({ campaignId, templateId: t.id, filter });
    expect(preview).toMatchObject({ leads: 5, eligible: 3, parts: 6, skipped: { landline: 1, dnc: 1 }, hours: { open: true } });
    expect(preview.sample!.text.startsWith('客户1您好！')).toBe(true);
    const sentBefore = sim.sent.length;
    const batch = sms.startBulk({ campaignId, templateId: t.id, filter }, actor);
    await until('all delivered', () => messagesOf(batch.id).filter((m) => m.state === 'delivered').length === 3);
    const msgs = messagesOf(batch.id);
    expect(msgs.filter((m) => m.state === 'skipped').map((m) => m.reason).sort()).toEqual(['dnc', 'landline']);
    // What the "network" got: 6 PDUs, two per number, joined to the rendered text.
    const got = sim.sent.slice(sentBefore).map((s) => s.pdu);
    expect(got).toHaveLength(6);
    for (const phone of ['13900000001', '13900000002', '13900000003']) {
      const parts = got.filter((p) => p.to === `+86${phone}`);
      expect(parts.map((p) => p.concat?.seq)).toEqual([1, 2]);
      expect(parts[0]!.concat!.ref).toBe(parts[1]!.concat!.ref);
      expect(parts.every((p) => p.encoding === 'ucs2' && p.statusReport)).toBe(true);
      const m = msgs.find((x) => x.phone === phone)!;
      expect(parts.map((p) => p.text).join('')).toBe(m.body);
      expect(m.deliveredAt).not.toBeNull();
    }
    await until('batch done frame', () => frames.some((f) => f.type === 'sms.progress' && f.data.batchId === batch.id && f.data.state === 'done' && f.data.sent === 3 && f.data.skipped === 2));
    expect(e.audit.recent(50).some((a) => a.action === 'sms.bulk_started' && a.target === `sms-batch:${batch.id}`)).toBe(true);
  });

  it('+CMS ERROR: 500 → retried after the backoff and sent; +CMS ERROR: 21 → failed with the code', async () => {
    const t = sms.createTemplate({ campaignId, name: 'short', body: 'Hi {{name}}, see you soon', trigger: 'manual', dispositions: [], enabled: true }, actor);
    sim.faults.sendErrors.push(500);
    const b1 = sms.startBulk({ campaignId, templateId: t.id, filter: { leadIds: [leadIds[5]!] } }, actor);
    const retry = await until('retry scheduled', () => messagesOf(b1.id).find((m) => m.state === 'queued' && m.cmsCode === 500));
    expect(retry.attempts).toBe(1);
    expect(retry.reason).toMatch(/^retry:\+CMS ERROR: 500/);
    offsetMs += 31_000; // past the first backoff (30 s)
    const sent = await until('sent after retry', () => messagesOf(b1.id).find((m) => m.state === 'delivered'));
    expect(sent.attempts).toBe(2);

    sim.faults.sendErrors.push(21);
    const b2 = sms.startBulk({ campaignId, templateId: t.id, filter: { leadIds: [leadIds[6]!] } }, actor);
    const failed = await until('failed', () => messagesOf(b2.id).find((m) => m.state === 'failed'));
    expect(failed).toMatchObject({ reason: 'cms:21', cmsCode: 21, attempts: 1 });
    await until('batch 2 done', () => sms.batch(b2.id).state === 'done');
  });

  it('registration lost mid-run → no_network, messages wait; back → they go', async () => {
    sim.setRegistration(3);
    await until('no_network', () => sms.modemStatus().state === 'no_network');
    expect(sms.modemStatus().error).toMatch(/denied/);
    const t = sms.templates(campaignId).find((x) => x.name === 'short')!;
    const b = sms.startBulk({ campaignId, templateId: t.id, filter: { leadIds: [leadIds[7]!] } }, actor);
    await new Promise((r) => setTimeout(r, 300));
    expect(messagesOf(b.id)[0]!.state).toBe('queued');
    sim.setRegistration(1);
    await until('ready again', () => sms.modemStatus().state === 'ready');
    await until('sent after registration', () => messagesOf(b.id)[0]!.state === 'delivered');
  });

  it('garbage bytes and slow answers do not break sending', async () => {
    sim.faults.garbage = true;
    sim.faults.slowMs = 150;
    try {
      const t = sms.templates(campaignId).find((x) => x.name === 'short')!;
      // leadIds[0] got the long text already; this is a different template, so not a duplicate.
      const b = sms.startBulk({ campaignId, templateId: t.id, filter: { leadIds: [leadIds[0]!] } }, actor);
      await until('sent through noise', () => messagesOf(b.id)[0]!.state === 'delivered');
    } finally {
      sim.faults.garbage = false;
      sim.faults.slowMs = 0;
    }
  });

  it('no SIM → no_sim (+CME ERROR: 10); SIM back → ready', async () => {
    sim.faults.noSim = true;
    await sms.restartModem();
    await until('no_sim', () => sms.modemStatus().state === 'no_sim');
    expect(sms.modemStatus().error).toBe('SIM not inserted (+CME ERROR: 10)');
    expect(frames.some((f) => f.type === 'sms.modem' && f.data.state === 'no_sim')).toBe(true);
    sim.faults.noSim = false;
    await sms.restartModem();
    await until('ready', () => sms.modemStatus().state === 'ready');
  });

  it('opt-out reply "退订" → do-not-call (opt_out), audited, queued SMS to that number stopped', async () => {
    sim.setRegistration(2); // hold the queue so a message to the number stays queued
    await until('no_network', () => sms.modemStatus().state === 'no_network');
    const t = sms.templates(campaignId).find((x) => x.name === 'short')!;
    const b = sms.startBulk({ campaignId, templateId: t.id, filter: { leadIds: [leadIds[1]!] } }, actor);
    expect(messagesOf(b.id)[0]!.state).toBe('queued');
    sim.injectIncoming('+8613900000002', ' 退订。');
    await until('opt-out stored', () => sms.inbox().items.find((i) => i.phone === '13900000002'));
    const item = sms.inbox().items.find((i) => i.phone === '13900000002')!;
    expect(item).toMatchObject({ optOut: true, leadId: leadIds[1], campaignId });
    expect(e.mod.dnc.active('13900000002', new Date())).toMatchObject({ reason: 'opt_out', createdBy: 'sms' });
    expect(messagesOf(b.id)[0]).toMatchObject({ state: 'skipped', reason: 'opt_out' });
    expect(e.audit.recent(20).some((a) => a.action === 'sms.opt_out' && a.target === `sms-in:${item.id}`)).toBe(true);
    await until('SIM storage emptied', () => sim.storedCount === 0); // read with AT+CMGR, deleted with AT+CMGD
    sim.setRegistration(1);
    await until('ready', () => sms.modemStatus().state === 'ready');
  });

  it('a long reply in 2 parts is joined into one inbox row (not an opt-out)', async () => {
    const text = '你好，我想了解一下你们的会员活动具体是什么时间开始，需要带什么证件，家里老人可以一起参加吗？另外停车是否方便，附近有没有地铁站，谢谢！'.repeat(2);
    sim.injectIncoming('+8613900000003', text);
    const item = await until('joined reply', () => sms.inbox().items.find((i) => i.phone === '13900000003'));
    expect(item).toMatchObject({ body: text, parts: 2, optOut: false });
    expect(e.mod.dnc.active('13900000003', new Date())).toBeNull();
  });

  it('send-after-call: a disposition with an after_call template queues and sends the SMS', async () => {
    const t = sms.createTemplate({ campaignId, name: 'follow', body: '{{name}}您好，资料已发送。', trigger: 'after_call', dispositions: ['thinking'], enabled: true }, actor);
    sms.afterDisposition({ leadId: leadIds[2]!, campaignId, disposition: 'not_interested', agentId: null, at: new Date() });
    expect(sms.outbox({}).items.filter((m) => m.templateId === t.id)).toHaveLength(0);
    sms.afterDisposition({ leadId: leadIds[2]!, campaignId, disposition: 'thinking', agentId: 1, at: new Date() });
    const m = await until('after-call delivered', () => sms.outbox({}).items.find((x) => x.templateId === t.id && x.state === 'delivered'));
    expect(m).toMatchObject({ source: 'after_call', body: '客户3您好，资料已发送。', createdBy: 'agent:1' });
    const last = sim.sent.at(-1)!.pdu as DecodedSubmit;
    expect(last.text).toBe('客户3您好，资料已发送。');
    // Twice the same disposition the same day: one SMS only.
    sms.afterDisposition({ leadId: leadIds[2]!, campaignId, disposition: 'thinking', agentId: 1, at: new Date() });
    expect(sms.outbox({}).items.filter((x) => x.templateId === t.id).map((x) => x.state)).toEqual(['skipped', 'delivered']);
  });
});

describe('demo mode: the module runs the simulated modem on its own socat pair', () => {
  it('seeds templates, sends a campaign SMS through the simulator, takes an opt-out, and stops socat', async () => {
    const d = env();
    try {
      const c = d.mod.campaigns.create({ name: 'Demo SMS', settings: { hours: { timezone: 'Asia/Shanghai', weekly: ALL_DAY, holidays: [] } } });
      d.mod.campaigns.setStatus(c.id, 'active', new Date());
      const { leadIds: ids } = addList(d.db, c.id, 2, { phones: ['17000000001', '17000000002'], names: ['王伟', '李娜'] });
      const demo = new SmsModule({ db: d.db, audit: d.audit, live: d.live, logger: silentLogger(), campaigns: d.mod, demo: true, tickMs: 50 });
      await demo.start();
      try {
        await until('demo modem ready', () => demo.modemStatus().state === 'ready');
        expect(demo.settings()).toMatchObject({ enabled: true, device: 'demo' });
        expect(demo.modemStatus().model).toContain('EC25');
        const tpl = demo.templates(c.id);
        expect(tpl.map((x) => x.trigger).sort()).toEqual(['after_call', 'manual']);
        const manual = tpl.find((x) => x.trigger === 'manual')!;
        // A lead without the "company" field the template uses is skipped with the field named.
        d.db.prepare(`UPDATE leads SET fields_json = '{"company":"华夏商贸"}' WHERE id = ?`).run(ids[0]);
        d.db.prepare(`UPDATE leads SET fields_json = '{}' WHERE id = ?`).run(ids[1]);
        const b = demo.startBulk({ campaignId: c.id, templateId: manual.id, filter: {} }, actor);
        expect(demo.outbox({ batchId: b.id }).items.find((m) => m.leadId === ids[1])).toMatchObject({ state: 'skipped', reason: 'missing:fields.company' });
        const sent = await until('demo SMS sent', () => demo.outbox({ batchId: b.id }).items.find((m) => m.leadId === ids[0] && (m.state === 'sent' || m.state === 'delivered')));
        expect(sent.body.startsWith('王伟您好，华夏商贸')).toBe(true);
        expect(demo.simulator!.sent.at(-1)!.pdu.to).toBe('+8617000000001');
        demo.demoIncoming('+8617000000001', 'TD', actor);
        await until('demo opt-out', () => d.mod.dnc.active('17000000001', new Date())?.reason === 'opt_out');
      } finally {
        await demo.stop();
      }
      expect(demo.simulator).toBeNull();
      expect(demo.modemStatus().state).toBe('closed');
    } finally {
      d.db.close();
    }
  });
});
