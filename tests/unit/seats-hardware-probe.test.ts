// Telephony cards on the box side: the host-root fixtures (built from tests/fixtures/dahdi),
// the probes that read them, and the monitor that turns alarm changes into events.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { HardwareMonitor } from '../../firmware-agent/src/hardware-inventory/monitor.js';
import { CommandProbe, FixtureProbe, NullProbe, selectProbe } from '../../firmware-agent/src/hardware-inventory/probe.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
// @ts-expect-error plain JS build script without types
import { buildHostRoots } from '../fixtures/host-root/build.mjs';

const HOST_ROOT = join(__dirname, '..', 'fixtures', 'host-root');

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.endsWith('.mjs')) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('host-root fixtures', () => {
  it('are exactly what build.mjs makes of tests/fixtures/dahdi (rebuild: node tests/fixtures/host-root/build.mjs)', () => {
    const out = mkdtempSync(join(tmpdir(), 'host-root-'));
    try {
      const boxes = buildHostRoots(out) as string[];
      expect(boxes).toEqual(['box48', 'box48-red', 'lab', 'tdm410p', 'none']);
      expect(files(HOST_ROOT)).toEqual(files(out));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('probes', () => {
  it('FixtureProbe reads the command outputs and every /proc/dahdi/N in span order', async () => {
    const out = await new FixtureProbe(join(HOST_ROOT, 'box48')).read();
    expect(out.source).toBe('fixture');
    expect(out.errors).toEqual([]);
    expect(out.hardware).toContain('opvxd115');
    expect(out.scan).toContain('[3]');
    expect((out.proc as string[]).map((t) => /Span (\d+):/.exec(t)?.[1])).toEqual(['1', '2', '3']);
  });

  it('a box without cards has no /proc/dahdi: nothing detected, no error', async () => {
    const out = await new FixtureProbe(join(HOST_ROOT, 'none')).read();
    expect(out.errors).toEqual([]);
    expect(out.proc).toEqual([]);
  });

  it('a missing output is reported, not thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-'));
    try {
      const out = await new FixtureProbe(dir).read();
      expect(out.errors.join('\n')).toMatch(/commands\/dahdi_hardware\.txt: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CommandProbe says which tool is missing', async () => {
    const out = await new CommandProbe('/nonexistent', { hardware: 'seatbox-no-such-tool-1', scan: 'seatbox-no-such-tool-2' }).read();
    expect(out.errors).toEqual(['seatbox-no-such-tool-1: not installed', 'seatbox-no-such-tool-2: not installed']);
  });

  it('selectProbe: recorded outputs when the host root has them, else none (no DAHDI tools here)', () => {
    expect(selectProbe(join(HOST_ROOT, 'lab'))).toBeInstanceOf(FixtureProbe);
    expect(selectProbe('/nonexistent')).toBeInstanceOf(NullProbe);
    expect(selectProbe(undefined)).toBeInstanceOf(NullProbe);
  });
});

describe('HardwareMonitor', () => {
  let dir: string;
  let host: string;
  let db: Db;
  const frames: LiveMessage[] = [];
  const live = new LiveFeed();
  live.on('message', (m: LiveMessage) => frames.push(m));
  const monitor = () => new HardwareMonitor({ probe: new FixtureProbe(host), db, settings: new SettingsStore(db), live, logger: silentLogger() });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hw-monitor-'));
    host = join(dir, 'host');
    cpSync(join(HOST_ROOT, 'box48'), host, { recursive: true });
    db = openDatabase(join(dir, 'data'));
    frames.length = 0;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const useRed = (red: boolean) => {
    const from = join(HOST_ROOT, red ? 'box48-red' : 'box48');
    cpSync(join(from, 'commands', 'dahdi_scan.txt'), join(host, 'commands', 'dahdi_scan.txt'));
    cpSync(join(from, 'proc', 'dahdi', '1'), join(host, 'proc', 'dahdi', '1'));
  };

  it('publishes every span once, then alarm raised / cleared as events, frames and rows', async () => {
    const m = monitor();
    await m.pollNow();
    expect(frames.filter((f) => f.type === 'span.updated').map((f) => f.type === 'span.updated' && f.data.span)).toEqual([1, 2, 3]);
    expect(frames.filter((f) => f.type === 'alarm')).toEqual([]);
    expect(m.events()).toEqual([]);

    frames.length = 0;
    await m.pollNow(); // nothing changed: nothing sent
    expect(frames).toEqual([]);

    useRed(true);
    await m.pollNow();
    const alarm = frames.find((f) => f.type === 'alarm');
    expect(alarm?.type === 'alarm' && alarm.data).toMatchObject({ source: 'span:1', severity: 'critical' });
    const span = frames.find((f) => f.type === 'span.updated');
    expect(span?.type === 'span.updated' && span.data).toMatchObject({ span: 1, alarms: ['RED'], channels: 30, channelsInUse: 0 });
    expect(m.events()[0]).toMatchObject({ kind: 'alarm_raised', span: 1, alarms: ['RED'], severity: 'critical', card: 'pci:0000:02:00.0' });

    frames.length = 0;
    useRed(false);
    await m.pollNow();
    expect(frames.find((f) => f.type === 'alarm')?.data).toMatchObject({ severity: 'info', message: 'span 1 (D115/0/1): alarm cleared (RED → OK)' });
    expect(m.events().map((e) => e.kind)).toEqual(['alarm_cleared', 'alarm_raised']);
  });

  it('a restart does not log an alarm that was already known; a span in alarm at first start is logged', async () => {
    useRed(true);
    await monitor().pollNow();
    expect(db.prepare('SELECT count(*) AS n FROM hardware_events').get()).toEqual({ n: 1 });
    await monitor().pollNow(); // "restart"
    expect(db.prepare('SELECT count(*) AS n FROM hardware_events').get()).toEqual({ n: 1 });
  });

  it('a card that vanishes is a critical event', async () => {
    await monitor().pollNow();
    const hw = join(host, 'commands', 'dahdi_hardware.txt');
    writeFileSync(hw, readFileSync(hw, 'utf8').split('\n').filter((l) => !l.includes('06:01.0')).join('\n'));
    const m = monitor();
    await m.pollNow();
    expect(m.events()[0]).toMatchObject({ kind: 'card_removed', severity: 'critical', card: 'pci:0000:06:01.0', message: 'card Digium TDM2400P at pci:0000:06:01.0 is no longer detected' });
  });

  it('counts busy DAHDI channels per span from the calls', async () => {
    const m = new HardwareMonitor({ probe: new FixtureProbe(host), db, settings: new SettingsStore(db), live, logger: silentLogger(), channelsInUse: () => new Set([32, 33, 60]) });
    await m.pollNow();
    expect(m.spansLive().map((s) => [s.span, s.channelsInUse, s.channels])).toEqual([
      [1, 0, 30],
      [2, 2, 24],
      [3, 1, 24],
    ]);
  });
});
