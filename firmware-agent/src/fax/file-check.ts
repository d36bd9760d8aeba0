// What an uploaded file really is, from its first bytes. Uploads are refused when the bytes
// do not match what the upload claims (a ".pdf" that is a PNG, a ZIP or text; "audio" that is
// an image): a renamed file would otherwise reach ghostscript / ffmpeg, and ghostscript would
// even run a text file as a PostScript program.

export type SniffedKind = 'pdf' | 'png' | 'jpeg' | 'gif' | 'zip' | 'tiff' | 'wav' | 'mp3' | 'ogg' | 'flac' | 'mp4' | 'amr' | 'text' | 'unknown';

const startsWith = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/** The file type by magic bytes (the name and the claimed type are ignored). */
export function sniff(buf: Buffer): SniffedKind {
  // PDF readers accept the header anywhere in the first 1024 bytes.
  if (buf.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (buf.subarray(0, 6).toString('latin1') === 'GIF87a' || buf.subarray(0, 6).toString('latin1') === 'GIF89a') return 'gif';
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04]) || startsWith(buf, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WAVE') return 'wav';
  if (buf.subarray(0, 3).toString('latin1') === 'ID3') return 'mp3';
  // MPEG audio frame sync: 11 set bits, layer not "reserved".
  if (buf.length >= 2 && buf[0] === 0xff && (buf[1]! & 0xe0) === 0xe0 && (buf[1]! & 0x06) !== 0) return 'mp3';
  if (buf.subarray(0, 4).toString('latin1') === 'OggS') return 'ogg';
  if (buf.subarray(0, 4).toString('latin1') === 'fLaC') return 'flac';
  if (buf.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4';
  if (buf.subarray(0, 5).toString('latin1') === '#!AMR') return 'amr';
  if (looksLikeText(buf)) return 'text';
  return 'unknown';
}

function looksLikeText(buf: Buffer): boolean {
  const head = buf.subarray(0, 512);
  if (head.length === 0) return false;
  let printable = 0;
  for (const c of head) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc0) printable++;
  return printable / head.length > 0.95;
}

const LABEL: Record<SniffedKind, string> = {
  pdf: 'a PDF document',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  gif: 'a GIF image',
  zip: 'a ZIP archive (or Office document)',
  tiff: 'a TIFF image',
  wav: 'a WAV audio file',
  mp3: 'an MP3 audio file',
  ogg: 'an Ogg audio file',
  flac: 'a FLAC audio file',
  mp4: 'an MP4/M4A file',
  amr: 'an AMR audio file',
  text: 'plain text',
  unknown: 'an unknown binary format',
};

export const describeKind = (k: SniffedKind): string => LABEL[k];

/** Audio formats the prompt converter (ffmpeg) takes. */
export const AUDIO_KINDS: readonly SniffedKind[] = ['wav', 'mp3', 'ogg', 'flac', 'mp4', 'amr'];

/** Problems of a buffer that claims to be a PDF, before ghostscript sees it; null = looks like one. */
export function pdfProblem(buf: Buffer): string | null {
  if (buf.length === 0) return 'the file is empty';
  const kind = sniff(buf);
  if (kind !== 'pdf') return `the file is not a PDF: it is ${describeKind(kind)}`;
  // Ghostscript picks its interpreter from the first bytes: anything before %PDF- could make it
  // run the file as PostScript, so the header must come first.
  if (buf.subarray(0, 5).toString('latin1') !== '%PDF-') return 'the PDF header (%PDF-) is not at the start of the file';
  // A complete PDF ends with %%EOF (some writers add a few bytes after it).
  if (!buf.subarray(Math.max(0, buf.length - 1024)).includes('%%EOF')) return 'the PDF is truncated (no %%EOF at its end)';
  return null;
}

/** Problems of a buffer that claims to be audio; null = looks like audio ffmpeg reads. */
export function audioProblem(buf: Buffer): string | null {
  if (buf.length === 0) return 'the file is empty';
  const kind = sniff(buf);
  if (!AUDIO_KINDS.includes(kind)) return `the file is not audio (WAV, MP3, OGG, FLAC, M4A, AMR): it is ${describeKind(kind)}`;
  return null;
}
