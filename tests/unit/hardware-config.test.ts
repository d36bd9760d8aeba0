import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DahdiConfigError,
  defaultDahdiConfig,
  detectTelephonyHardware,
  modprobeOptions,
  proposeDahdiConfig,
  renderChanDahdiConf,
  renderSystemConf,
  validateDahdiConfig,
  type AnalogSpanConfig,
  type DahdiConfig,
  type DahdiIssue,
  type PriSpanConfig,
  type R2SpanConfig,
  type TelephonyInventory,
} from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const read = (rel: string) => fs.readFileSync(path.join(FIX, rel), 'utf8');

const box: TelephonyInventory = detectTelephonyHardware({
  hardware: read('cards/box48/dahdi_hardware.txt'),
  scan: read('cards/box48/dahdi_scan.txt'),
  proc: [1, 2, 3].map((n) => read(`cards/box48/proc-dahdi-${n}.txt`)),
});
const tdm410p: TelephonyInventory = detectTelephonyHardware({
  hardware: read('cards/tdm410p/dahdi_hardware.txt'),
  scan: read('cards/tdm410p/dahdi_scan.txt'),
});

const pri = (over: Partial<PriSpanConfig> = {}): PriSpanConfig => ({
  span: 1,
  type: 'pri',
  line: 'E1',
  firstChannel: 1,
  timing: 1,
  lbo: 0,
  trunkGroup: 11,
  signalling: 'pri_cpe',
  switchtype: 'euroisdn',
  framing: 'ccs',
  coding: 'hdb3',
  crc4: true,
  dchannel: 16,
  ...over,
});
const r2 = (over: Partial<R2SpanConfig> = {}): R2SpanConfig => ({
  span: 1,
  type: 'r2',
  line: 'E1',
  firstChannel: 1,
  timing: 1,
  lbo: 0,
  trunkGroup: 11,
  variant: 'cn',
  maxAni: 20,
  maxDnis: 4,
  category: 'national_subscriber',
  getAniFirst: false,
  ...over,
});
const analog410 = (ports: AnalogSpanConfig['ports']): DahdiConfig =>
  defaultDahdiConfig([{ span: 1, type: 'analog', firstChannel: 1, channelCount: 4, ports }]);

function errorsOf(cfg: unknown, inv?: TelephonyInventory): DahdiIssue[] {
  const r = validateDahdiConfig(cfg, inv);
  return r.ok ? [] : r.errors;
}

describe('validateDahdiConfig: the proposals are valid', () => {
  it('48-seat box, R2 and PRI variants', () => {
    expect(errorsOf(proposeDahdiConfig(box, { e1Signalling: 'r2' }).config, box)).toEqual([]);
    expect(errorsOf(proposeDahdiConfig(box, { e1Signalling: 'pri_net' }).config, box)).toEqual([]);
  });
});

