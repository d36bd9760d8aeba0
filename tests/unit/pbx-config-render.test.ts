// renderConfig: every template renders (empty model, 48 seats), deterministically, into files
// our own checker accepts; values land where expected.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultEndpoint, defaultModel, defaultQueue, PbxModelError, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { CONFIG_FILES, LOADED_MODULES, renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { validateConfigFiles } from '../../firmware-agent/src/pbx-config/validate.js';

const seats = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    defaultEndpoint(String(8001 + i), `seat-secret-${8001 + i}`, i % 3 === 0 ? { callerName: `坐席 ${i + 1}`, codecs: ['g722', 'alaw'], maxContacts: 2 } : {}),
  );
const empty = (): PbxModel => defaultModel({ revision: 'r-empty', amiSecret: 'ami-secret-123' });
const full = (): PbxModel =>
  defaultModel({
    revision: '2024.06.01-3',
    amiSecret: 'ami-secret-123',
    endpoints: seats(48),
    queues: [
      defaultQueue('sales', { strategy: 'ringall', members: [{ endpoint: '8003', penalty: 1 }, { endpoint: '8001', penalty: 0 }] }),
      defaultQueue('support', { members: [{ endpoint: '8010', penalty: 0 }] }),
    ],
    sip: { externalAddress: 'pbx.example.cn', localNets: ['192.168.0.0/16', '10.0.0.0/8'] },
  });

