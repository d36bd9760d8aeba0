// The event-lag meter behind GET /system/metrics and the capacity bench: lag = the time from
// Asterisk's Timestamp header to the moment every listener has handled the event.
import { afterEach, describe, expect, it } from 'vitest';
import type { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { EventLagMeter } from '../../firmware-agent/src/ami/event-lag.js';
import { FakeAmiServer, clientFor } from '../support/fake-ami.js';

describe('EventLagMeter', () => {
  it('gives nearest-rank percentiles of the samples since a moment', () => {
    const m = new EventLagMeter(1000);
    const t0 = 1_700_000_000_000;
    // 100 samples of 1..100 ms at t0, then 10 slow ones (500 ms) later.
    for (let i = 1; i <= 100; i++) m.record(((t0 - i) / 1000).toFixed(6), t0);
    for (let i = 0; i < 10; i++) m.record(((t0 + 5000 - 500) / 1000).toFixed(6), t0 + 5000);
    const all = m.summary(0);
    expect(all.count).toBe(110);
    expect(all.p50).toBe(55);
    expect(all.max).toBe(500);
    const late = m.summary(t0 + 1);
    expect(late).toEqual({ count: 10, p50: 500, p99: 500, max: 500 });
    expect(m.summary(t0 + 10_000)).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('keeps only the newest samples and ignores unusable timestamps', () => {
    const m = new EventLagMeter(4);
    const now = 2_000_000_000_000;
    for (const lag of [900, 900, 1, 2, 3, 4]) m.record(((now - lag) / 1000).toFixed(6), now);
    m.record('not-a-number', now);
    m.record('0', now);
    expect(m.summary()).toMatchObject({ count: 4, max: 4 });
    // A clock step backwards is not a negative lag.
    m.record(((now + 1000) / 1000).toFixed(6), now);
    expect(m.summary().count).toBe(4);
    expect(Math.min(m.summary().p50, 0)).toBe(0);
  });
});

describe('AsteriskAmiClient event lag', () => {
  let fake: FakeAmiServer | undefined;
  let client: AsteriskAmiClient | undefined;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  it('measures after the listeners ran, from events that carry a Timestamp', async () => {
    fake = await FakeAmiServer.start();
    client = clientFor(fake);
    let seen = 0;
    // A slow listener: 30 ms of work per event must show in the lag.
    client.on('event', (msg) => {
      if (msg.get('Event') !== 'Newchannel') return;
      seen++;
      const until = Date.now() + 30;
      while (Date.now() < until);
    });
    await client.connect();
    const ts = () => (Date.now() / 1000).toFixed(6);
    fake.broadcastEvent([['Event', 'Newchannel'], ['Timestamp', ts()], ['Channel', 'PJSIP/8001-1']]);
    fake.broadcastEvent([['Event', 'Newchannel'], ['Channel', 'PJSIP/8001-2']]); // no Timestamp: not measured
    const deadline = Date.now() + 5000;
    while (seen < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const s = client.eventLag.summary();
    expect(s.count).toBe(1);
    expect(s.p50).toBeGreaterThanOrEqual(29);
  });
});