describe('validateDahdiConfig: refusals name the span or port and why', () => {
  it('an FXS port assigned to two seats', () => {
    const cfg = analog410([
      { channel: 1, kind: 'FXS', extension: '8001' },
      { channel: 1, kind: 'FXS', extension: '8002' },
    ]);
    expect(errorsOf(cfg)).toEqual([
      {
        path: 'spans[0].ports[1].channel',
        message: 'span 1 (analog), channel 1 (FXS port, seat 8002): channel 1 is already the FXS port of seat 8001; one port serves one seat or one line',
      },
    ]);
  });

  it('one seat on two ports', () => {
    const cfg = analog410([
      { channel: 1, kind: 'FXS', extension: '8001' },
      { channel: 2, kind: 'FXS', extension: '8001' },
    ]);
    expect(errorsOf(cfg)).toEqual([
      { path: 'spans[0].ports[1].extension', message: 'span 1 (analog), channel 2 (FXS port, seat 8001): extension 8001 is already the seat on channel 1; a seat has one phone port' },
    ]);
  });

  it('a PRI span with T1 framing and coding on an E1', () => {
    expect(errorsOf(defaultDahdiConfig([pri({ framing: 'esf', coding: 'b8zs' })]))).toEqual([
      { path: 'spans[0].framing', message: 'span 1 (E1 PRI): framing "esf" is a T1 framing; an E1 PRI uses "ccs"' },
      { path: 'spans[0].coding', message: 'span 1 (E1 PRI): coding "b8zs" is a T1 line coding; an E1 uses "hdb3"' },
    ]);
  });

  it('a PRI E1 with CAS framing', () => {
    expect(errorsOf(defaultDahdiConfig([pri({ framing: 'cas' })]))).toEqual([
      { path: 'spans[0].framing', message: 'span 1 (E1 PRI): framing "cas" is for channel-associated signalling (MFC/R2); a PRI needs "ccs"' },
    ]);
  });

  it('crc4 on a T1', () => {
    const t1 = pri({ line: 'T1', framing: 'esf', coding: 'b8zs', crc4: true, dchannel: 24, switchtype: 'national' });
    expect(errorsOf(defaultDahdiConfig([t1]))).toEqual([
      { path: 'spans[0].crc4', message: 'span 1 (T1 PRI): crc4 exists only on E1 lines; a T1 has no CRC-4 multiframe (set crc4 to false)' },
    ]);
    expect(errorsOf(defaultDahdiConfig([{ ...t1, crc4: false }]))).toEqual([]);
  });

  it('E1 framing on a T1', () => {
    expect(errorsOf(defaultDahdiConfig([pri({ line: 'T1', framing: 'ccs', coding: 'hdb3', crc4: false, dchannel: 24 })]))).toEqual([
      { path: 'spans[0].framing', message: 'span 1 (T1 PRI): framing "ccs" is an E1 framing; a T1 uses "esf" (or "d4")' },
      { path: 'spans[0].coding', message: 'span 1 (T1 PRI): coding "hdb3" is an E1 line coding; a T1 uses "b8zs" (or "ami")' },
    ]);
  });

  it('an R2 span without a variant', () => {
    const { variant: _v, ...noVariant } = r2();
    expect(errorsOf(defaultDahdiConfig([noVariant as R2SpanConfig]))).toEqual([
      { path: 'spans[0].variant', message: 'span 1 (E1 MFC/R2): MFC/R2 variant missing (mfcr2_variant); China uses "cn"' },
    ]);
  });

  it('an R2 span on a T1, and a D-channel on an R2 span', () => {
    expect(errorsOf(defaultDahdiConfig([r2({ line: 'T1' })]))).toEqual([
      { path: 'spans[0].line', message: 'span 1 (T1 MFC/R2): MFC/R2 runs on E1 lines only (timeslot 16 carries the R2 line signalling)' },
    ]);
    expect(errorsOf(defaultDahdiConfig([{ ...r2(), dchannel: 16 } as R2SpanConfig]))).toEqual([
      { path: 'spans[0].dchannel', message: 'span 1 (E1 MFC/R2): is not a known setting' },
    ]);
  });

  it('a D-channel missing, on the wrong timeslot, outside the span', () => {
    const { dchannel: _d, ...noD } = pri();
    expect(errorsOf(defaultDahdiConfig([noD as PriSpanConfig]))).toEqual([
      { path: 'spans[0].dchannel', message: 'span 1 (E1 PRI): D-channel missing: an E1 PRI signals on timeslot 16, channel 16 of this span (channels 1-31)' },
    ]);
    expect(errorsOf(defaultDahdiConfig([pri({ dchannel: 1 })]))).toEqual([
      { path: 'spans[0].dchannel', message: 'span 1 (E1 PRI): D-channel 1 is timeslot 1; an E1 PRI carries its D-channel on timeslot 16 (channel 16)' },
    ]);
    expect(errorsOf(defaultDahdiConfig([pri({ firstChannel: 32, dchannel: 16 })]))).toEqual([
      { path: 'spans[0].dchannel', message: 'span 1 (E1 PRI): D-channel 16 is outside the span (channels 32-62)' },
    ]);
  });

  it('a channel outside the span', () => {
    expect(errorsOf(analog410([{ channel: 5, kind: 'FXO', trunkGroup: 1 }]))).toEqual([
      { path: 'spans[0].ports[0].channel', message: 'span 1 (analog), channel 5 (FXO port, trunk group 1): channel 5 is outside the span (channels 1-4)' },
    ]);
  });

  it('against the hardware: a channel outside the card, the wrong module, an empty slot', () => {
    const cfg = defaultDahdiConfig([
      {
        span: 1,
        type: 'analog',
        firstChannel: 1,
        channelCount: 5,
        ports: [
          { channel: 5, kind: 'FXS', extension: '8005' },
          { channel: 3, kind: 'FXS', extension: '8003' },
          { channel: 1, kind: 'FXO', trunkGroup: 1 },
        ],
      },
    ]);
    expect(errorsOf(cfg, tdm410p)).toEqual([
      { path: 'spans[0].channelCount', message: 'span 1 (analog): channelCount 5 does not match the card: span 1 has 4 channels' },
      { path: 'spans[0].ports[0].channel', message: 'span 1 (analog), channel 5 (FXS port, seat 8005): channel 5 is not on the card (the card has channels 1-4)' },
      { path: 'spans[0].ports[1].kind', message: "span 1 (analog), channel 3 (FXS port, seat 8003): port 3 is an FXO port (a PSTN line plugs in); a seat's phone needs an FXS port" },
      { path: 'spans[0].ports[2].kind', message: 'span 1 (analog), channel 1 (FXO port, trunk group 1): port 1 is an FXS port (a phone plugs in); a trunk line needs an FXO port' },
    ]);
    const tdm2400p = detectTelephonyHardware({ scan: read('cards/tdm2400p/dahdi_scan.txt') });
    const empty = defaultDahdiConfig([{ span: 1, type: 'analog', firstChannel: 1, channelCount: 24, ports: [{ channel: 21, kind: 'FXS', extension: '8021' }] }]);
    expect(errorsOf(empty, tdm2400p)).toEqual([
      { path: 'spans[0].ports[0].channel', message: 'span 1 (analog), channel 21 (FXS port, seat 8021): port 21 has no module (empty slot)' },
    ]);
  });

  it('against the hardware: spans that do not exist or are of another kind', () => {
    const cfg = defaultDahdiConfig([pri({ span: 2, firstChannel: 32, dchannel: 47 }), { span: 1, type: 'analog', firstChannel: 1, channelCount: 31, ports: [] }, pri({ span: 4, firstChannel: 80, dchannel: 95, timing: 2 })]);
    expect(errorsOf(cfg, box)).toEqual([
      { path: 'spans[0].type', message: 'span 2 (E1 PRI): span 2 is an analog span (WCTDM/0, Wildcard TDM2400P); PRI and MFC/R2 need an E1/T1 span' },
      { path: 'spans[1].type', message: 'span 1 (analog): span 1 is an E1 span (D115/0/1, D115 (E1/T1) Card 0 Span 1)' },
      { path: 'spans[2].span', message: 'span 4 (E1 PRI): span 4 does not exist on this box (detected spans: 1, 2, 3)' },
    ]);
    expect(errorsOf(defaultDahdiConfig([r2({ firstChannel: 2 })]), box)).toContainEqual({
      path: 'spans[0].firstChannel',
      message: 'span 1 (E1 MFC/R2): firstChannel 2 does not match the card: span 1 starts at channel 1',
    });
  });

  it('spans twice, overlapping channels, one timing priority for two clock sources', () => {
    const cfg = defaultDahdiConfig([r2(), pri({ firstChannel: 20, dchannel: 35 }), pri({ span: 2, firstChannel: 51, dchannel: 66, timing: 1 })]);
    expect(errorsOf(cfg)).toEqual([
      { path: 'spans[1].span', message: 'span 1 (E1 PRI): span 1 is configured twice (also spans[0])' },
      { path: 'spans[1].firstChannel', message: 'span 1 (E1 PRI): channels 20-50 overlap span 1 (E1 MFC/R2) (channels 1-31)' },
      { path: 'spans[1].timing', message: 'span 1 (E1 PRI): timing priority 1 is also given to span 1; each clock source needs its own priority' },
      { path: 'spans[2].timing', message: 'span 2 (E1 PRI): timing priority 1 is also given to span 1; each clock source needs its own priority' },
    ]);
  });

  it('schema: wrong values get their own message, case-sensitive opermode included', () => {
    const cfg = {
      ...analog410([
        { channel: 1, kind: 'FXS', extension: '80a1', callerName: 'Bob "the seat"' },
        { channel: 2, kind: 'FXX', trunkGroup: 1 },
        { channel: 3, kind: 'FXO' },
      ] as never),
      opermode: 'china',
      toneZone: 'xx',
    };
    const errors = errorsOf(cfg);
    expect(errors).toContainEqual({ path: 'opermode', message: expect.stringMatching(/^must be an fxo_modes.h name \(case-sensitive\), one of FCC, TBR21, .*CHINA/) });
    expect(errors).toContainEqual({ path: 'toneZone', message: 'must be one of cn, us' });
    expect(errors).toContainEqual({ path: 'spans[0].ports[0].extension', message: 'span 1 (analog), channel 1: must be an extension of 2-8 digits' });
    expect(errors).toContainEqual({ path: 'spans[0].ports[0].callerName', message: 'span 1 (analog), channel 1: must be 1-40 characters without \'"\', \'<\', \'>\', \'\\\', \';\'' });
    expect(errors).toContainEqual({ path: 'spans[0].ports[1].kind', message: 'span 1 (analog), channel 2: must be "FXS" (a phone plugs in) or "FXO" (a PSTN line plugs in)' });
    expect(errors).toContainEqual({ path: 'spans[0].ports[2].trunkGroup', message: 'span 1 (analog), channel 3: is required' });
  });

  it('schema: not a config at all', () => {
    expect(errorsOf(null)).toEqual([{ path: '', message: 'expected object' }]);
    expect(errorsOf({ ...defaultDahdiConfig(), spans: [42, { type: 'bri' }] })).toEqual([
      { path: 'spans[0]', message: 'must be an object' },
      { path: 'spans[1].type', message: 'must be one of analog, pri (ISDN PRI), r2 (MFC/R2)' },
    ]);
  });
});

