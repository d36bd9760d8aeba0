// translate() interpolation and the localized number/uptime formatting used by the UI.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatMegabytes, formatUptime } from '../../web-ui/src/format.js';
import { translate, type Lang, type MessageKey, type Params } from '../../web-ui/src/i18n/index.js';

const tFor = (lang: Lang) => (key: MessageKey, params?: Params) => translate(lang, key, params);

describe('translate', () => {
  it('fills {placeholders} and leaves unknown ones alone', () => {
    expect(translate('en', 'error.rateLimited', { seconds: 42 })).toBe('Too many sign-in attempts. Try again in 42 seconds.');
    expect(translate('zh-CN', 'error.rateLimited', { seconds: 42 })).toBe('登录尝试次数过多，请在 42 秒后重试。');
    expect(translate('en', 'dashboard.welcome')).toBe('Welcome, {name}');
  });
});

describe('formatUptime', () => {
  it('shows the two largest units in each language', () => {
    const secs = 3 * 86400 + 4 * 3600 + 5 * 60 + 6;
    expect(formatUptime(tFor('en'), secs)).toBe('3d 4h');
    expect(formatUptime(tFor('zh-CN'), secs)).toBe('3 天 4 小时');
    expect(formatUptime(tFor('en'), 3 * 86400 + 5 * 60)).toBe('3d');
    expect(formatUptime(tFor('en'), 3600 + 60)).toBe('1h 1m');
    expect(formatUptime(tFor('zh-CN'), 42)).toBe('42 秒');
    expect(formatUptime(tFor('en'), 0)).toBe('0s');
  });

  it('shows a dash when unknown', () => {
    expect(formatUptime(tFor('en'), null)).toBe('—');
    expect(formatUptime(tFor('zh-CN'), undefined)).toBe('—');
  });
});

describe('formatDuration / formatMegabytes', () => {
  it('formats call durations as mm:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(65.9)).toBe('01:05');
    expect(formatDuration(3600 + 62)).toBe('1:01:02');
    expect(formatDuration(-5)).toBe('00:00');
  });

  it('formats memory in MB with one decimal', () => {
    expect(formatMegabytes(tFor('en'), 'en', 87_654_321)).toBe('83.6 MB');
    expect(formatMegabytes(tFor('zh-CN'), 'zh-CN', 1024 * 1024)).toBe('1.0 MB');
  });
});
