// The SMS send queue on a fixed clock (real SQLite file, campaigns module, DNC): the rate limit
// per minute (in SMS parts), waiting for the campaign's calling hours, DNC checked right before
// sending, retry backoff doubling up to maxAttempts, status reports per part. The modem here is
// an in-memory SmsModem that records what it is given; the AT modem over a real pty is
// tests/integration/sms-modem.test.ts.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SmsSendError, type ModemStatus, type SendPart, type SmsModem } from '../../firmware-agent/src/sms/modem.js';
import { decodePdu, type DecodedSubmit } from '../../firmware-agent/src/sms/pdu.js';
import { SmsModule } from '../../firmware-agent/src/sms/sms-module.js';
import { defaultSmsSettings } from '../../firmware-agent/src/sms/sms-settings.js';
import { addList, cleanup, env, type Env } from './campaigns-support.js';

class MemoryModem extends EventEmitter implements SmsModem {
  sent: DecodedSubmit[] = [];
  failWith: Array<number | null> = [];
  private mr = 0;
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  status(): ModemStatus {
    return { state: 'ready', operator: 'X', signal: 20, registration: 1, model: null, imei: null, error: null, path: null, since: '' };
  }
  async send(parts: SendPart[]): Promise<number[]> {
    const code = this.failWith.shift();
    if (code !== undefined && code !== null) throw new SmsSendError(`+CMS ERROR: ${code}`, code, code === 500);
    return parts.map((p) => {
      this.sent.push(decodePdu(p.hex) as DecodedSubmit);
      return (this.mr = (this.mr + 1) & 0xff);
    });
  }
}

let e: Env;
let modem: MemoryModem;
let sms: SmsModule;
const actor = { userId: null, username: 'mgr' };

beforeEach(async () => {
  e = env();
  modem = new MemoryModem();
  sms = new SmsModule({ db: e.db, audit: e.audit, live: e.live, logger: silentLogger(), campaigns: e.mod, modemFactory: () => modem, now: () => e.clock.date, tickMs: 3_600_000 });
  await sms.saveSettings({ ...defaultSmsSettings(), enabled: true, device: '/dev/ttyUSB2', ratePerMinute: 3, maxAttempts: 3, retrySeconds: 60 }, actor);
  await sms.start();
});
afterEach(async () => {
  await sms.stop();
  e.db.close();
  cleanup();
});

function bulk(n: number, body = 'Hi {{name}}') {
  const c = e.mod.campaigns.create({ name: `C${Math.random()}`.slice(0, 20) });
  e.mod.campaigns.setStatus(c.id, 'active', e.clock.date);
  const { leadIds } = addList(e.db, c.id, n, { names: Array.from({ length: n }, (_, i) => `n${i}`) });
  const t = sms.createTemplate({ campaignId: c.id, name: 't', body, trigger: 'manual', dispositions: [], enabled: true }, actor);
  return { campaignId: c.id, leadIds, batch: sms.startBulk({ campaignId: c.id, templateId: t.id, filter: {} }, actor) };
}
const states = (batchId: number) => sms.outbox({ batchId, limit: 500 }).items.map((m) => m.state).sort();

