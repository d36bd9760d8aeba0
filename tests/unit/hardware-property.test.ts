import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODINGS,
  defaultDahdiConfig,
  detectTelephonyHardware,
  formatChannelList,
  formatSpanLine,
  parseChannelList,
  parseDahdiHardware,
  parseDahdiScan,
  parseDahdiShowStatus,
  parseProcDahdi,
  parseSpanAlarms,
  parseSpanLine,
  parseSystemConf,
  renderChanDahdiConf,
  renderSystemConf,
  timeslotMap,
  validateDahdiConfig,
  type SpanConfig,
  type SpanLine,
} from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const fixtureTexts: string[] = [];
(function walk(dir: string) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.txt') || e.name.endsWith('.conf')) fixtureTexts.push(fs.readFileSync(p, 'utf8'));
  }
})(FIX);

/** Lines that look like tool output, mixed and mangled: the interesting garbage. */
const FRAGMENTS = [
  '[1]', '[', 'port=', 'port=1,FXS', 'port=x,', '=', 'alarms=', 'basechan=99999999999', 'Span 1: ', 'Span 2: X "', '"', '(', ')',
  '(EC: ', ' - ACTIVE)', 'IRQ misses: ', 'FXOKS', 'Reserved', 'RED', 'YEL/', 'HDB3/', 'CCS', '/CRC4', '\t', '   1 ', 'span=',
  'pci:0000:04:05.0', 'wctdm24xxp+', 'd161:8005', '__proto__=1', 'constructor', 'UNCONFI', 'SF (ToneOnly)', 'Description Alarms IRQ',
];
const mangled = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r', ' ', '#')), { maxLength: 60 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), mangled, fc.constantFrom(...fixtureTexts));

function lineCount(s: string): number {
  return s.split(/\r\n|\r|\n/).length;
}

describe('parsers never throw, and their warnings point into the text', () => {
  it('on arbitrary and mangled text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const n = lineCount(text);
        for (const r of [parseDahdiHardware(text), parseDahdiScan(text), parseProcDahdi(text), parseDahdiShowStatus(text), parseSystemConf(text)]) {
          for (const w of r.warnings) {
            expect(w.line).toBeGreaterThanOrEqual(1);
            expect(w.line).toBeLessThanOrEqual(n);
            expect(typeof w.message).toBe('string');
          }
        }
        parseSpanAlarms(text);
        const inv = detectTelephonyHardware({ hardware: text, scan: text, proc: [text, text] });
        expect(Array.isArray(inv.spans)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('on every prefix of a real output (a truncated read)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtureTexts), fc.nat(), (text, cut) => {
        const t = text.slice(0, cut % (text.length + 1));
        const full = parseProcDahdi(text).spans.length + parseDahdiScan(text).spans.length;
        const part = parseProcDahdi(t).spans.length + parseDahdiScan(t).spans.length;
        expect(part).toBeLessThanOrEqual(full);
        detectTelephonyHardware({ hardware: t, scan: t, proc: t });
        parseDahdiShowStatus(t);
      }),
      { numRuns: 300 },
    );
  });
});

