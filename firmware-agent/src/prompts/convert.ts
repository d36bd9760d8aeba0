// Prompt audio: uploads (WAV/MP3/anything ffmpeg reads) and TTS text (espeak-ng, Mandarin or
// English) become 8 kHz mono 16-bit PCM WAV, what Asterisk plays without transcoding on a
// ulaw/alaw call. The tools live in the Asterisk sid root: they run as `chroot ROOT tool …`
// on files in a private temp directory under ROOT/tmp, removed afterwards.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultRootDir } from '../pbx-runtime/sid-root.js';

export type TtsLang = 'zh' | 'en';
/** espeak-ng voices: Mandarin (cmn) and English. */
export const TTS_VOICES: Record<TtsLang, string> = { zh: 'cmn', en: 'en' };

export class PromptConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptConversionError';
  }
}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: number;
  durationMs: number;
}

/** Reads a RIFF/WAVE header (fmt and data chunks). */
export function wavInfo(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new PromptConversionError('not a WAV file');
  let off = 12;
  let fmt: Omit<WavInfo, 'durationMs'> | undefined;
  let dataBytes: number | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(off + 8), channels: buf.readUInt16LE(off + 10), sampleRate: buf.readUInt32LE(off + 12), bitsPerSample: buf.readUInt16LE(off + 22) };
    } else if (id === 'data') {
      // Streams written to a pipe leave the size unset (0xffffffff): take what is there.
      if (size === 0xffffffff || off + 8 + size > buf.length) size = buf.length - off - 8;
      dataBytes = size;
      break;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt || dataBytes === undefined) throw new PromptConversionError('WAV file without fmt/data chunk');
  const bytesPerSec = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
  return { ...fmt, durationMs: bytesPerSec > 0 ? Math.round((dataBytes / bytesPerSec) * 1000) : 0 };
}

function run(rootDir: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('chroot', [rootDir, ...args], { timeout: 60_000, maxBuffer: 1024 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } }, (err, _out, stderr) => {
      if (err) reject(new PromptConversionError(`${args[0]} failed: ${String(stderr).trim().split('\n').slice(-3).join(' ') || err.message}`));
      else resolve();
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface ConvertOptions {
  /** The sid root holding sox, ffmpeg and espeak-ng. */
  rootDir?: string;
}

async function inRoot<T>(opts: ConvertOptions, fn: (hostDir: string, rootDir: string, inRootDir: string) => Promise<T>): Promise<T> {
  const rootDir = opts.rootDir ?? defaultRootDir();
  const hostDir = mkdtempSync(join(rootDir, 'tmp', 'seatbox-prompt-'));
  try {
    return await fn(hostDir, rootDir, `/tmp/${basename(hostDir)}`);
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
  }
}

const MAX_PROMPT_SECONDS = 300;

function checked(out: Buffer): { wav: Buffer; info: WavInfo } {
  const info = wavInfo(out);
  if (info.sampleRate !== 8000 || info.channels !== 1 || info.bitsPerSample !== 16) throw new PromptConversionError(`conversion produced ${info.sampleRate} Hz / ${info.channels} ch / ${info.bitsPerSample} bit`);
  if (info.durationMs <= 0) throw new PromptConversionError('the audio is empty');
  if (info.durationMs > MAX_PROMPT_SECONDS * 1000) throw new PromptConversionError(`prompts are limited to ${MAX_PROMPT_SECONDS} s`);
  return { wav: out, info };
}

/** Any audio file ffmpeg reads (WAV, MP3, …) → 8 kHz mono 16-bit WAV. */
export async function convertUpload(input: Buffer, opts: ConvertOptions = {}): Promise<{ wav: Buffer; info: WavInfo }> {
  if (input.length === 0) throw new PromptConversionError('the file is empty');
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in'), input);
    await run(root, ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', `${dir}/in`, '-vn', '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', '-f', 'wav', '-map_metadata', '-1', '-fflags', '+bitexact', `${dir}/out.wav`]);
    return checked(readFileSync(join(host, 'out.wav')));
  });
}

/** TTS (espeak-ng) → 8 kHz mono 16-bit WAV. The text goes through stdin, never as an option. */
export async function synthesize(text: string, lang: TtsLang, opts: ConvertOptions = {}): Promise<{ wav: Buffer; info: WavInfo }> {
  const clean = text.replace(/[\u0000-\u001f]+/g, ' ').trim();
  if (!clean) throw new PromptConversionError('the text is empty');
  return inRoot(opts, async (host, root, dir) => {
    await run(root, ['espeak-ng', '-v', TTS_VOICES[lang], '-s', lang === 'zh' ? '150' : '160', '-w', `${dir}/tts.wav`, '--stdin'], clean);
    await run(root, ['sox', `${dir}/tts.wav`, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', `${dir}/out.wav`]);
    return checked(readFileSync(join(host, 'out.wav')));
  });
}
