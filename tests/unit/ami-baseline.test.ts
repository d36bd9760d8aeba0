import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countEvents, measureAmiClientReplay, measureAsteriskManagerBaseline } from '../../firmware-agent/src/ami/baseline.js';

const call = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/ami/local-call-events.raw'));

describe('AMI benchmark baseline (asterisk-manager over TCP)', () => {
  const bytes = Buffer.concat(Array.from({ length: 100 }, () => call));

  it('counts the events of a stream', () => {
    expect(countEvents(call)).toBe(98);
    expect(countEvents(bytes)).toBe(9800);
  });

  it('measureAsteriskManagerBaseline replays the bytes and counts every event asterisk-manager emits', async () => {
    const r = await measureAsteriskManagerBaseline(bytes);
    expect(r).toMatchObject({ events: 9800, expected: 9800, complete: true, bytes: bytes.length });
    expect(r.eventsPerSecond).toBeGreaterThan(0);
    expect(r.seconds).toBeGreaterThan(0);
  });

  it('measureAmiClientReplay does the same through AsteriskAmiClient', async () => {
    const r = await measureAmiClientReplay(bytes);
    expect(r).toMatchObject({ events: 9800, expected: 9800, complete: true });
    expect(r.eventsPerSecond).toBeGreaterThan(0);
  });
});