describe('render -> parse round trips', () => {
  const spanLineArb: fc.Arbitrary<SpanLine> = fc.record({
    span: fc.integer({ min: 1, max: 128 }),
    timing: fc.integer({ min: 0, max: 128 }),
    lbo: fc.integer({ min: 0, max: 7 }),
    framing: fc.constantFrom('ccs', 'cas', 'esf', 'd4'),
    coding: fc.constantFrom(...CODINGS),
    crc4: fc.boolean(),
    yellow: fc.boolean(),
  });

  it('span= lines', () => {
    fc.assert(
      fc.property(spanLineArb, (s) => {
        const line = formatSpanLine(s);
        expect(line.startsWith('span=')).toBe(true);
        expect(parseSpanLine(line.slice('span='.length))).toEqual(s);
        expect(parseSystemConf(line).spans).toEqual([s]);
      }),
    );
  });

  it('channel lists', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 80 }), (chans) => {
        const sorted = [...chans].sort((a, b) => a - b);
        expect(parseChannelList(formatChannelList(chans))).toEqual(sorted);
      }),
    );
  });

  /** A valid config: spans laid out one after the other, E1 digital or analog with some ports. */
  const configArb = fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant('pri' as const), crc4: fc.boolean(), net: fc.boolean() }),
        fc.record({ kind: fc.constant('r2' as const), crc4: fc.boolean() }),
        fc.record({
          kind: fc.constant('analog' as const),
          count: fc.integer({ min: 1, max: 24 }),
          roles: fc.array(fc.constantFrom('FXS', 'FXO', null), { minLength: 24, maxLength: 24 }),
        }),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((defs) => {
      let first = 1;
      let timing = 1;
      let ext = 8001;
      const spans: SpanConfig[] = defs.map((d, i) => {
        const span = i + 1;
        if (d.kind === 'analog') {
          const ports = d.roles.slice(0, d.count).flatMap((role, k): Extract<SpanConfig, { type: 'analog' }>['ports'] => {
            const channel = first + k;
            if (role === 'FXS') return [{ channel, kind: 'FXS', extension: String(ext++) }];
            if (role === 'FXO') return [{ channel, kind: 'FXO', trunkGroup: 1 }];
            return [];
          });
          const s: SpanConfig = { span, type: 'analog', firstChannel: first, channelCount: d.count, ports };
          first += d.count;
          return s;
        }
        const common = { span, line: 'E1' as const, firstChannel: first, timing: timing++, lbo: 0, trunkGroup: 10 + span };
        const s: SpanConfig =
          d.kind === 'pri'
            ? { ...common, type: 'pri', signalling: d.net ? 'pri_net' : 'pri_cpe', switchtype: 'euroisdn', framing: 'ccs', coding: 'hdb3', crc4: d.crc4, dchannel: first + 15 }
            : { ...common, type: 'r2', variant: 'cn', maxAni: 20, maxDnis: 4, category: 'national_subscriber', getAniFirst: false, crc4: d.crc4 };
        first += 31;
        return s;
      });
      return defaultDahdiConfig(spans);
    });

  it('system.conf: spans and every channel come back as configured', () => {
    fc.assert(
      fc.property(configArb, (cfg) => {
        expect(validateDahdiConfig(cfg)).toMatchObject({ ok: true });
        const back = parseSystemConf(renderSystemConf(cfg));
        expect(back.warnings).toEqual([]);
        const expectedSpans: SpanLine[] = [];
        const fxoks: number[] = [];
        const fxsks: number[] = [];
        const bchan: number[] = [];
        const dchan: number[] = [];
        const cas: number[] = [];
        for (const s of cfg.spans) {
          if (s.type === 'analog') {
            for (const p of s.ports) (p.kind === 'FXS' ? fxoks : fxsks).push(p.channel);
            continue;
          }
          const map = timeslotMap('E1', s.firstChannel);
          if (s.type === 'pri') {
            expectedSpans.push({ span: s.span, timing: s.timing, lbo: 0, framing: 'ccs', coding: 'hdb3', crc4: s.crc4, yellow: false });
            bchan.push(...map.bchannels);
            dchan.push(map.dchannel);
          } else {
            expectedSpans.push({ span: s.span, timing: s.timing, lbo: 0, framing: 'cas', coding: 'hdb3', crc4: s.crc4 ?? false, yellow: false });
            cas.push(...map.bchannels);
          }
        }
        expect(back.spans).toEqual(expectedSpans);
        expect(back.channels['fxoks'] ?? []).toEqual(fxoks);
        expect(back.channels['fxsks'] ?? []).toEqual(fxsks);
        expect(back.channels['bchan'] ?? []).toEqual(bchan);
        expect(back.channels['dchan'] ?? []).toEqual(dchan);
        expect(back.cas.flatMap((c) => c.channels)).toEqual(cas);
        expect(back.cas.every((c) => c.idleBits === '1101')).toBe(true);
        // R2 leaves timeslot 16 alone: no channel is configured twice or as a D-channel.
        const all = [...fxoks, ...fxsks, ...bchan, ...dchan, ...cas];
        expect(new Set(all).size).toBe(all.length);
        // chan_dahdi.conf names every configured channel once.
        const chanDahdi = renderChanDahdiConf(cfg);
        const listed = [...chanDahdi.matchAll(/^channel => (.*)$/gm)].flatMap((m) => parseChannelList(m[1]!) ?? []);
        expect(listed.sort((a, b) => a - b)).toEqual([...fxoks, ...fxsks, ...bchan, ...cas].sort((a, b) => a - b));
      }),
      { numRuns: 150 },
    );
  });
});
