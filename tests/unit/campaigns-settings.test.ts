// Campaign settings: one TypeBox document, defaults, errors with path + reason; the script's
// placeholders rendered as plain text; calling hours at their boundaries (Asia/Shanghai).
import { describe, expect, it } from 'vitest';
import { hoursState, localDay, nextOpenAt } from '../../firmware-agent/src/campaigns/calling-hours.js';
import { CampaignSettingsError, defaultSettings, renderScript, validateSettings } from '../../firmware-agent/src/campaigns/settings.js';

const sh = (date: string, hhmm: string, sec = 0) => new Date(`${date}T${hhmm}:${String(sec).padStart(2, '0')}+08:00`);

function issues(input: unknown) {
  try {
    validateSettings(input);
  } catch (e) {
    if (e instanceof CampaignSettingsError) return e.issues;
    throw e;
  }
  return [];
}

describe('campaign settings', () => {
  it('defaults: 09:00–21:00 Asia/Shanghai every day, 3 % drop cap, refusal blocks 6 months', () => {
    const s = validateSettings({});
    expect(s.hours.timezone).toBe('Asia/Shanghai');
    expect(s.hours.weekly.mon).toEqual([{ from: '09:00', to: '21:00' }]);
    expect(s.hours.weekly.sun).toEqual([{ from: '09:00', to: '21:00' }]);
    expect(s.dropCapPercent).toBe(3);
    expect(s.dnc.refusalMonths).toBe(6);
    expect(s.dailyAttemptCap).toBe(3);
    expect(s.dispositions.some((d) => d.dnc && d.final)).toBe(true);
  });

  it('merges a partial document over the defaults', () => {
    const s = validateSettings({ retries: { busy: { afterMinutes: 10, maxAttempts: 5 } }, dailyAttemptCap: 2 });
    expect(s.retries.busy).toEqual({ afterMinutes: 10, maxAttempts: 5 });
    expect(s.retries.no_answer).toEqual(defaultSettings().retries.no_answer);
    expect(s.dailyAttemptCap).toBe(2);
  });

  it('names the path and the reason of each problem', () => {
    expect(issues({ hours: { weekly: { tue: [{ from: '9:00', to: '21:00' }] } } })[0]!.path).toBe('settings.hours.weekly.tue.0.from');
    const inverted = issues({ hours: { weekly: { wed: [{ from: '21:00', to: '09:00' }] } } });
    expect(inverted).toEqual([{ path: 'settings.hours.weekly.wed.0', message: 'window ends (09:00) before or when it starts (21:00)' }]);
    expect(issues({ retries: { busy: { afterMinutes: 0, maxAttempts: 3 } } })[0]).toMatchObject({ path: 'settings.retries.busy.afterMinutes' });
    expect(issues({ dropCapPercent: 120 })[0]!.path).toBe('settings.dropCapPercent');
    expect(issues({ hours: { timezone: 'Mars/Olympus' } })).toEqual([{ path: 'settings.hours.timezone', message: 'unknown time zone "Mars/Olympus"' }]);
    expect(issues({ bogus: 1 })[0]!.path).toMatch(/^settings/);
    const dup = defaultSettings().dispositions;
    expect(issues({ dispositions: [...dup, dup[0]] })).toContainEqual({ path: `settings.dispositions.${dup.length}.code`, message: 'duplicate disposition code "sale"' });
    expect(issues({ script: '您好 {{name}}，{{constructor.name}}' })[0]).toMatchObject({ path: 'settings.script' });
    expect(issues({ callerId: '+86 10' })[0]!.path).toBe('settings.callerId');
  });

  it('renders the script as plain text: values never interpreted, missing ones marked', () => {
    const r = renderScript('您好{{name}}，贵公司{{ fields.company }}，{{fields.城市}}', { name: '<b>王伟</b>{{phone}}', phone: '13800000000', extension: null, fields: { company: '华夏' } });
    expect(r.text).toBe('您好<b>王伟</b>{{phone}}，贵公司华夏，【?】');
    expect(r.missing).toEqual(['fields.城市']);
    // Prototype keys are not fields.
    expect(renderScript('{{fields.constructor}}', { name: null, phone: null, extension: null, fields: {} }).text).toBe('【?】');
  });
});

describe('calling hours (Asia/Shanghai)', () => {
  const hours = validateSettings({ hours: { weekly: { sat: [{ from: '10:00', to: '12:00' }, { from: '14:00', to: '18:00' }], sun: [] }, holidays: ['2026-03-04'] } }).hours;

  it('opens at 09:00:00 and closes at 21:00:00 exactly', () => {
    expect(hoursState(hours, sh('2026-03-02', '08:59', 59)).open).toBe(false);
    expect(hoursState(hours, sh('2026-03-02', '09:00')).open).toBe(true);
    expect(hoursState(hours, sh('2026-03-02', '20:59', 59)).open).toBe(true);
    const closed = hoursState(hours, sh('2026-03-02', '21:00'));
    expect(closed).toMatchObject({ open: false });
    if (!closed.open) expect(closed.opensAt!.toISOString()).toBe(sh('2026-03-03', '09:00').toISOString());
  });

  it('skips holidays and empty weekdays; split windows per weekday', () => {
    // Tuesday evening → Wednesday is a holiday → Thursday 09:00.
    expect(nextOpenAt(hours, sh('2026-03-03', '21:30'))!.toISOString()).toBe(sh('2026-03-05', '09:00').toISOString());
    const hol = hoursState(hours, sh('2026-03-04', '10:00'));
    expect(hol).toMatchObject({ open: false, holiday: true });
    // Saturday lunch gap, then Sunday closed → Monday.
    expect(hoursState(hours, sh('2026-03-07', '12:00')).open).toBe(false);
    expect(nextOpenAt(hours, sh('2026-03-07', '12:00'))!.toISOString()).toBe(sh('2026-03-07', '14:00').toISOString());
    expect(nextOpenAt(hours, sh('2026-03-07', '18:00'))!.toISOString()).toBe(sh('2026-03-09', '09:00').toISOString());
  });

  it('local day changes at local midnight, not UTC midnight', () => {
    expect(localDay(new Date('2026-03-02T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-03-02');
    expect(localDay(new Date('2026-03-02T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-03');
  });
});