describe('pbx-config render', () => {
  it('renders every template, for an empty model and for 48 seats, into files our checker accepts', () => {
    for (const m of [empty(), full()]) {
      const files = renderConfig(m);
      expect([...files.keys()]).toEqual([...CONFIG_FILES]);
      for (const [name, text] of files) {
        expect(text, name).not.toMatch(/undefined|\[object Object\]|@@|\{\{|\}\}/);
        expect(text.endsWith('\n'), name).toBe(true);
        expect(text, name).not.toMatch(/\n\n\n/);
      }
      expect(validateConfigFiles(files)).toEqual([]);
    }
  });

  it('is deterministic: same model, same bytes, whatever the list order', () => {
    const a = renderConfig(full());
    const b = renderConfig(full());
    expect(b).toEqual(a);
    const shuffled = full();
    shuffled.endpoints.reverse();
    shuffled.queues.reverse();
    expect(renderConfig(shuffled)).toEqual(a);
  });

  it('changes only extensions.conf when only the revision changes', () => {
    const a = renderConfig(full());
    const m = full();
    m.revision = 'r2';
    const b = renderConfig(m);
    const changed = [...a.keys()].filter((k) => a.get(k) !== b.get(k));
    expect(changed).toEqual(['extensions.conf']);
    expect(b.get('extensions.conf')).toContain('exten => revision,1,NoOp(r2)\n');
  });

  it('writes the content tag of the file into the sentinels', () => {
    const files = renderConfig(full());
    const ext = files.get('extensions.conf')!;
    const pj = files.get('pjsip.conf')!;
    expect(ext).toMatch(/^exten => content,1,NoOp\([0-9a-f]{12}\)$/m);
    expect(pj).toMatch(/^user_agent = SeatBox \(cfg [0-9a-f]{12}\)$/m);
    const m = full();
    m.endpoints[5]!.secret = 'changed-secret-1';
    const pj2 = renderConfig(m).get('pjsip.conf')!;
    expect(/cfg ([0-9a-f]{12})/.exec(pj2)![1]).not.toBe(/cfg ([0-9a-f]{12})/.exec(pj)![1]);
  });

  it('renders endpoints, aors and auths from the model', () => {
    const pj = renderConfig(full()).get('pjsip.conf')!;
    expect(pj.match(/^type = endpoint$/gm)).toHaveLength(48);
    expect(pj.match(/^type = aor$/gm)).toHaveLength(48);
    expect(pj.match(/^type = auth$/gm)).toHaveLength(48);
    expect(pj).toContain('[8001]\ntype = endpoint\ntransport = seatbox-udp\ncontext = seatbox-internal\naors = 8001\nauth = 8001-auth\ndisallow = all\nallow = g722,alaw\ncallerid = "坐席 1" <8001>\n');
    expect(pj).toContain('[8001]\ntype = aor\nmax_contacts = 2\n');
    expect(pj).toContain('[8001-auth]\ntype = auth\nauth_type = digest\nusername = 8001\npassword = seat-secret-8001\n');
    expect(pj).toContain('bind = 0.0.0.0:5060\n');
    expect(pj).toContain('external_media_address = pbx.example.cn\nexternal_signaling_address = pbx.example.cn\nlocal_net = 192.168.0.0/16\nlocal_net = 10.0.0.0/8\n');
    const none = renderConfig(empty()).get('pjsip.conf')!;
    expect(none).not.toMatch(/type = endpoint/);
    expect(none).not.toMatch(/external_/);
  });

  it('keeps AMI on loopback with a raised write timeout', () => {
    const mgr = renderConfig(full()).get('manager.conf')!;
    expect(mgr).toMatch(/^bindaddr = 127\.0\.0\.1$/m);
    expect(mgr).toMatch(/^port = 5038$/m);
    expect(mgr).toMatch(/^\[seatbox\]\nsecret = ami-secret-123\ndeny = 0\.0\.0\.0\/0\.0\.0\.0\npermit = 127\.0\.0\.1\/255\.255\.255\.255\n/m);
    expect(mgr).toMatch(/^writetimeout = 5000$/m);
    expect(mgr).toMatch(/^webenabled = no$/m);
  });

  it('loads an explicit module list (autoload off, no chan_dahdi)', () => {
    const mods = renderConfig(empty()).get('modules.conf')!;
    expect(mods).toMatch(/^autoload = no$/m);
    expect(mods).not.toMatch(/chan_dahdi/);
    for (const m of ['res_pjsip.so', 'chan_pjsip.so', 'app_dial.so', 'app_queue.so', 'app_mixmonitor.so', 'app_chanspy.so', 'pbx_config.so', 'res_musiconhold.so', 'codec_ulaw.so', 'codec_alaw.so', 'codec_gsm.so', 'res_rtp_asterisk.so', 'res_timing_timerfd.so', 'res_fax.so', 'res_fax_spandsp.so', 'func_rand.so'])
      expect(mods).toContain(`load = ${m}\n`);
    expect(new Set(LOADED_MODULES).size).toBe(LOADED_MODULES.length);
  });

  it('lists only modules that exist in the sid root (when it is built)', () => {
    const dir = '/var/cache/seatbox/sid-root/usr/lib/x86_64-linux-gnu/asterisk/modules';
    if (!existsSync(join(dir, 'chan_pjsip.so'))) return;
    const have = new Set(readdirSync(dir));
    expect(LOADED_MODULES.filter((m) => !have.has(m))).toEqual([]);
  });

  it('renders the demo contexts with the configured odds, and drops them when the demo is off', () => {
    const m = full();
    Object.assign(m.demo, { answerPercent: 50, busyPercent: 20, noAnswerPercent: 10, talkMinSeconds: 5, talkMaxSeconds: 9, ringMinSeconds: 2, ringMaxSeconds: 4 });
    const ext = renderConfig(m).get('extensions.conf')!;
    expect(ext).toContain(' same => n,Set(SEATBOX_ROLL=${RAND(1,100)})\n same => n,GotoIf($[${SEATBOX_ROLL} <= 50]?answer)\n same => n,GotoIf($[${SEATBOX_ROLL} <= 70]?busy)\n same => n,GotoIf($[${SEATBOX_ROLL} <= 80]?noanswer)\n');
    expect(ext).toContain(' same => n,Wait(${RAND(2,4)})\n same => n,Answer()\n same => n,Playback(demo-congrats)\n same => n,Wait(${RAND(5,9)})\n');
    expect(ext).toMatch(/^\[seatbox-demo-agent\]$/m);
    m.demo.enabled = false;
    const off = renderConfig(m).get('extensions.conf')!;
    expect(off).not.toMatch(/seatbox-pstn-sim|seatbox-demo-agent/);
    expect(validateConfigFiles(renderConfig(m))).toEqual([]);
  });

  it('uses the cn tone zone by default with the standard Chinese tones', () => {
    const ind = renderConfig(empty()).get('indications.conf')!;
    expect(ind).toMatch(/^\[general\]\ncountry = cn$/m);
    expect(ind).toContain('[cn]\ndescription = China\n');
    expect(ind).toMatch(/^busy = 450\/350,0\/350$/m);
    expect(ind).toMatch(/^ring = 450\/1000,0\/4000$/m);
  });

  it('renders queues with their static members', () => {
    const q = renderConfig(full()).get('queues.conf')!;
    expect(q).toContain('[sales]\nstrategy = ringall\ntimeout = 15\n');
    expect(q).toContain('member => PJSIP/8001,0\nmember => PJSIP/8003,1\n');
    expect(renderConfig(empty()).get('queues.conf')).toMatch(/^\[general\]$/m);
  });

  it('refuses to render an invalid model (values are inserted unescaped)', () => {
    const m = full();
    m.endpoints[0]!.secret = 'x\n[evil]\ntype=endpoint';
    expect(() => renderConfig(m)).toThrow(PbxModelError);
  });
});
