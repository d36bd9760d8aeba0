// Golden files: the configuration of a representative box (48 SIP seats, 6 team-lead seats
// of which 2 analog FXS phones, a queue, 2 SIP trunks (IP-authenticated / registering), an
// FXO line group, an E1 MFC/R2 span, Chinese routes, inbound DIDs) is rendered byte for byte
// as reviewed. After an intended change: UPDATE_GOLDEN=1 npx vitest run tests/unit/pbx-config-golden.test.ts
// and review the diff of tests/fixtures/pbx-config/golden/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDahdiConfig } from '../../firmware-agent/src/hardware/config.js';
import { CN_PATTERNS, defaultEndpoint, defaultModel, defaultQueue, defaultRoute, defaultSipTrunk, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { checkPbxConfig } from '../../firmware-agent/src/pbx-config/validate.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'pbx-config', 'golden');
const FILES = ['extensions.conf', 'pjsip.conf', 'chan_dahdi.conf', 'modules.conf', 'manager.conf'] as const;

export function representativeModel(): PbxModel {
  const agents = Array.from({ length: 48 }, (_, i) => String(8001 + i));
  const leads = ['8101', '8102', '8103', '8104'];
  return defaultModel({
    revision: 'golden-1',
    amiSecret: 'golden-ami-secret',
    endpoints: [...agents, ...leads].map((e, i) => defaultEndpoint(e, `golden-seat-${e}`, i === 0 ? { callerName: '坐席 一' } : {})),
    fxsSeats: [
      { extension: '8105', dahdiChannel: 1, callerName: '前台' },
      { extension: '8106', dahdiChannel: 2 },
    ],
    queues: [defaultQueue('hotline', { strategy: 'rrmemory', members: leads.map((e) => ({ endpoint: e, penalty: 0 })) })],
    dahdi: defaultDahdiConfig([
      {
        span: 1,
        type: 'analog',
        firstChannel: 1,
        channelCount: 4,
        ports: [
          { channel: 1, kind: 'FXS', extension: '8105' },
          { channel: 2, kind: 'FXS', extension: '8106' },
          { channel: 3, kind: 'FXO', trunkGroup: 1 },
          { channel: 4, kind: 'FXO', trunkGroup: 1 },
        ],
      },
      { span: 2, type: 'r2', line: 'E1', firstChannel: 5, timing: 1, lbo: 0, trunkGroup: 2, variant: 'cn', maxAni: 10, maxDnis: 4, category: 'national_subscriber', getAniFirst: false },
    ]),
    trunks: [
      defaultSipTrunk('telecom', '203.0.113.5', {
        name: '中国电信 SIP',
        maxChannels: 30,
        match: ['203.0.113.0/28'],
        callerId: { number: '01088886666', name: 'SeatBox', presentation: 'allowed' },
      }),
      defaultSipTrunk('unicom', 'sip.unicom.example.cn', {
        name: '中国联通 SIP',
        maxChannels: 20,
        codecs: ['alaw'],
        auth: { username: 'box01', secret: 'golden-carrier-pw' },
        registration: { expirationSeconds: 1800, retrySeconds: 30 },
        fromUser: 'box01',
        fromDomain: 'sip.unicom.example.cn',
        callerId: { number: '02166667777', presentation: 'restricted' },
      }),
      { id: 'pstn', kind: 'dahdi', name: '模拟外线', group: 1, maxChannels: 2 },
      { id: 'e1', kind: 'dahdi', name: 'E1 中继', group: 2, maxChannels: 30, callerId: { number: '01088880000', presentation: 'allowed' } },
    ],
    routes: [
      // SIP carriers take +86 numbers; the E1 and analog lines take national numbers (next routes).
      defaultRoute('mobile', [...CN_PATTERNS.mobile], ['telecom', 'unicom'], { description: '手机', prepend: '+86' }),
      defaultRoute('landline', [...CN_PATTERNS.landline, ...CN_PATTERNS.local], ['e1', 'pstn'], { description: '固话' }),
      defaultRoute('service', [...CN_PATTERNS.service], ['e1', 'telecom']),
    ],
    inboundRoutes: [
      { did: '01088886666', destination: { kind: 'queue', target: 'hotline' } },
      { did: '01088886667', destination: { kind: 'seat', target: '8101' } },
      { did: '01088886668', destination: { kind: 'hangup' } },
      { did: 'any', destination: { kind: 'queue', target: 'hotline' } },
    ],
    dialing: { outsidePrefix: '9', emergencyTrunks: ['e1', 'pstn', 'telecom'] },
  });
}

describe('pbx-config golden files', () => {
  const files = renderConfig(representativeModel());

  it('the representative model passes every check', () => {
    const r = checkPbxConfig(representativeModel());
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  for (const f of FILES) {
    it(`${f} matches tests/fixtures/pbx-config/golden/${f}`, () => {
      const p = join(GOLDEN, f);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(p, files.get(f)!);
      }
      expect(existsSync(p), `${p} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
      expect(files.get(f)).toBe(readFileSync(p, 'utf8'));
    });
  }
});
