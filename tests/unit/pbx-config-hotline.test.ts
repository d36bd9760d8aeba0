// Inbound hotline: IVR graph validation (loops, dead ends, unknown targets), business hours,
// overflow and hotline checks; rendering of the IVR/hours/queue/survey/monitor dialplan,
// accepted by our own config checker.
import { describe, expect, it } from 'vitest';
import { renderHotlineDialplan } from '../../firmware-agent/src/pbx-config/hotline-render.js';
import {
  customPromptSound,
  defaultEndpoint,
  defaultModel,
  defaultQueue,
  validateModel,
  type PbxIvr,
  type PbxModel,
} from '../../firmware-agent/src/pbx-config/model.js';
import { renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { validateConfigFiles } from '../../firmware-agent/src/pbx-config/validate.js';

export function hotlineModel(over: Partial<PbxModel> = {}): PbxModel {
  const base = defaultModel({
    revision: 'hotline-1',
    amiSecret: 'ami-secret-123',
    endpoints: ['8001', '8002', '8003', '8004'].map((e) => defaultEndpoint(e, `pw-${e}-secret`)),
    queues: [
      defaultQueue('hotline', {
        strategy: 'linear',
        members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 2 }],
        announcePosition: true,
        maxWaitSeconds: 20,
        overflow: { whenNoAgentFree: true, seats: ['8003', '8004'], thenAfterSeconds: 15, final: 'callback' },
        survey: true,
      }),
    ],
  });
  const ivr: PbxIvr = {
    id: 'main',
    entryMenu: 'root',
    menus: [
      {
        id: 'root',
        prompt: 'demo-congrats',
        timeoutSeconds: 3,
        maxRetries: 1,
        options: [
          { digit: '1', destination: { kind: 'queue', target: 'hotline' } },
          { digit: '2', destination: { kind: 'menu', target: 'sub' } },
          { digit: '0', destination: { kind: 'seat', target: '8001' } },
        ],
        fallback: { kind: 'queue', target: 'hotline' },
      },
      { id: 'sub', prompt: '/seatbox/lib/sounds/custom/ivr-sub', timeoutSeconds: 3, maxRetries: 0, options: [{ digit: '*', destination: { kind: 'menu', target: 'root' } }], fallback: { kind: 'voicemail' } },
    ],
  };
  return {
    ...base,
    ivrs: [ivr],
    businessHours: {
      timeZone: 'Asia/Shanghai',
      weekly: [{ days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' }],
      holidays: ['2026-10-01', '2026-10-02'],
      makeupWorkdays: ['2026-09-27'],
      makeupHours: { open: '09:00', close: '18:00' },
      closedPrompt: 'vm-goodbye',
      closedDestination: { kind: 'voicemail' },
      testClock: true,
    },
    survey: { enabled: true, prompt: 'beep', timeoutSeconds: 5 },
    hotlines: [{ id: 'h400', dids: ['4008001234'], ivr: 'main', maxConcurrent: 8, faxDetect: true, useBusinessHours: true }],
    monitoring: { enabled: true, supervisorSeats: ['8004'] },
    ...over,
  };
}

const errorsOf = (m: unknown) => {
  const r = validateModel(m);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('hotline model validation', () => {
  it('accepts the full hotline model', () => {
    expect(errorsOf(hotlineModel())).toEqual([]);
  });

  it('refuses a menu loop with no way out', () => {
    const m = hotlineModel();
    const ivr = m.ivrs![0]!;
    ivr.menus = [
      { ...ivr.menus[0]!, options: [{ digit: '1', destination: { kind: 'menu', target: 'sub' } }], fallback: { kind: 'menu', target: 'sub' } },
      { ...ivr.menus[1]!, options: [], fallback: { kind: 'menu', target: 'root' } },
    ];
    const errs = errorsOf(m);
    expect(errs).toContain('ivrs[0].menus[0]: menu "root" is a dead end: its options and fallback lead only to menus (sub) that never reach a queue, seat, voicemail, callback or hangup');
    expect(errs.some((e) => e.startsWith('ivrs[0].menus[1]: menu "sub" is a dead end'))).toBe(true);
  });

  it('refuses a menu that only leads back to itself', () => {
    const m = hotlineModel();
    m.ivrs![0]!.menus[1] = { ...m.ivrs![0]!.menus[1]!, options: [], fallback: { kind: 'menu', target: 'sub' } };
    expect(errorsOf(m)).toEqual([expect.stringMatching(/^ivrs\[0\]\.menus\[1\]: menu "sub" leads only back to itself/)]);
  });

  it('refuses options to a missing menu, queue or seat, and duplicate keys', () => {
    const m = hotlineModel();
    const root = m.ivrs![0]!.menus[0]!;
    root.options = [
      { digit: '1', destination: { kind: 'queue', target: 'nosuch' } },
      { digit: '2', destination: { kind: 'menu', target: 'ghost' } },
      { digit: '3', destination: { kind: 'seat', target: '8999' } },
      { digit: '3', destination: { kind: 'hangup' } },
      { digit: '4', destination: { kind: 'queue' } },
    ];
    expect(errorsOf(m)).toEqual([
      'ivrs[0].menus[0].options[0].destination.target: unknown queue "nosuch"',
      'ivrs[0].menus[0].options[1].destination.target: unknown menu "ghost" (menus: root, sub)',
      'ivrs[0].menus[0].options[2].destination.target: unknown seat "8999"',
      'ivrs[0].menus[0].options[3].digit: key "3" is already options[2]',
      'ivrs[0].menus[0].options[4].destination.target: is required: the queue name',
    ]);
  });

  it('checks entry menu, hotline references, DIDs, hours, overflow seats, supervisors', () => {
    const m = hotlineModel();
    m.ivrs![0]!.entryMenu = 'nope';
    m.hotlines![0]!.ivr = 'other';
    m.inboundRoutes = [{ did: '4008001234', destination: { kind: 'hangup' } }];
    m.businessHours!.weekly[0]!.close = '08:00';
    m.businessHours!.makeupWorkdays.push('2026-10-01');
    m.businessHours!.holidays.push('2026-02-30');
    m.queues[0]!.overflow!.seats.push('8999');
    m.monitoring!.supervisorSeats.push('7777');
    expect(errorsOf(m)).toEqual([
      'ivrs[0].entryMenu: unknown menu "nope" (menus: root, sub)',
      'businessHours.weekly[0].close: 08:00 is not after the opening time 09:00',
      'businessHours.makeupWorkdays[1]: 2026-10-01 is also a holiday: a day is either closed or a make-up working day',
      'businessHours.holidays[2]: 2026-02-30 is not a calendar date',
      'queues[0].overflow.seats[2]: unknown seat "8999"',
      'hotlines[0].ivr: unknown IVR "other" (IVRs: main)',
      'hotlines[0].dids[0]: "4008001234" already has an inbound route (inboundRoutes[0])',
      'monitoring.supervisorSeats[1]: unknown seat "7777"',
    ]);
  });

  it('refuses a queue survey without an enabled survey, and an overflow that can never happen', () => {
    const m = hotlineModel();
    m.survey!.enabled = false;
    m.queues[0]!.overflow!.whenNoAgentFree = false;
    delete m.queues[0]!.maxWaitSeconds;
    expect(errorsOf(m)).toEqual([
      'queues[0].survey: the satisfaction survey (survey) is not enabled',
      "queues[0].overflow: never happens: set afterSeconds (or the queue's maxWaitSeconds) or whenNoAgentFree",
    ]);
  });

  it('schema errors name the path', () => {
    const m = hotlineModel() as unknown as { ivrs: Array<{ menus: Array<Record<string, unknown>> }> };
    m.ivrs[0]!.menus[0]!['prompt'] = 'bad prompt.wav';
    m.ivrs[0]!.menus[0]!['timeoutSeconds'] = 0;
    expect(errorsOf(m)).toEqual([
      'ivrs[0].menus[0].prompt: must be a sound name such as "demo-congrats" or "/seatbox/lib/sounds/custom/ivr-welcome" (no extension)',
      'ivrs[0].menus[0].timeoutSeconds: must be an integer number of seconds 1-60',
    ]);
  });
});

describe('custom prompt sounds (absolute, inside the instance)', () => {
  it('customPromptSound is the in-instance path without extension', () => {
    expect(customPromptSound('/seatbox/lib', 'welcome')).toBe('/seatbox/lib/sounds/custom/ivr-welcome');
    expect(customPromptSound('/seatbox/lib/', 'welcome')).toBe('/seatbox/lib/sounds/custom/ivr-welcome');
  });

  it('refuses absolute sounds outside paths.varlib, ".." and extensions', () => {
    const m = hotlineModel();
    m.ivrs![0]!.menus[0]!.prompt = '/usr/share/asterisk/sounds/custom/ivr-x';
    m.hotlines![0]!.busyPrompt = '/seatbox/library/ivr-busy';
    m.survey!.prompt = '/seatbox/lib/sounds/custom/ivr-survey';
    expect(errorsOf(m)).toEqual([
      'ivrs[0].menus[0].prompt: must be a stock sound name or a prompt under /seatbox/lib/ (such as /seatbox/lib/sounds/custom/ivr-welcome)',
      'hotlines[0].busyPrompt: must be a stock sound name or a prompt under /seatbox/lib/ (such as /seatbox/lib/sounds/custom/ivr-welcome)',
    ]);
    for (const bad of ['/seatbox/lib/../etc/x', '/seatbox/lib/sounds/custom/ivr-x.wav', '/seatbox/lib//x', '/seatbox/lib/sounds/custom/']) {
      const b = hotlineModel();
      b.ivrs![0]!.menus[0]!.prompt = bad;
      expect(errorsOf(b), bad).toEqual(['ivrs[0].menus[0].prompt: must be a sound name such as "demo-congrats" or "/seatbox/lib/sounds/custom/ivr-welcome" (no extension)']);
    }
  });
});

describe('hotline dialplan', () => {
  it('renders menus, hours, queue overflow, survey and monitoring; our checker accepts the files', () => {
    const files = renderConfig(hotlineModel());
    const problems = validateConfigFiles(files);
    expect(problems).toEqual([]);
    const ext = files.get('extensions.conf')!;
    expect(ext).toContain('exten => 4008001234,1,Set(__SEATBOX_DID=4008001234)\n same => n,Goto(seatbox-hotline-h400,s,1)');
    expect(ext).toContain('[seatbox-ivr-main-root]\nexten => s,1,Set(SEATBOX_IVR_TRIES=0)');
    expect(ext).toContain(' same => n(prompt),Background(demo-congrats)\n same => n,WaitExten(3)');
    expect(ext).toContain('exten => 2,1,Goto(seatbox-ivr-main-sub,s,1)');
    expect(ext).toContain('GotoIf($[${SEATBOX_IVR_TRIES} > 1]?fallback,1)');
    expect(ext).toContain('GotoIf($["${date}" = "2026-10-01"]?closed)');
    expect(ext).toContain('GotoIf($["${date}" = "2026-09-27"]?makeup)');
    expect(ext).toContain('ExecIf($[(${dow} = 1 | ${dow} = 2 | ${dow} = 3 | ${dow} = 4 | ${dow} = 5) & ${hm} >= 900 & ${hm} < 1800]?Return(1))');
    expect(ext).toContain('GotoIf($[${GROUP_COUNT(h400@seatbox-hotline)} > 8]?busy,1)');
    expect(ext).toContain('Queue(hotline,tIc,,,20)');
    expect(ext).toContain('Dial(PJSIP/8003&PJSIP/8004,15,tIg)');
    expect(ext).toContain('ChanSpy(PJSIP/${SEATBOX_MON_TARGET}-,qEw)');
    const q = files.get('queues.conf')!;
    expect(q).toContain('[hotline]\nstrategy = linear');
    expect(q).toContain('announce-position = yes');
    expect(q).toContain('joinempty = paused,penalty,inuse,ringing,unavailable,invalid,unknown,wrapup');
    expect(q).toContain('member => PJSIP/8002,2');
    expect(files.get('features.conf')).toContain('blindxfer = ##\natxfer = *2');
  });

  it('voicemail final, fax, busy prompt and monitor extensions render and pass the checker', () => {
    const m = hotlineModel();
    m.queues[0]!.overflow!.final = 'voicemail';
    m.hotlines![0]!.busyPrompt = customPromptSound(m.paths.varlib, 'busy');
    m.hotlines![0]!.voicemailPrompt = customPromptSound(m.paths.varlib, 'leave-message');
    const files = renderConfig(m);
    expect(validateConfigFiles(files)).toEqual([]);
    const ext = files.get('extensions.conf')!;
    expect(ext).toContain('Playback(/seatbox/lib/sounds/custom/ivr-leave-message)');
    expect(ext).toMatch(/Record\(\/[^,]*\/hotline-voicemail\/\$\{UNIQUEID\}\.wav,3,120,k\)/);
    expect(ext).toContain('exten => busy,1,UserEvent(SeatBoxHotlineBusy,Hotline: h400,CallerId: ${CALLERID(num)},Limit: 8)\n same => n,Answer()\n same => n,Playback(/seatbox/lib/sounds/custom/ivr-busy)');
    expect(ext).toContain('Set(FAXOPT(faxdetect)=cng,10)');
    expect(ext).toContain('[seatbox-fax-in]');
    for (const mode of ['listen', 'whisper', 'barge']) for (const seat of ['8001', '8004']) expect(ext).toContain(`exten => ${mode}-${seat},1,Set(SEATBOX_MON_TARGET=${seat})`);
    expect(ext).toContain('GotoIf($["${SEATBOX_MON_SPY}" = "8004"]?ok)');
    // no callback context when nothing uses it
    expect(ext).not.toContain('[seatbox-hotline-callback]');
  });

  it('test clock only with businessHours.testClock', () => {
    const on = renderHotlineDialplan(hotlineModel());
    expect(on).toContain('X-SeatBox-Now');
    expect(on).toContain('SEATBOX_NOW');
    const m = hotlineModel();
    m.businessHours!.testClock = false;
    const off = renderHotlineDialplan(m);
    expect(off).not.toContain('X-SeatBox-Now');
    expect(off).not.toContain('SEATBOX_NOW');
  });

  it('a model without hotline parts renders no hotline dialplan', () => {
    const m = defaultModel({ revision: 'x', amiSecret: 'ami-secret-123' });
    expect(renderHotlineDialplan(m)).toBe('');
  });

  it('is deterministic', () => {
    expect(renderHotlineDialplan(hotlineModel())).toBe(renderHotlineDialplan(hotlineModel()));
  });
});
