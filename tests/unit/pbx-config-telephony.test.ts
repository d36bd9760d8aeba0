// Seats, trunks, routes, inbound routes, feature codes and the DAHDI part of the PBX model:
// validation (exact messages with paths), dial patterns, and what the templates render.
import { describe, expect, it } from 'vitest';
import { defaultDahdiConfig, type DahdiConfig } from '../../firmware-agent/src/hardware/config.js';
import {
  CN_PATTERNS,
  defaultEndpoint,
  defaultModel,
  defaultQueue,
  defaultRoute,
  defaultSipTrunk,
  validateModel,
  type DefaultModelInit,
  type PbxModel,
} from '../../firmware-agent/src/pbx-config/model.js';
import { patternLength, patternMatches, patternProblem, patternsOverlap } from '../../firmware-agent/src/pbx-config/patterns.js';
import { buildVerifyChecks, dahdiChannelContexts, planReload } from '../../firmware-agent/src/pbx-config/reload.js';
import type { AmiClient } from '../../firmware-agent/src/ami/types.js';
import { renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { routeNumber } from '../../firmware-agent/src/pbx-config/telephony-view.js';
import { checkPbxConfig, parseConf, getValue, validateConfigFiles } from '../../firmware-agent/src/pbx-config/validate.js';

const dahdi = (): DahdiConfig =>
  defaultDahdiConfig([
    {
      span: 1,
      type: 'analog',
      firstChannel: 1,
      channelCount: 4,
      ports: [
        { channel: 1, kind: 'FXS', extension: '8101' },
        { channel: 2, kind: 'FXS', extension: '8102' },
        { channel: 3, kind: 'FXO', trunkGroup: 1 },
        { channel: 4, kind: 'FXO', trunkGroup: 1 },
      ],
    },
    { span: 2, type: 'r2', line: 'E1', firstChannel: 5, timing: 1, lbo: 0, trunkGroup: 2, variant: 'cn', maxAni: 10, maxDnis: 4, category: 'national_subscriber', getAniFirst: false },
  ]);

const base = (over: Partial<DefaultModelInit> = {}): PbxModel =>
  defaultModel({
    revision: 'r1',
    amiSecret: 'ami-secret-123',
    endpoints: ['8001', '8002', '8003'].map((e) => defaultEndpoint(e, `secret-${e}-xx`)),
    queues: [defaultQueue('sales', { members: [{ endpoint: '8001', penalty: 0 }] })],
    trunks: [
      defaultSipTrunk('telecom', '203.0.113.5', { callerId: { number: '01088886666', presentation: 'allowed' } }),
      defaultSipTrunk('unicom', 'sip.unicom.example.cn', {
        auth: { username: 'box01', secret: 'pw1234' },
        registration: { expirationSeconds: 3600, retrySeconds: 60 },
        callerId: { number: '02166667777', presentation: 'restricted' },
      }),
    ],
    routes: [defaultRoute('mobile', [...CN_PATTERNS.mobile], ['telecom', 'unicom'], { prepend: '+86' })],
    ...over,
  });

function errorsOf(m: unknown): string[] {
  const r = validateModel(m);
  if (r.ok) throw new Error('expected the model to be refused');
  return r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

describe('dial patterns', () => {
  it('match like Asterisk: X Z N, ranges, "." and "!"', () => {
    expect(patternMatches('1[3-9]XXXXXXXXX', '13800138000')).toBe(true);
    expect(patternMatches('1[3-9]XXXXXXXXX', '12800138000')).toBe(false);
    expect(patternMatches('1[3-9]XXXXXXXXX', '138001380001')).toBe(false);
    expect(patternMatches('0[1-9]XXXXXXXXX', '01088886666')).toBe(true);
    expect(patternMatches('0[1-9]XXXXXXXXX', '0108888666')).toBe(false);
    expect(patternMatches('400XXXXXXX', '4008123123')).toBe(true);
    expect(patternMatches('NXX', '199')).toBe(false);
    expect(patternMatches('ZX.', '10')).toBe(false);
    expect(patternMatches('ZX.', '100')).toBe(true);
    expect(patternMatches('*21*X.', '*21*1001*4321')).toBe(true);
    expect(patternMatches('9!', '9')).toBe(true);
  });

  it('lengths, backwards ranges, overlaps', () => {
    expect(patternLength('1[3-9]XXXXXXXXX')).toEqual({ min: 11, max: 11 });
    expect(patternLength('0X.')).toEqual({ min: 3, max: Infinity });
    expect(patternProblem('1[9-3]XX')).toBe('range "9-3" is backwards (write [3-9])');
    expect(patternProblem('1[3-9]XX')).toBeUndefined();
    expect(patternsOverlap('[2-8]XXX', '8001')).toBe(true);
    expect(patternsOverlap('[2-8]XXXXXX', '8001')).toBe(false);
    expect(patternsOverlap('*23X', '*232')).toBe(true);
    expect(patternsOverlap('X.', '8')).toBe(false);
    expect(patternsOverlap('X!', '8')).toBe(true);
    expect(patternsOverlap('9X.', '91[3-9]XXXXXXXXX')).toBe(true);
  });

  it('routeNumber: prefix, strip, prepend, first matching route wins', () => {
    const m = base({ routes: [defaultRoute('land', [...CN_PATTERNS.landline], ['telecom'], { stripDigits: 1, prepend: '+86' }), defaultRoute('all', ['X.'], ['unicom'])] });
    expect(routeNumber(m, '901088886666')).toEqual({ route: 'land', number: '+861088886666', trunks: ['telecom'] });
    expect(routeNumber(m, '94008123123')).toEqual({ route: 'all', number: '4008123123', trunks: ['unicom'] });
    expect(routeNumber(m, '01088886666')).toBeUndefined();
  });
});

describe('pbx-config model: seats, trunks, routes, feature codes', () => {
  it('accepts a full model and the defaults (prefix 9, *21-*24)', () => {
    const m = base({ dahdi: dahdi(), fxsSeats: [{ extension: '8101', dahdiChannel: 1, callerName: '前台' }], inboundRoutes: [{ did: 'any', destination: { kind: 'queue', target: 'sales' } }] });
    m.trunks!.push({ id: 'pstn', kind: 'dahdi', group: 1, maxChannels: 2 }, { id: 'e1', kind: 'dahdi', group: 2, maxChannels: 30 });
    expect(validateModel(m)).toMatchObject({ ok: true });
    expect(m.dialing).toEqual({ outsidePrefix: '9', seatRingSeconds: 30, trunkRingSeconds: 60 });
    expect(m.featureCodes).toEqual({ login: '*21', logout: '*22', pause: '*23', ready: '*24' });
  });

  it('refuses seat extensions that are not 3-6 digits starting 2-8, and duplicates across seats, FXS seats and queues', () => {
    const m = base({ dahdi: dahdi(), fxsSeats: [{ extension: '8002', dahdiChannel: 1 }], queues: [defaultQueue('8003')] });
    m.endpoints.push(defaultEndpoint('9001', 'secret-9001-xx'), defaultEndpoint('101', 'secret-101-xx'));
    expect(errorsOf(m)).toEqual([
      'endpoints[3].id: "9001" is not a seat extension: 3-6 digits not starting with 0, 1 or 9',
      'endpoints[4].id: "101" is not a seat extension: 3-6 digits not starting with 0, 1 or 9',
      'fxsSeats[0].extension: extension "8002" is already used by endpoints[1]',
      'queues[0].name: queue name "8003" is already used by endpoints[2]',
    ]);
  });

  it('refuses an FXS channel given to two seats, a channel that is no FXS port, and FXS seats without cards', () => {
    const m = base({ dahdi: dahdi(), fxsSeats: [{ extension: '8101', dahdiChannel: 1 }, { extension: '8102', dahdiChannel: 1 }, { extension: '8103', dahdiChannel: 3 }] });
    expect(errorsOf(m)).toEqual([
      'fxsSeats[1].dahdiChannel: channel 1 is already the phone port of seat 8101 (fxsSeats[0]); one port serves one seat',
      'fxsSeats[2].dahdiChannel: channel 3 is not an FXS port of the telephony cards (FXS channels: 1, 2)',
    ]);
    expect(errorsOf(base({ fxsSeats: [{ extension: '8101', dahdiChannel: 1 }] }))).toEqual([
      'fxsSeats[0].dahdiChannel: there is no telephony card configuration (dahdi): an FXS seat needs an FXS port',
    ]);
  });

  it('refuses malformed trunk hosts with a clear message', () => {
    for (const [host, msg] of [
      ['sip:203.0.113.5', '"sip:203.0.113.5" is not a host: give only the IPv4 address or DNS name (no "sip:", user@ or :port; the port has its own setting)'],
      ['203.0.113.5:5060', '"203.0.113.5:5060" is not a host: give only the IPv4 address or DNS name (no "sip:", user@ or :port; the port has its own setting)'],
      ['bad host', 'must be an IPv4 address or a DNS host name'],
      ['-carrier.cn', 'must be an IPv4 address or a DNS host name'],
      ['999.1.2.3', '"999.1.2.3" is not a valid IPv4 address (each part 0-255, four parts)'],
      ['0.0.0.0', '"0.0.0.0" is not a host address'],
    ] as const) {
      const m = base();
      (m.trunks![0] as { host: string }).host = host;
      expect(errorsOf(m), host).toEqual([`trunks[0].host: ${msg}`]);
    }
  });

  it('refuses maxChannels < 1, an unknown kind, a registration without credentials, duplicate trunk ids', () => {
    const m = base();
    m.trunks![0]!.maxChannels = 0;
    expect(errorsOf(m)).toEqual(['trunks[0].maxChannels: must be an integer 1-1000 (simultaneous calls)']);
    const m2 = base();
    (m2.trunks![0] as { kind: string }).kind = 'iax';
    expect(errorsOf(m2)).toEqual(['trunks[0].kind: must be "sip" or "dahdi"']);
    const m3 = base();
    delete (m3.trunks![1] as { auth?: unknown }).auth;
    expect(errorsOf(m3)).toEqual(["trunks[1].auth: is required when the trunk registers (registration is set): the carrier's username and password"]);
    const m4 = base();
    m4.trunks!.push(defaultSipTrunk('Telecom', '203.0.113.9'), defaultSipTrunk('8001', '203.0.113.9'));
    expect(errorsOf(m4)).toEqual([
      'trunks[2].id: duplicate trunk id "Telecom" (same as trunks[0])',
      'trunks[3].id: "8001" is already a seat endpoint; trunk and seat names share pjsip.conf',
    ]);
  });

  it('refuses DAHDI trunks without a matching group, and errors in the card configuration (by path)', () => {
    const m = base({ dahdi: dahdi() });
    m.trunks!.push({ id: 'pstn', kind: 'dahdi', group: 7, maxChannels: 2 }, { id: 'pstn2', kind: 'dahdi', group: 1, maxChannels: 2 }, { id: 'pstn3', kind: 'dahdi', group: 1, maxChannels: 2 });
    expect(errorsOf(m)).toEqual([
      'trunks[2].group: no FXO line or E1/T1 span of the telephony cards is in group 7 (groups: 1, 2)',
      'trunks[4].group: group 1 is already trunk "pstn2"',
    ]);
    const bad = dahdi();
    (bad.spans[0] as { ports: Array<{ channel: number }> }).ports[1]!.channel = 1;
    expect(errorsOf(base({ dahdi: bad }))[0]).toMatch(/^dahdi\.spans\[0\]\.ports\[1\]\.channel: span 1 \(analog\), channel 1 .*channel 1 is already the FXS port of seat 8101/);
  });

  it('refuses routes with unknown trunks, invalid patterns, too much stripping, and patterns that shadow seats or codes', () => {
    const m = base({ dialing: { outsidePrefix: '' } });
    m.routes = [
      defaultRoute('a', ['1[3-9]XXXXXXXXX', '1[9-3]X', 'abc'], ['telecom', 'nowhere', 'telecom']),
      defaultRoute('b', ['0[1-9]XXXXXXXXX'], ['unicom'], { stripDigits: 11 }),
      defaultRoute('c', ['[2-8]XXX', '*2X'], ['unicom']),
    ];
    expect(errorsOf(m)).toEqual(['routes[0].patterns[2]: must be a dial pattern of digits, * # +, X (0-9), Z (1-9), N (2-9), [ranges] and an optional final . or !']);
    m.routes[0]!.patterns.pop();
    expect(errorsOf(m)).toEqual([
      'routes[0].patterns[1]: "1[9-3]X": range "9-3" is backwards (write [3-9])',
      'routes[0].trunks[1]: unknown trunk "nowhere" (trunks: telecom, unicom)',
      'routes[0].trunks[2]: "telecom" is listed twice',
      'routes[1].stripDigits: stripping 11 digits leaves nothing to dial of numbers matching "0[1-9]XXXXXXXXX" (11 digits)',
      'routes[2].patterns[0]: "[2-8]XXX" (outside prefix "" + pattern) also matches 8001 (endpoints[0]); seats and feature codes would win',
      'routes[2].patterns[0]: "[2-8]XXX" (outside prefix "" + pattern) also matches 8002 (endpoints[1]); seats and feature codes would win',
      'routes[2].patterns[0]: "[2-8]XXX" (outside prefix "" + pattern) also matches 8003 (endpoints[2]); seats and feature codes would win',
      'routes[2].patterns[1]: "*2X" collides with the logout feature code "*22"',
      'routes[2].patterns[1]: "*2X" collides with the pause feature code "*23"',
      'routes[2].patterns[1]: "*2X" collides with the ready feature code "*24"',
    ]);
    const none = base({ trunks: [], routes: [defaultRoute('a', ['X.'], ['telecom'])] });
    expect(errorsOf(none)).toEqual(['routes[0].trunks[0]: unknown trunk "telecom" (no trunk is configured)']);
  });

  it('refuses feature codes that collide with each other, seats, queues or emergency numbers', () => {
    expect(errorsOf(base({ featureCodes: { pause: '*21' } }))).toEqual(['featureCodes.pause: "*21" is already the login code']);
    expect(errorsOf(base({ featureCodes: { ready: '*211' } }))).toContain('featureCodes.ready: "*211" and the login code "*21" start alike: a phone could not tell them apart');
    expect(errorsOf(base({ featureCodes: { ready: '*2' } }))).toEqual(['featureCodes.ready: must be 2-5 digits, optionally starting with * or #']);
    expect(errorsOf(base({ featureCodes: { logout: '8001' } }))).toEqual(['featureCodes.logout: "8001" collides with 8001 (endpoints[0])']);
    expect(errorsOf(base({ featureCodes: { logout: '110' } }))).toEqual(['featureCodes.logout: "110" collides with emergency number 110']);
    expect(errorsOf(base({ featureCodes: { logout: '90' } }))).toEqual(['dialing.outsidePrefix: "9" starts a feature code: outside numbers and feature codes would collide']);
  });

  it('refuses inbound routes to unknown seats/queues, duplicate DIDs, and targets on hangup', () => {
    const m = base({
      inboundRoutes: [
        { did: '01088886666', destination: { kind: 'seat', target: '8009' } },
        { did: '01088886666', destination: { kind: 'queue', target: 'support' } },
        { did: 'any', destination: { kind: 'hangup', target: 'x' } },
        { did: '+862166667777', destination: { kind: 'seat' } },
        { did: '12ab', destination: { kind: 'seat', target: '8001' } },
      ],
    });
    expect(errorsOf(m)).toEqual(['inboundRoutes[4].did: must be "any" or a number (1-20 digits, optional leading +)']);
    m.inboundRoutes!.pop();
    expect(errorsOf(m)).toEqual([
      'inboundRoutes[0].destination.target: unknown seat "8009"',
      'inboundRoutes[1].did: "01088886666" already has a route (inboundRoutes[0])',
      'inboundRoutes[1].destination.target: unknown queue "support"',
      'inboundRoutes[2].destination.target: must be absent for a hangup destination',
      'inboundRoutes[3].destination.target: is required: the seat extension',
    ]);
  });
});

describe('pbx-config render: seats, trunks, routes, feature codes', () => {
  const full = () => {
    const m = base({
      dahdi: dahdi(),
      fxsSeats: [{ extension: '8101', dahdiChannel: 1, callerName: '前台' }],
      inboundRoutes: [
        { did: '01088886666', destination: { kind: 'seat', target: '8101' } },
        { did: 'any', destination: { kind: 'queue', target: 'sales' } },
      ],
    });
    m.trunks!.push({ id: 'pstn', kind: 'dahdi', group: 1, maxChannels: 2 }, { id: 'e1', kind: 'dahdi', group: 2, maxChannels: 30 });
    m.routes!.push(defaultRoute('landline', [...CN_PATTERNS.landline], ['e1', 'pstn']));
    return m;
  };

  it('renders a set our checker accepts', () => {
    const r = checkPbxConfig(full());
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('every seat channel carries SEATBOX_SEAT; AMI lists it in channelvars', () => {
    const files = renderConfig(full());
    const pj = parseConf('pjsip.conf', files.get('pjsip.conf')!).sections;
    for (const id of ['8001', '8002', '8003']) {
      const ep = pj.find((s) => s.name === id && getValue(s, 'type') === 'endpoint')!;
      expect(getValue(ep, 'set_var')).toBe(`SEATBOX_SEAT=${id}`);
    }
    expect(files.get('manager.conf')).toMatch(/^channelvars = SEATBOX_SEAT$/m);
    // FXS: setvar before every channel line; the seat's own value, empty for lines and spare ports.
    const cd = files.get('chan_dahdi.conf')!;
    expect(cd).toMatch(/context=seatbox-internal\n[\s\S]*?callerid="前台" <8101>\n[\s\S]*?setvar=SEATBOX_SEAT=8101\nchannel => 1\n/);
    expect(cd).toMatch(/context=seatbox-fxs-unassigned\n[\s\S]*?setvar=SEATBOX_SEAT=\nchannel => 2\n/);
    expect(cd).toMatch(/context=seatbox-trunk-in-pstn\n[\s\S]*?setvar=SEATBOX_SEAT=\nchannel => 3\n/);
    expect(cd).toMatch(/mfcr2_variant=cn\n[\s\S]*?context=seatbox-trunk-in-e1\ngroup=2\n[\s\S]*?setvar=SEATBOX_SEAT=\nchannel => 5-19\nsetvar=SEATBOX_SEAT=\nchannel => 21-35\n/);
  });

  it('loads chan_dahdi only when cards are configured', () => {
    expect(renderConfig(full()).get('modules.conf')).toMatch(/^load = chan_dahdi\.so$/m);
    const plain = renderConfig(base());
    expect(plain.get('modules.conf')).not.toMatch(/chan_dahdi/);
    expect(plain.get('chan_dahdi.conf')).toMatch(/No telephony card is configured/);
    expect(plain.get('extensions.conf')).not.toMatch(/DAHDI\//);
  });

  it('SIP trunks: IP trunk with identify, registration trunk with registration + outbound auth', () => {
    const pj = renderConfig(full()).get('pjsip.conf')!;
    expect(pj).toContain(
      '[telecom]\ntype = endpoint\ntransport = seatbox-udp\ncontext = seatbox-trunk-in-telecom\naors = telecom\ndisallow = all\nallow = alaw,ulaw\n',
    );
    expect(pj).toContain('[telecom]\ntype = aor\ncontact = sip:203.0.113.5:5060\nqualify_frequency = 60\n');
    expect(pj).toContain('[telecom-identify]\ntype = identify\nendpoint = telecom\nmatch = 203.0.113.5\n');
    expect(pj).toContain('[unicom]\ntype = endpoint\ntransport = seatbox-udp\ncontext = seatbox-trunk-in-unicom\naors = unicom\noutbound_auth = unicom-auth\n');
    expect(pj).toContain('[unicom-auth]\ntype = auth\nauth_type = digest\nusername = box01\npassword = pw1234\n');
    expect(pj).toMatch(
      /\[unicom-reg\]\ntype = registration\ntransport = seatbox-udp\noutbound_auth = unicom-auth\nserver_uri = sip:sip\.unicom\.example\.cn:5060\nclient_uri = sip:box01@sip\.unicom\.example\.cn:5060\ncontact_user = box01\nexpiration = 3600\nretry_interval = 60\n[\s\S]*?line = yes\nendpoint = unicom\n/,
    );
    expect(pj.match(/^type = registration$/gm)).toHaveLength(1);
  });

  it('routes: ordered includes, prefix + pattern, strip/prepend, trunk failover, caller ID and limits per trunk', () => {
    const ext = renderConfig(full()).get('extensions.conf')!;
    expect(ext).toMatch(/\[seatbox-outbound\]\ninclude => seatbox-route-mobile\ninclude => seatbox-route-landline\n/);
    expect(ext).toContain('exten => _91[3-9]XXXXXXXXX,1,Set(SEATBOX_NUMBER=+86${EXTEN:1})\n same => n,Goto(seatbox-route-mobile-trunks,s,1)\n');
    expect(ext).toContain('exten => _90[1-9]XXXXXXXXX,1,Set(SEATBOX_NUMBER=${EXTEN:1})\n');
    expect(ext).toMatch(
      /\[seatbox-route-mobile-trunks\]\n.*\n.*\n.*\n same => n,Gosub\(seatbox-record,s,1\(b\)\)\n same => n,Gosub\(seatbox-trunk-telecom,s,1\(\$\{SEATBOX_NUMBER\},0\)\)\n same => n,GotoIf\(\$\["\$\{SEATBOX_FAILOVER\}" != "1"\]\?done\)\n same => n,Gosub\(seatbox-trunk-unicom,s,1\(\$\{SEATBOX_NUMBER\},0\)\)\n same => n\(done\),Goto\(seatbox-outbound-result,\$\{SEATBOX_TRUNK_STATUS\},1\)\n/,
    );
    expect(ext).toContain(' same => n,GotoIf($["${ARG2}" != "1" & ${GROUP_COUNT(telecom@seatbox-trunk)} >= 30]?skip)\n same => n,Set(CALLERID(num)=01088886666)\n');
    expect(ext).toContain(' same => n,Dial(PJSIP/${ARG1}@telecom,60,b(seatbox-trunk-count^s^1(telecom))I)\n');
    expect(ext).toContain(' same => n,Dial(DAHDI/g1/${ARG1},60,b(seatbox-trunk-count^s^1(pstn))I)\n');
    expect(ext).toContain(' same => n,Set(CALLERID(pres)=${IF($["${ARG2}" = "1"]?allowed_not_screened:prohib)})\n');
    // qualify on: an unreachable carrier is skipped at once
    expect(ext).toContain(' same => n,GotoIf($["${DEVICE_STATE(PJSIP/telecom)}" = "UNAVAILABLE"]?skip)\n');
    // only CHANUNAVAIL / CONGESTION (and not a wrong number) move on to the next trunk
    expect(ext).toContain('Set(SEATBOX_FAILOVER=${IF($["${DIALSTATUS}" = "CHANUNAVAIL" | "${DIALSTATUS}" = "CONGESTION"]?1:0)})');
  });

  it('emergency numbers and feature codes come before everything else in the seat context', () => {
    const ext = renderConfig(full()).get('extensions.conf')!;
    const internal = ext.slice(ext.indexOf('[seatbox-internal]'), ext.indexOf('[seatbox-seats]'));
    for (const n of ['110', '119', '120', '122']) {
      expect(internal).toContain(`exten => ${n},1,`);
      expect(internal).toContain(`exten => 9${n},1,Goto(${n},1)\n`);
    }
    expect(internal).toContain('exten => _*21*X.,1,');
    expect(internal).toContain('Set(SEATBOX_LOGIN=${EXTEN:4})');
    expect(internal).toContain('GotoIf($["${SHA1(${SEATBOX_PIN_SALT}${SEATBOX_PIN})}" != "${SEATBOX_PIN_HASH}"]?failed)');
    expect(internal).toContain('UserEvent(SeatBoxAgent,Op: login,Seat: ${SEATBOX_SEAT},Agent: ${SEATBOX_AGENT})');
    expect(internal).toContain('exten => _*23X,1,UserEvent(SeatBoxAgent,Op: pause,Seat: ${SEATBOX_SEAT},Reason: ${EXTEN:3})');
    expect(internal).toMatch(/include => seatbox-seats\ninclude => seatbox-queue-entry\ninclude => seatbox-outbound\n/);
    // custom codes move the patterns and offsets
    const ext2 = renderConfig(base({ featureCodes: { login: '*71', pause: '#55' } })).get('extensions.conf')!;
    expect(ext2).toContain('exten => _*71*X.,1,');
    expect(ext2).toContain('exten => _#55X,1,UserEvent(SeatBoxAgent,Op: pause,Seat: ${SEATBOX_SEAT},Reason: ${EXTEN:3})');
  });

  it('seats by extension (SIP and FXS), inbound DIDs, per-trunk entry with the limit', () => {
    const ext = renderConfig(full()).get('extensions.conf')!;
    expect(ext).toContain('exten => 8101,1,NoOp(Call to seat 8101, analog phone on DAHDI channel 1)\n same => n,Gosub(seatbox-record,s,1(b))\n same => n,Dial(DAHDI/1,30)\n');
    expect(ext).toContain('exten => 8001,1,NoOp(Call to seat 8001, SIP phone)\n same => n,Gosub(seatbox-record,s,1(b))\n same => n,Dial(PJSIP/8001,30)\n same => n,Goto(seatbox-seat-unreached,${DIALSTATUS},1)\n');
    expect(ext).toContain('[seatbox-trunk-in-e1]\nexten => _[+0-9*#]!,1,Gosub(seatbox-trunk-in-check,s,1(e1,30))\n same => n,Goto(seatbox-from-trunk,${EXTEN},1)\n');
    expect(ext).toContain('exten => 01088886666,1,Goto(seatbox-seats,8101,1)\n');
    expect(ext).toContain('exten => _[+0-9*#]!,1,Goto(seatbox-queue-entry,sales,1)\nexten => s,1,Goto(seatbox-queue-entry,sales,1)\n');
    // no "any" route: every other number is refused politely
    const ext2 = renderConfig(base()).get('extensions.conf')!;
    expect(ext2).toContain('exten => _[+0-9*#]!,1,Goto(seatbox-inbound-rejected,s,1)\n');
  });

  it('the demo 9+number only exists while no outbound route is configured', () => {
    expect(renderConfig(base({ routes: [] })).get('extensions.conf')).toContain('exten => _9X.,1,NoOp(Demo outbound call');
    expect(renderConfig(base()).get('extensions.conf')).not.toContain('Demo outbound call');
  });

  it('the checker refuses DAHDI dials to channels or groups chan_dahdi.conf lacks, and pre-dial handlers that go nowhere', () => {
    const files = renderConfig(full());
    const ext = files.get('extensions.conf')!;
    files.set('extensions.conf', ext.replace('Dial(DAHDI/1,30)', 'Dial(DAHDI/40,30)').replace('Dial(DAHDI/g1/${ARG1}', 'Dial(DAHDI/g5/${ARG1}').replace('b(seatbox-trunk-count^s^1(telecom))', 'b(seatbox-trunk-kount^s^1(telecom))'));
    const issues = validateConfigFiles(files).map((i) => i.message);
    expect(issues).toEqual([
      'Dial(DAHDI/40): channel 40 is not configured in chan_dahdi.conf',
      'Dial(DAHDI/g5/${ARG1}): no channel of chan_dahdi.conf is in group 5',
      'Dial option b(seatbox-trunk-kount^s^1): context "seatbox-trunk-kount" does not exist',
    ]);
    const noDahdi = renderConfig(base());
    noDahdi.set('extensions.conf', noDahdi.get('extensions.conf')!.replace('Dial(PJSIP/8001,30)', 'Dial(DAHDI/1,30)'));
    expect(validateConfigFiles(noDahdi).map((i) => i.message)).toEqual(['Dial(DAHDI/1): DAHDI needs chan_dahdi.so, which modules.conf does not load']);
  });

  it('the checker refuses registrations and identifies that point nowhere', () => {
    const files = renderConfig(full());
    files.set('pjsip.conf', files.get('pjsip.conf')!.replace('outbound_auth = unicom-auth\nserver_uri', 'outbound_auth = unicom-auth2\nserver_uri').replace('endpoint = telecom\nmatch', 'endpoint = telecom2\nmatch'));
    expect(validateConfigFiles(files).map((i) => i.message)).toEqual([
      'identify [telecom-identify] names endpoint "telecom2", which is not defined',
      'registration [unicom-reg] names outbound_auth "unicom-auth2", which is not defined',
    ]);
  });

  it('verification reads "dahdi show channels" (Asterisk 22 row format, context cut to 20 characters)', async () => {
    const files = renderConfig(full());
    const want = dahdiChannelContexts(files.get('chan_dahdi.conf')!);
    expect(want.get(1)).toBe('seatbox-internal');
    expect(want.get(3)).toBe('seatbox-trunk-in-pstn');
    expect(want.get(21)).toBe('seatbox-trunk-in-e1');
    expect(want.has(20)).toBe(false); // timeslot 16: R2 line signalling
    // Rows in chan_dahdi.c's FORMAT "%7s %4d %-20.20s %-10.10s %-15.15s ...".
    const row = (ch: number, group: number, ctx: string) => `${String(ch).padStart(7)} ${String(group).padStart(4)} ${ctx.slice(0, 20).padEnd(20)}            en              default                     Yes        `;
    const rows = (skip: number, wrongCtx?: number) =>
      [
        `${'Chan'.padStart(7)} Group Context              Extension  Language        MOH Interpret  Blocked  In Service`,
        `${'pseudo'.padStart(7)}    0 default                         en              default                     Yes`,
        ...[...want].filter(([c]) => c !== skip).map(([c, ctx]) => row(c, c > 2 ? 2 : 0, c === wrongCtx ? 'seatbox-internal' : ctx)),
      ].join('\n');
    const check = buildVerifyChecks(files, ['chan_dahdi.conf']);
    expect(check).toHaveLength(1);
    const fake = (out: string) => ({ command: async () => out }) as unknown as AmiClient;
    expect(await check[0]!.run(fake(rows(0)))).toBeUndefined();
    expect(await check[0]!.run(fake(rows(4)))).toBe('DAHDI: channel 4 is not configured');
    expect(await check[0]!.run(fake(rows(0, 3)))).toBe('DAHDI: channel 3 is in context seatbox-internal, expected seatbox-trunk-in-pstn');
    // without cards nothing is checked (chan_dahdi is not loaded)
    expect(buildVerifyChecks(renderConfig(base()), ['chan_dahdi.conf'])).toEqual([]);
  });

  it('reload plan: chan_dahdi.conf is reloaded only while chan_dahdi is loaded', () => {
    const withCards = renderConfig(full());
    const without = renderConfig(base());
    // cards added: "module load" reads the new file, no reload of it
    expect(planReload(['modules.conf', 'chan_dahdi.conf'], withCards, without).commands).toEqual(['module load chan_dahdi.so']);
    // cards changed while loaded: reload
    const changed = renderConfig({ ...full(), fxsSeats: [{ extension: '8101', dahdiChannel: 1, callerName: '总机' }] });
    expect(planReload(['chan_dahdi.conf', 'extensions.conf'], changed, withCards).commands).toEqual(['module reload chan_dahdi.so', 'dialplan reload']);
    // no cards at all: the placeholder file is never reloaded
    expect(planReload(['chan_dahdi.conf'], without, without).commands).toEqual([]);
  });
});
