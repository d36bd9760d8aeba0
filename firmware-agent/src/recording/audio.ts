// Audio facts measured from the files themselves (WAV header + size, a full Opus decode),
// the sha256 of a file, and the ffmpeg runs of the storage lifecycle. ffmpeg lives in the
// Asterisk sid root: it runs as `chroot ROOT ffmpeg` reading stdin and writing stdout, so a
// recording never has to be copied into the shared root (see prompts/convert.ts for the
// same tools on small prompt files).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export class AudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioError';
  }
}

export interface WavFacts {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes of audio: what the file holds after the header (MixMonitor fixes the header sizes only on close). */
  dataBytes: number;
  durationMs: number;
}

/** Duration of a WAV file from its header and its size (no full read; works on a file still being written). */
export function wavFacts(path: string): WavFacts {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') throw new AudioError(`${path}: not a WAV file`);
    let off = 12;
    let fmt: { sampleRate: number; channels: number; bitsPerSample: number } | undefined;
    while (off + 8 <= head.length) {
      const id = head.toString('ascii', off, off + 4);
      const len = head.readUInt32LE(off + 4);
      if (id === 'fmt ') fmt = { channels: head.readUInt16LE(off + 10), sampleRate: head.readUInt32LE(off + 12), bitsPerSample: head.readUInt16LE(off + 22) };
      else if (id === 'data') {
        if (!fmt) break;
        const dataBytes = Math.max(0, size - (off + 8));
        const bytesPerSec = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8);
        return { ...fmt, dataBytes, durationMs: bytesPerSec > 0 ? Math.round((dataBytes / bytesPerSec) * 1000) : 0 };
      }
      off += 8 + len + (len % 2);
    }
    // A file MixMonitor has just created may not have its header yet.
    if (size < 44) return { sampleRate: 8000, channels: 1, bitsPerSample: 16, dataBytes: 0, durationMs: 0 };
    throw new AudioError(`${path}: WAV file without fmt/data chunk`);
  } finally {
    closeSync(fd);
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** ffmpeg messages at "error" level that do not mean the audio is bad. */
const BENIGN = /non monotonically increasing dts to muxer/;

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

/** Runs `chroot ROOT ffmpeg args` with `input` on stdin; stdout goes to `onData`. */
function ffmpeg(rootDir: string, args: string[], input: string, onData: (b: Buffer) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('chroot', [rootDir, 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error', ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new AudioError(`ffmpeg could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // The raw PCM muxer complains about the decoder's last timestamps; that is not a decode error.
      const problems = stderr.split('\n').filter((l) => l.trim() !== '' && !BENIGN.test(l)).join('\n');
      stderr = problems;
      if (code === 0 && problems === '') resolve();
      else reject(new AudioError(`ffmpeg ${signal ? `killed (${signal})` : `exit ${code}`}: ${stderr.trim().split('\n').slice(-2).join(' ') || 'no message'}`));
    });
    // ffmpeg may stop reading early (bad input): that is reported through its exit code.
    child.stdin.on('error', () => undefined);
    pipeline(createReadStream(input), child.stdin).catch(() => undefined);
  });
}

/** Opus settings: mono VoIP speech at 16 kbit/s ⇒ about 7.2 MB per channel-hour. */
export const OPUS_BITRATE = '16k';

/** An encoder: WAV file in, Opus (Ogg) file out. The lifecycle's test seam. */
export type Encoder = (wavPath: string, opusPath: string) => Promise<void>;

export function ffmpegEncoder(rootDir: string, timeoutMs = 30 * 60_000): Encoder {
  return async (wavPath, opusPath) => {
    const out = createWriteStream(opusPath);
    try {
      await ffmpeg(rootDir, ['-f', 'wav', '-i', 'pipe:0', '-ac', '1', '-c:a', 'libopus', '-b:a', OPUS_BITRATE, '-vbr', 'constrained', '-application', 'voip', '-f', 'ogg', 'pipe:1'], wavPath, (b) => out.write(b), timeoutMs);
    } finally {
      await new Promise<void>((r) => out.end(r));
    }
  };
}

/** A decoder: decodes the whole file and returns its duration (ms) from the samples it gave. */
export type Decoder = (path: string) => Promise<number>;

export function ffmpegDecoder(rootDir: string, timeoutMs = 30 * 60_000): Decoder {
  return async (path) => {
    let bytes = 0;
    // 8 kHz mono 16-bit: 16 bytes per ms.
    await ffmpeg(rootDir, ['-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '8000', 'pipe:1'], path, (b) => (bytes += b.length), timeoutMs);
    return Math.round(bytes / 16);
  };
}
