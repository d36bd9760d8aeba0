// Prompt conversion with the real tools of the Asterisk sid root: espeak-ng TTS (Mandarin and
// English) and ffmpeg for uploads (WAV 44.1 kHz stereo and MP3) must give 8 kHz mono 16-bit
// WAV of non-zero duration; TTS prompts are regenerated only when the text changes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertUpload, PromptConversionError, synthesize, wavInfo } from '../../firmware-agent/src/prompts/convert.js';
import { PromptStore } from '../../firmware-agent/src/prompts/prompt-store.js';
import { defaultRootDir, rootReady } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { cleanupDbs, tempDb } from './agents-support.js';

const root = defaultRootDir();
const ready = rootReady(root);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cleanupDbs();
});

/** A test tone made by sox inside the root (so the test needs no host tools). */
function toneFile(ext: 'wav' | 'mp3', rate: number, channels: number): Buffer {
  const host = mkdtempSync(join(root, 'tmp', 'seatbox-test-'));
  dirs.push(host);
  const inRoot = `/tmp/${basename(host)}`;
  if (ext === 'wav') execFileSync('chroot', [root, 'sox', '-n', '-r', String(rate), '-c', String(channels), '-b', '16', `${inRoot}/t.wav`, 'synth', '0.5', 'sine', '440']);
  else execFileSync('chroot', [root, 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.7', '-ac', '2', '-ar', '44100', `${inRoot}/t.mp3`]);
  return readFileSync(join(host, `t.${ext}`));
}

const expect8kMono = (wav: Buffer, minMs: number) => {
  const info = wavInfo(wav);
  expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16, format: 1 });
  expect(info.durationMs).toBeGreaterThan(minMs);
  return info;
};

describe.skipIf(!ready)('prompt conversion (real sox / ffmpeg / espeak-ng)', () => {
  it('TTS in Mandarin and English', async () => {
    const zh = await synthesize('您好，欢迎致电，请按一转人工服务。', 'zh', { rootDir: root });
    expect8kMono(zh.wav, 1000);
    const en = await synthesize('Welcome. Press one for sales.', 'en', { rootDir: root });
    expect8kMono(en.wav, 800);
    // Text beginning with a dash is spoken, never taken as an option (stdin).
    expect8kMono((await synthesize('--help', 'en', { rootDir: root })).wav, 100);
  });

  it('uploads: 44.1 kHz stereo WAV and MP3 become 8 kHz mono WAV', async () => {
    const a = await convertUpload(toneFile('wav', 44100, 2), { rootDir: root });
    expect(Math.abs(expect8kMono(a.wav, 400).durationMs - 500)).toBeLessThan(30);
    const b = await convertUpload(toneFile('mp3', 44100, 2), { rootDir: root });
    expect8kMono(b.wav, 500);
  });

  it('garbage uploads are refused with a message; no temp files left in the root', async () => {
    const before = new Set(execFileSync('ls', [join(root, 'tmp')]).toString().split('\n'));
    await expect(convertUpload(Buffer.from('this is not audio at all'), { rootDir: root })).rejects.toBeInstanceOf(PromptConversionError);
    await expect(convertUpload(Buffer.alloc(0), { rootDir: root })).rejects.toThrow(/empty/);
    const after = execFileSync('ls', [join(root, 'tmp')]).toString().split('\n').filter((f) => f.startsWith('seatbox-prompt-') && !before.has(f));
    expect(after).toEqual([]);
  });

  it('prompt store: TTS regenerated only when the text changes; files as <varlib>/sounds/custom/ivr-<name>, nothing in the shared root', async () => {
    const shared = join(root, 'usr/share/asterisk/sounds/custom');
    const sharedBefore = existsSync(shared) ? readdirSync(shared).sort() : [];
    const dir = mkdtempSync(join(tmpdir(), 'seatbox-prompts-'));
    dirs.push(dir);
    const store = new PromptStore(tempDb(), dir, { rootDir: root });
    const a = await store.saveTts('welcome', '欢迎致电', 'zh');
    expect(a.regenerated).toBe(true);
    expect(a.prompt).toMatchObject({ name: 'welcome', source: 'tts', lang: 'zh', asteriskPath: '/seatbox/lib/sounds/custom/ivr-welcome' });
    expect(existsSync(shared) ? readdirSync(shared).sort() : []).toEqual(sharedBefore);
    const file = join(dir, 'ivr-welcome.wav');
    expect(existsSync(file)).toBe(true);
    const mtime = statSync(file).mtimeMs;
    expect((await store.saveTts('welcome', '欢迎致电', 'zh')).regenerated).toBe(false);
    expect(statSync(file).mtimeMs).toBe(mtime);
    const c = await store.saveTts('welcome', '欢迎致电，工作时间为上午九点至下午六点', 'zh');
    expect(c.regenerated).toBe(true);
    expect(c.prompt.durationMs).toBeGreaterThan(a.prompt.durationMs);
    await expect(store.saveTts('Bad Name', 'x', 'en')).rejects.toThrow(/prompt names/);
    expect(store.remove('welcome')).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
