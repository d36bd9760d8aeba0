// The generated fax dialplan: where inbound faxes come from (a DID routed to "fax", a dedicated
// fax line, the hotline's CNG detection), how outbound faxes leave (through the trunk's own
// subroutine, so its channel limit and caller ID apply), that fax calls are kept out of call
// recording, the demo's simulated fax machines — and that the whole file passes the checks.
import { describe, expect, it } from 'vitest';
import { FAX_CONTEXTS, SIM_FAX_NUMBERS, renderFaxDialplan } from '../../firmware-agent/src/fax/dialplan.js';
import { defaultEndpoint, defaultModel, defaultSipTrunk, validateModel, type DefaultModelInit, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { validateConfigFiles } from '../../firmware-agent/src/pbx-config/validate.js';

const model = (over: Partial<DefaultModelInit> = {}, extra: Partial<PbxModel> = {}): PbxModel => ({
  ...defaultModel({
    revision: 'r1',
    amiSecret: 'ami-secret-123',
    endpoints: ['8001', '8002'].map((e) => defaultEndpoint(e, `secret-${e}-xx`)),
    trunks: [defaultSipTrunk('telecom', '203.0.113.5', { maxChannels: 8 }), defaultSipTrunk('faxline', '203.0.113.9', { faxLine: true })],
    inboundRoutes: [{ did: '88001', destination: { kind: 'fax' } }],
    ...over,
  }),
  ...extra,
});

/** The lines of one context of extensions.conf. */
function context(ext: string, name: string): string {
  const start = ext.indexOf(`[${name}]`);
  expect(start, `context ${name}`).toBeGreaterThanOrEqual(0);
  const end = ext.indexOf('\n[', start + 1);
  return ext.slice(start, end < 0 ? undefined : end);
}

describe('fax dialplan', () => {
  it('renders, and the generated files pass the config checks', () => {
    const files = renderConfig(model({}, { fax: { stationId: '+86 10 5555 0100', header: 'ACME Ltd' } }));
    expect(validateConfigFiles(files).map((i) => `${i.file}:${i.line} ${i.message}`)).toEqual([]);
    const ext = files.get('extensions.conf')!;
    const fin = context(ext, FAX_CONTEXTS.in);
    expect(fin).toContain('ReceiveFAX(/seatbox/spool/fax-in/${UNIQUEID}.tif)');
    expect(fin).toContain('Set(FAXOPT(localstationid)=+86 10 5555 0100)');
    expect(fin).toContain('UserEvent(SeatBoxFax,Phase: end,');
    expect(context(ext, FAX_CONTEXTS.send)).toContain('SendFAX(${SEATBOX_FAX_FILE})');
    expect(context(ext, FAX_CONTEXTS.send)).toContain('Set(FAXOPT(headerinfo)=ACME Ltd)');
  });

  it('a DID routed to fax goes to the receiver with the number dialled', () => {
    const ext = renderConfig(model()).get('extensions.conf')!;
    expect(context(ext, 'seatbox-from-trunk')).toContain('exten => 88001,1,Set(__SEATBOX_DID=${EXTEN})\n same => n,Goto(seatbox-fax-in,s,1)');
  });

  it('a dedicated fax line receives every call as a fax (after its channel-limit check)', () => {
    const ext = renderConfig(model()).get('extensions.conf')!;
    const line = context(ext, 'seatbox-trunk-in-faxline');
    expect(line).toContain('Gosub(seatbox-trunk-in-check,s,1(faxline,30))');
    expect(line).toContain('Set(SEATBOX_FAX_ROUTE=line)');
    expect(line).toContain('Goto(seatbox-fax-in,s,1)');
    expect(line).not.toContain('seatbox-from-trunk');
    // An ordinary trunk still goes by number.
    expect(context(ext, 'seatbox-trunk-in-telecom')).toContain('Goto(seatbox-from-trunk,${EXTEN},1)');
  });

  it('outbound faxes dial through the trunk subroutine (channel limit, caller ID) and report the status', () => {
    const ext = renderConfig(model()).get('extensions.conf')!;
    const dial = context(ext, 'seatbox-fax-dial-telecom');
    expect(dial).toContain('Gosub(seatbox-trunk-telecom,s,1(${EXTEN},0))');
    expect(dial).toContain('UserEvent(SeatBoxFaxDial,Job: ${SEATBOX_FAX_JOB},Attempt: ${SEATBOX_FAX_ATTEMPT},Status: ${SEATBOX_TRUNK_STATUS}');
    // The subroutine it uses is the one with the group-count limit.
    expect(context(ext, 'seatbox-trunk-telecom')).toContain('GROUP_COUNT(telecom@seatbox-trunk)} >= 8');
  });

  it('fax calls are kept out of call recording', () => {
    const text = renderFaxDialplan(model());
    expect(text).not.toContain('seatbox-record');
    expect(text).not.toContain('MixMonitor');
    const fin = context(renderConfig(model()).get('extensions.conf')!, FAX_CONTEXTS.in);
    // Later seatbox-record Gosubs see SEATBOX_RECORDING set; the trunk entry's recording runs
    // only while bridged ("b"), which a fax call never is (checked for real in fax-out.test.ts).
    expect(fin).toContain('Set(__SEATBOX_RECORDING=fax)');
    expect(fin.indexOf('Set(__SEATBOX_RECORDING=fax)')).toBeLessThan(fin.indexOf('ReceiveFAX('));
    expect(context(renderConfig(model()).get('extensions.conf')!, 'seatbox-trunk-in-check')).toContain('Gosub(seatbox-record,s,1(b))');
  });

  it('demo: simulated fax machines (busy while in use) and a simulated sender; none without demo', () => {
    const demo = renderConfig(model()).get('extensions.conf')!;
    const sim = context(demo, FAX_CONTEXTS.simMachine);
    for (const n of SIM_FAX_NUMBERS) expect(sim).toContain(`exten => ${n},1,Set(GROUP(seatbox-fax-sim)=${n})`);
    expect(sim).toContain('Busy(3)');
    expect(context(demo, FAX_CONTEXTS.simSender)).toContain('SendFAX(${SEATBOX_FAX_SIM_FILE})');
    expect(context(demo, 'seatbox-fax-dial-pstn-sim')).toContain(`Dial(Local/\${EXTEN}@${FAX_CONTEXTS.simMachine}/n,60)`);
    const real = renderConfig(model({ demo: { enabled: false } })).get('extensions.conf')!;
    expect(real).not.toContain(FAX_CONTEXTS.simMachine);
    expect(real).not.toContain('seatbox-fax-dial-pstn-sim');
    expect(real).toContain(`[${FAX_CONTEXTS.in}]`);
  });

  it('model checks: a fax destination takes no target; station ID and header are checked', () => {
    const bad = validateModel(model({ inboundRoutes: [{ did: '88001', destination: { kind: 'fax', target: '8001' } }] }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => `${e.path}: ${e.message}`)).toContain('inboundRoutes[0].destination.target: must be absent for a fax destination');
    const bad2 = validateModel(model({}, { fax: { stationId: 'abc', header: 'x,y' } }));
    expect(!bad2.ok && bad2.errors.map((e) => e.path).sort()).toEqual(['fax.header', 'fax.stationId']);
  });
});

describe('fax resolution as people read it', () => {
  it('turns res_fax pixels per metre into dots per inch, keeps anything else', async () => {
    const { faxResolution } = await import('../../firmware-agent/src/fax/fax-module.js');
    // What res_fax_spandsp reported for a fine-resolution page in the demo.
    expect(faxResolution('8031x7700')).toBe('204×196 dpi');
    expect(faxResolution('8031x3850')).toBe('204×98 dpi');
    expect(faxResolution('fine')).toBe('fine');
    expect(faxResolution('')).toBeNull();
    expect(faxResolution(undefined)).toBeNull();
  });
});
