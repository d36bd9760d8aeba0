// The drop message a dropped dialer call hears: company name and callback number spoken by TTS
// (espeak-ng in the sid root), written atomically into the instance's custom sounds; until then
// (or without TTS) the dialplan plays vm-goodbye.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../firmware-agent/src/db/database.js';
import { createLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { DropMessage, DROP_SOUND_FILE, dropMessageText } from '../../firmware-agent/src/dialer/drop-message.js';
import { wavInfo } from '../../firmware-agent/src/prompts/convert.js';
import { defaultRootDir } from '../../firmware-agent/src/pbx-runtime/sid-root.js';

const dir = mkdtempSync(join(tmpdir(), 'dialer-drop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dialer drop message', () => {
  it('says the company and the callback number digit by digit', () => {
    const text = dropMessageText({ company: '华夏商贸', callback: '4008001234' });
    expect(text).toContain('华夏商贸');
    expect(text).toContain('4 0 0 8 0 0 1 2 3 4');
  });

  it('is synthesized into the custom sounds and then played instead of vm-goodbye', async () => {
    const db = openDatabase(join(dir, 'data'));
    const settings = new SettingsStore(db);
    settings.set('dialer.dropMessage', { company: '华夏商贸', callback: '4008001234' });
    const soundsDir = join(dir, 'sounds');
    const m = new DropMessage({ settings, soundsDir, asteriskSoundsDir: '/seatbox/lib/sounds/custom', rootDir: defaultRootDir(), logger: createLogger({ level: 'silent' }) });
    expect(m.sound()).toBe('vm-goodbye');
    await m.prepare();
    const file = join(soundsDir, `${DROP_SOUND_FILE}.wav`);
    expect(existsSync(file)).toBe(true);
    const info = wavInfo(readFileSync(file));
    expect(info.sampleRate).toBe(8000);
    expect(info.durationMs).toBeGreaterThan(3000);
    expect(m.sound()).toBe(`/seatbox/lib/sounds/custom/${DROP_SOUND_FILE}`);
    db.close();
  }, 60_000);
});