describe('generators refuse an invalid config', () => {
  it('throw DahdiConfigError naming the problem', () => {
    const bad = defaultDahdiConfig([pri({ framing: 'esf' })]);
    expect(() => renderSystemConf(bad)).toThrow(DahdiConfigError);
    expect(() => renderChanDahdiConf(bad)).toThrow(/spans\[0\]\.framing: span 1 \(E1 PRI\): framing "esf" is a T1 framing/);
    expect(() => modprobeOptions(bad, box)).toThrow(DahdiConfigError);
  });
});

describe('modprobeOptions', () => {
  it('opermode for every analog driver, E1 line mode for the digital ones, unknown drivers left alone', () => {
    const inv = detectTelephonyHardware({
      hardware: [
        'pci:0000:01:00.0     wcte13xp+    d161:800a Wildcard TE131/TE133',
        'pci:0000:02:00.0     wctdm+       e159:0001 Wildcard TDM400P REV E/F',
        'pci:0000:03:00.0     wcb4xxp+     d161:b410 Digium Wildcard B410P',
      ].join('\n'),
      scan: '[1]\nname=WCT13x/0\nlocation=PCI Express Bus 01 Slot 01\ntype=digital-E1\nbasechan=1\ntotchans=31',
    });
    const text = modprobeOptions(defaultDahdiConfig([r2()]), inv);
    expect(text).toContain('options wcte13xp default_linemode=e1\n');
    expect(text).toContain('# wcte13xp: E1 line mode for every span (default "t1").\n');
    expect(text).toContain('options wctdm opermode=CHINA\n');
    expect(text).toContain("# wcb4xxp: no module options known to SeatBox; left at the driver's defaults.\n");
  });
});
