import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectTelephonyHardware,
  modprobeOptions,
  parseSystemConf,
  proposeDahdiConfig,
  renderChanDahdiConf,
  renderSystemConf,
  validateDahdiConfig,
  type DahdiConfig,
  type TelephonyInventory,
} from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const GOLDEN = path.join(FIX, 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

function inventoryOf(card: string): TelephonyInventory {
  const dir = path.join(FIX, 'cards', card);
  const files = fs.readdirSync(dir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return detectTelephonyHardware({
    hardware: read('dahdi_hardware.txt'),
    scan: read('dahdi_scan.txt'),
    proc: files.filter((f) => /^proc-dahdi-\d+\.txt$/.test(f)).sort().map(read),
  });
}

/** The representative configuration of each card: the proposal, plus what an admin would set. */
const CONFIGS: Record<string, (inv: TelephonyInventory) => DahdiConfig> = {
  te122: (inv) => proposeDahdiConfig(inv, { e1Signalling: 'pri_cpe' }).config,
  d130: (inv) => proposeDahdiConfig(inv, { e1Signalling: 'r2' }).config,
  tdm2400p: (inv) => proposeDahdiConfig(inv, { firstExtension: 8101 }).config,
  tdm410p: (inv) => proposeDahdiConfig(inv, { callerNames: { '8001': '张伟', '8002': '王芳' } }).config,
  a1200: (inv) => {
    const cfg = proposeDahdiConfig(inv, { fxoTrunkGroup: 2 }).config;
    // One exchange sends DTMF caller ID after a polarity reversal, before the first ring.
    const span = cfg.spans[0]!;
    if (span.type === 'analog') {
      const p = span.ports.find((x) => x.channel === 5);
      if (p && p.kind === 'FXO') Object.assign(p, { callerIdSignalling: 'dtmf', callerIdStart: 'polarity', hangupOnPolarity: true });
    }
    return { ...cfg, echoCanceller: 'mg2' };
  },
  a400: (inv) => proposeDahdiConfig(inv).config,
  box48: (inv) => proposeDahdiConfig(inv, { e1Signalling: 'r2' }).config,
};

describe('golden files: system.conf, chan_dahdi.conf, modprobe options per card', () => {
  for (const [card, build] of Object.entries(CONFIGS)) {
    it(card, () => {
      const inv = inventoryOf(card);
      const cfg = build(inv);
      const v = validateDahdiConfig(cfg, inv);
      expect(v.ok ? [] : v.errors).toEqual([]);
      const outputs = {
        [`${card}.system.conf`]: renderSystemConf(cfg),
        [`${card}.chan_dahdi.conf`]: renderChanDahdiConf(cfg),
        [`${card}.modprobe.conf`]: modprobeOptions(cfg, inv),
      };
      for (const [name, text] of Object.entries(outputs)) {
        const file = path.join(GOLDEN, name);
        if (UPDATE) fs.writeFileSync(file, text);
        expect(text, `${name} differs from the reviewed golden file`).toBe(fs.readFileSync(file, 'utf8'));
      }
      // The system.conf read back configures exactly the configured channels.
      const back = parseSystemConf(outputs[`${card}.system.conf`]);
      expect(back.warnings).toEqual([]);
      expect(back.loadzones).toEqual(['cn']);
      expect(back.defaultzone).toBe('cn');
      for (const s of cfg.spans) {
        if (s.type === 'analog') {
          for (const p of s.ports) expect(back.channels[p.kind === 'FXS' ? 'fxoks' : 'fxsks']).toContain(p.channel);
        } else {
          expect(back.spans.find((x) => x.span === s.span)).toBeDefined();
        }
      }
    });
  }
});
