// PbxModel validation: schema + semantic rules, with the exact error texts the UI shows.
import { describe, expect, it } from 'vitest';
import {
  assertValidModel,
  defaultEndpoint,
  defaultModel,
  defaultQueue,
  PbxModelError,
  validateModel,
  type PbxModel,
} from '../../firmware-agent/src/pbx-config/model.js';

const seats = (n: number) => Array.from({ length: n }, (_, i) => defaultEndpoint(String(8001 + i), `seat-secret-${8001 + i}`));
const base = (over: Partial<Parameters<typeof defaultModel>[0]> = {}): PbxModel =>
  defaultModel({ revision: 'r1', amiSecret: 'ami-secret-123', endpoints: seats(4), ...over });

/** The error strings of an invalid model ("path: message"). */
function errorsOf(m: unknown): string[] {
  const r = validateModel(m);
  if (r.ok) throw new Error('expected the model to be refused');
  return r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

const clone = (m: PbxModel): PbxModel => structuredClone(m);

describe('pbx-config model', () => {
  it('accepts the defaults, with and without endpoints', () => {
    expect(validateModel(defaultModel({ revision: 'r1', amiSecret: 'ami-secret-123' })).ok).toBe(true);
    expect(validateModel(base({ endpoints: seats(48), queues: [defaultQueue('sales', { members: [{ endpoint: '8001', penalty: 0 }] })] })).ok).toBe(true);
  });

  it('defaultModel uses the chroot sandbox paths, cn tones and the Debian moh dir', () => {
    const m = base();
    expect(m.paths).toEqual({
      etc: '/seatbox/etc',
      varlib: '/seatbox/lib',
      spool: '/seatbox/spool',
      run: '/seatbox/run',
      log: '/seatbox/log',
      data: '/usr/share/asterisk',
      mod: '/usr/lib/x86_64-linux-gnu/asterisk/modules',
    });
    expect(m.toneZone).toBe('cn');
    expect(m.moh.directory).toBe('/usr/share/asterisk/moh');
  });

  it('refuses CR/LF in any value, naming the path', () => {
    const m = clone(base());
    m.endpoints[3]!.secret = 'abc\ndefghij';
    expect(errorsOf(m)).toEqual(['endpoints[3].secret: must not contain newline']);
    const m2 = clone(base());
    m2.revision = 'r1\r';
    expect(errorsOf(m2)).toEqual(['revision: must not contain newline']);
  });

  it("refuses ';' (comment injection) in any value", () => {
    const m = clone(base());
    m.endpoints[0]!.callerName = 'Alice ; [evil]';
    expect(errorsOf(m)).toEqual(["endpoints[0].callerName: must not contain ';' (it starts a comment in Asterisk config files)"]);
    const m2 = clone(base());
    m2.ami.secret = 'abcdefgh;permit=0.0.0.0';
    expect(errorsOf(m2)).toEqual(["ami.secret: must not contain ';' (it starts a comment in Asterisk config files)"]);
  });

  it('refuses other control characters', () => {
    const m = clone(base());
    m.endpoints[1]!.callerName = 'Bob\u0000';
    expect(errorsOf(m)).toEqual(['endpoints[1].callerName: must not contain control characters']);
  });

  it('refuses values that would change the file structure even without newline or ;', () => {
    const m = clone(base());
    m.endpoints[0]!.id = '8001]\n[evil';
    expect(errorsOf(m)).toContain('endpoints[0].id: must not contain newline');
    const m2 = clone(base());
    m2.endpoints[0]!.callerName = 'Eve" <666>';
    expect(errorsOf(m2)).toEqual([`endpoints[0].callerName: must be 1-64 characters without '"', '<', '>' or '\\'`]);
    const m3 = clone(base());
    m3.endpoints[0]!.context = 'seatbox-internal,s,1)';
    expect(errorsOf(m3)).toEqual(['endpoints[0].context: must be a dialplan context name (A-Z a-z 0-9 _ -)']);
  });

  it('accepts Chinese display names', () => {
    const m = clone(base());
    m.endpoints[0]!.callerName = '坐席 一号';
    expect(validateModel(m).ok).toBe(true);
  });

  it('refuses a duplicate endpoint id (case-insensitive, as SIP user names)', () => {
    const m = clone(base());
    m.endpoints.push(defaultEndpoint('8002', 'another-secret'));
    expect(errorsOf(m)).toEqual(['endpoints[4].id: duplicate endpoint id "8002" (same as endpoints[1])']);
  });

  it('refuses bad ports and RTP ranges', () => {
    const m = clone(base());
    m.sip.port = 70000;
    expect(errorsOf(m)).toEqual(['sip.port: must be an integer port number 1-65535']);
    const m2 = clone(base());
    m2.ami.port = 80;
    expect(errorsOf(m2)).toEqual(['ami.port: must be an integer port number 1024-65535']);
    const m3 = clone(base());
    m3.sip.port = 10500;
    expect(errorsOf(m3)).toEqual(['sip.port: must not lie inside the RTP port range']);
    const m4 = clone(base());
    m4.sip.rtpEnd = m4.sip.rtpStart;
    expect(errorsOf(m4)).toEqual(['sip.rtpEnd: must be greater than sip.rtpStart']);
    const m5 = clone(base());
    (m5.sip as { port: unknown }).port = '5060';
    expect(errorsOf(m5)).toEqual(['sip.port: must be an integer port number 1-65535']);
  });

  it('refuses a bad bind address', () => {
    const m = clone(base());
    m.sip.bind = '300.1.1.1';
    expect(errorsOf(m)).toEqual(['sip.bind: must be an IPv4 address such as 192.168.1.10']);
  });

  it('refuses unknown and missing settings', () => {
    const m = clone(base()) as PbxModel & { sip: { foo?: number } };
    m.sip.foo = 1;
    expect(errorsOf(m)).toEqual(['sip.foo: is not a known setting']);
    const m2 = clone(base());
    delete (m2.ami as Partial<PbxModel['ami']>).secret;
    expect(errorsOf(m2)).toEqual(['ami.secret: is required']);
  });

  it('refuses short or odd secrets', () => {
    const m = clone(base());
    m.endpoints[2]!.secret = 'short';
    expect(errorsOf(m)).toEqual([`endpoints[2].secret: must be 8-128 printable ASCII characters without spaces, '"' or '\\'`]);
    const m2 = clone(base());
    m2.endpoints[2]!.secret = 'has a space';
    expect(errorsOf(m2)[0]).toMatch(/^endpoints\[2\]\.secret: must be 8-128 printable ASCII/);
  });

  it('checks queues, demo odds and tone zones', () => {
    const m = clone(base());
    m.queues = [defaultQueue('sales', { members: [{ endpoint: '9999', penalty: 0 }] }), defaultQueue('Sales')];
    expect(errorsOf(m)).toEqual(['queues[0].members[0].endpoint: unknown endpoint "9999"', 'queues[1].name: duplicate queue name "Sales" (same as queues[0])']);
    const m2 = clone(base());
    m2.demo.answerPercent = 60;
    m2.demo.busyPercent = 30;
    m2.demo.noAnswerPercent = 20;
    expect(errorsOf(m2)).toEqual(['demo: answerPercent + busyPercent + noAnswerPercent must not exceed 100']);
    const m3 = clone(base());
    (m3 as { toneZone: string }).toneZone = 'xx';
    expect(errorsOf(m3)).toEqual(['toneZone: must be one of cn, us']);
    const m4 = clone(base());
    m4.demo.talkMinSeconds = 90;
    m4.demo.talkMaxSeconds = 30;
    expect(errorsOf(m4)).toEqual(['demo.talkMaxSeconds: must be >= demo.talkMinSeconds']);
  });

  it('refuses an endpoint context the dialplan does not have', () => {
    const m = clone(base());
    m.endpoints[0]!.context = 'from-nowhere';
    expect(errorsOf(m)[0]).toBe('endpoints[0].context: must be one of the generated contexts: seatbox-internal, seatbox-queue-entry, seatbox-pstn-sim, seatbox-demo-agent');
    m.endpoints[0]!.context = 'seatbox-pstn-sim';
    m.demo.enabled = false;
    expect(errorsOf(m)[0]).toBe('endpoints[0].context: must be one of the generated contexts: seatbox-internal, seatbox-queue-entry');
  });

  it('assertValidModel throws PbxModelError listing every problem', () => {
    const m = clone(base());
    m.endpoints[0]!.secret = 'x\ny';
    m.sip.port = 0;
    expect(() => assertValidModel(m)).toThrow(PbxModelError);
    expect(() => assertValidModel(m)).toThrow('invalid PBX model: endpoints[0].secret: must not contain newline; sip.port: must be an integer port number 1-65535');
  });
});

describe('defaultModel demo odds', () => {
  it('shrinks the default odds of outcomes not given so the total stays within 100 %', () => {
    const m = defaultModel({ revision: 'r1', amiSecret: 'ami-secret-123', demo: { answerPercent: 100 } });
    expect([m.demo.answerPercent, m.demo.busyPercent, m.demo.noAnswerPercent]).toEqual([100, 0, 0]);
    const m2 = defaultModel({ revision: 'r1', amiSecret: 'ami-secret-123', demo: { busyPercent: 80 } });
    expect([m2.demo.answerPercent, m2.demo.busyPercent, m2.demo.noAnswerPercent]).toEqual([20, 80, 0]);
    expect(validateModel(m2).ok).toBe(true);
    // explicit odds are never changed: too much is an error
    const m3 = defaultModel({ revision: 'r1', amiSecret: 'ami-secret-123', demo: { answerPercent: 90, busyPercent: 20 } });
    expect(errorsOf(m3)).toEqual(['demo: answerPercent + busyPercent + noAnswerPercent must not exceed 100']);
  });
});