describe('SMS send queue', () => {
  it('rate limit: 3 parts per sliding minute', async () => {
    const { batch } = bulk(5); // the clock: Monday 10:00 Shanghai, inside 09:00–21:00
    await sms.tick();
    expect(modem.sent).toHaveLength(3);
    e.clock.advanceMin(0.5);
    await sms.tick();
    expect(modem.sent).toHaveLength(3);
    e.clock.advanceMin(0.6);
    await sms.tick();
    expect(modem.sent).toHaveLength(5);
    expect(states(batch.id)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(sms.batch(batch.id).state).toBe('done');
    expect(modem.sent[0]!.to).toMatch(/^\+86139/);
  });

  it('a multipart message counts its parts against the rate', async () => {
    bulk(2, '{{name}}' + '中'.repeat(100)); // 2 parts each
    await sms.tick();
    expect(modem.sent).toHaveLength(2); // one message (2 parts); the second would make 4 > 3
    e.clock.advanceMin(1.1);
    await sms.tick();
    expect(modem.sent).toHaveLength(4);
  });

  it('outside calling hours: waits until they open, then sends', async () => {
    e.clock.setLocal('2026-03-02', '21:30');
    const { batch } = bulk(1);
    await sms.tick();
    expect(modem.sent).toHaveLength(0);
    const m = sms.outbox({ batchId: batch.id }).items[0]!;
    expect(m).toMatchObject({ state: 'queued', reason: 'waiting_hours', nextAttemptAt: '2026-03-03T01:00:00.000Z' }); // 09:00 Shanghai
    e.clock.setLocal('2026-03-03', '08:59');
    await sms.tick();
    expect(modem.sent).toHaveLength(0);
    e.clock.setLocal('2026-03-03', '09:00');
    await sms.tick();
    expect(modem.sent).toHaveLength(1);
  });

  it('a paused campaign holds its SMS; active again → they go', async () => {
    const c = e.mod.campaigns.create({ name: 'P' });
    e.mod.campaigns.setStatus(c.id, 'active', e.clock.date);
    addList(e.db, c.id, 1);
    const t = sms.createTemplate({ campaignId: c.id, name: 't', body: 'x', trigger: 'manual', dispositions: [], enabled: true }, actor);
    e.mod.campaigns.setStatus(c.id, 'paused', e.clock.date);
    const b = sms.startBulk({ campaignId: c.id, templateId: t.id, filter: {} }, actor);
    await sms.tick();
    expect(sms.outbox({ batchId: b.id }).items[0]).toMatchObject({ state: 'queued', reason: 'campaign_paused' });
    expect(modem.sent).toHaveLength(0);
    e.mod.campaigns.setStatus(c.id, 'active', e.clock.date);
    e.clock.advanceMin(1);
    await sms.tick();
    expect(modem.sent).toHaveLength(1);
  });

  it('DNC is checked right before sending (a number blocked after queueing is skipped)', async () => {
    const { batch } = bulk(2);
    const phone = sms.outbox({ batchId: batch.id }).items[0]!.phone!;
    e.mod.dnc.add({ phone, reason: 'complaint', now: e.clock.date });
    await sms.tick();
    expect(modem.sent).toHaveLength(1);
    expect(sms.outbox({ batchId: batch.id }).items.find((m) => m.phone === phone)).toMatchObject({ state: 'skipped', reason: 'dnc' });
  });

  it('transient errors retry with doubling backoff until maxAttempts, then fail with the code', async () => {
    modem.failWith.push(500, 500, 500);
    const { batch } = bulk(1); // startBulk runs the queue at once
    await sms.tick();
    let m = sms.outbox({ batchId: batch.id }).items[0]!;
    expect(m).toMatchObject({ state: 'queued', attempts: 1, cmsCode: 500, nextAttemptAt: new Date(e.clock.t + 60_000).toISOString() });
    e.clock.advanceMin(1);
    await sms.tick();
    m = sms.outbox({ batchId: batch.id }).items[0]!;
    expect(m).toMatchObject({ state: 'queued', attempts: 2, nextAttemptAt: new Date(e.clock.t + 120_000).toISOString() });
    e.clock.advanceMin(2);
    await sms.tick();
    expect(sms.outbox({ batchId: batch.id }).items[0]).toMatchObject({ state: 'failed', attempts: 3, reason: 'cms:500' });
    expect(modem.sent).toHaveLength(0);
  });

  it('status reports per part: delivered when all parts are, failed when one fails', async () => {
    const { batch } = bulk(2, '{{name}}' + '中'.repeat(100));
    await sms.tick();
    e.clock.advanceMin(1.1);
    await sms.tick();
    const [m1, m2] = sms.outbox({ batchId: batch.id }).items.sort((a, b) => a.id - b.id);
    const report = (ref: number, to: string, status: number) => modem.emit('status-report', { type: 'status-report', smsc: null, ref, recipient: to, at: e.clock.date, dischargedAt: e.clock.date, status, state: status < 0x20 ? 'delivered' : status < 0x40 ? 'pending' : 'failed' });
    report(1, `+86${m1!.phone}`, 0);
    expect(sms.message(m1!.id).state).toBe('sent'); // one of two parts
    report(2, `+86${m1!.phone}`, 0);
    expect(sms.message(m1!.id).state).toBe('delivered');
    report(3, `+86${m2!.phone}`, 0x20); // SC still trying
    expect(sms.message(m2!.id).state).toBe('sent');
    report(4, `+86${m2!.phone}`, 0x41);
    expect(sms.message(m2!.id)).toMatchObject({ state: 'failed', reason: 'report:41' });
    // A report for a reference to another number does not touch these messages.
    report(3, '+8613000000000', 0);
    expect(sms.message(m2!.id).state).toBe('failed');
  });
});
