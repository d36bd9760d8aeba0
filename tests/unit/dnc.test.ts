// The do-not-call store on a real SQLite file: number normalisation, month arithmetic of the
// refusal block, expiry at its exact instant, the longer block kept, import all-or-nothing check.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMonths, DncStore, normalizePhone } from '../../firmware-agent/src/dnc/dnc-store.js';
import { cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
let dnc: DncStore;
beforeEach(() => {
  e = env();
  dnc = e.mod.dnc;
});
afterEach(() => {
  e.db.close();
  cleanup();
});

describe('do-not-call store', () => {
  it('normalises numbers: +86, 0086, 86 on mobiles, full-width digits, separators', () => {
    expect(normalizePhone('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizePhone('0086 13800138000')).toBe('13800138000');
    expect(normalizePhone('8613800138000')).toBe('13800138000');
    expect(normalizePhone('１３８００１３８０００')).toBe('13800138000');
    expect(normalizePhone('(010) 6552-9988')).toBe('01065529988');
    expect(normalizePhone('call me')).toBeNull();
    expect(normalizePhone('123')).toBeNull();
  });

  it('adds calendar months, clamping to the month end', () => {
    expect(addMonths(new Date('2026-11-20T02:00:00Z'), 6).toISOString()).toBe('2027-05-20T02:00:00.000Z');
    expect(addMonths(new Date('2026-08-31T10:00:00Z'), 6).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(addMonths(new Date('2027-08-31T10:00:00Z'), 6).toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });

  it('an entry blocks until its expiry instant, not after; expired entries are listed only on request', () => {
    const now = new Date('2026-03-02T02:00:00Z');
    const until = new Date('2026-03-09T02:00:00Z');
    dnc.add({ phone: '13900000001', reason: 'complaint', expiresAt: until, now });
    expect(dnc.active('13900000001', new Date(until.getTime() - 1))).toMatchObject({ reason: 'complaint' });
    expect(dnc.active('13900000001', until)).toBeNull();
    expect(dnc.list({ now: until }).total).toBe(0);
    expect(dnc.list({ now: until, includeExpired: true }).total).toBe(1);
    // An expired entry is replaced by a new block.
    dnc.add({ phone: '13900000001', reason: 'refusal', expiresAt: new Date('2026-09-09T02:00:00Z'), now: until });
    expect(dnc.active('13900000001', until)).toMatchObject({ reason: 'refusal', expiresAt: '2026-09-09T02:00:00.000Z' });
    // A shorter block does not shorten an active longer one; a longer one extends it.
    dnc.add({ phone: '13900000001', reason: 'manual', expiresAt: new Date('2026-04-01T00:00:00Z'), now: until });
    expect(dnc.active('13900000001', until)!.expiresAt).toBe('2026-09-09T02:00:00.000Z');
    dnc.add({ phone: '13900000001', reason: 'opt_out', expiresAt: null, now: until });
    expect(dnc.active('13900000001', until)).toMatchObject({ reason: 'opt_out', expiresAt: null });
    expect(() => dnc.add({ phone: '13900000002', reason: 'manual', expiresAt: new Date(until.getTime() - 1000), now: until })).toThrow(/expiry lies in the past/);
  });

  it('import: header skipped, invalid lines reported by physical line, valid ones added in one transaction', () => {
    const now = new Date('2026-03-02T02:00:00Z');
    const text = '\uFEFF号码,备注\r\n13900000001,a\r\n\r\nnot-a-number,b\r\n+86 13900000002,c\r\n';
    expect(dnc.check(text)).toEqual({ phones: ['13900000001', '13900000002'], invalid: [{ line: 4, reason: '"not-a-number" is not a phone number' }] });
    expect(dnc.importText(text, { reason: 'import', now }).added).toBe(2);
    expect(dnc.list({ now }).entries.map((x) => x.phone).sort()).toEqual(['13900000001', '13900000002']);
  });
});
