// Fax document conversions with the tools of the Asterisk sid root (ghostscript, libtiff-tools),
// run as `chroot ROOT tool …` on files in a private temp dir under ROOT/tmp (removed after),
// like prompts/convert.ts:
//   PDF upload(s) [+ cover page] → one multi-page TIFF-F (G4, 204x196 "fine", 1728 px wide) for SendFAX
//   received TIFF → PDF (tiff2pdf) for the inbox
// Uploads are checked twice: magic bytes (file-check.ts) and ghostscript parsing the PDF with
// -dPDFSTOPONERROR, so a truncated or broken PDF is refused instead of half-faxed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultRootDir } from '../pbx-runtime/sid-root.js';
import { pdfProblem } from './file-check.js';

export class FaxFileError extends Error {
  constructor(
    message: string,
    /** Which upload (file name) the problem is in, when known. */
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'FaxFileError';
  }
}

export interface FaxConvertOptions {
  /** The sid root holding gs and tiff2pdf. */
  rootDir?: string;
}

/** Limits of one outbound fax. */
export const FAX_LIMITS = { maxFileBytes: 20 * 1024 * 1024, maxFiles: 10, maxPages: 50 } as const;

function run(rootDir: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('chroot', [rootDir, ...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } }, (err, out, stderr) => {
      if (err) {
        const text = `${String(stderr)}\n${String(out)}`.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Operand stack') && !l.startsWith('Execution stack') && !l.startsWith('Dictionary stack') && !l.startsWith('--') && !l.startsWith('%interp'));
        reject(new Error(`${args[0]} failed: ${text.slice(0, 3).join(' ') || err.message}`));
      } else resolve(String(out));
    });
  });
}

async function inRoot<T>(opts: FaxConvertOptions, fn: (hostDir: string, rootDir: string, inRootDir: string) => Promise<T>): Promise<T> {
  const rootDir = opts.rootDir ?? defaultRootDir();
  const hostDir = mkdtempSync(join(rootDir, 'tmp', 'seatbox-fax-'));
  try {
    return await fn(hostDir, rootDir, `/tmp/${basename(hostDir)}`);
  } finally {
    rmSync(hostDir, { recursive: true, force: true });
  }
}

const GS = ['gs', '-q', '-dNOPAUSE', '-dBATCH', '-dSAFER'];
/** Fax "fine" resolution on an A4 page, 1728 dots wide (what T.4 receivers expect). */
const TIFF_ARGS = ['-sDEVICE=tiffg4', '-r204x196', '-g1728x2292', '-dFIXEDMEDIA', '-dPDFFitPage'];

/** Pages of a PDF as ghostscript reads it; throws FaxFileError when gs cannot parse it. */
async function gsPageCount(root: string, file: string, name: string): Promise<number> {
  let out: string;
  try {
    out = await run(root, ['gs', '-q', '-dNODISPLAY', '-dNOSAFER', '-dPDFSTOPONERROR', `--permit-file-read=${file}`, '-c', `(${file}) (r) file runpdfbegin pdfpagecount = quit`], 60_000);
  } catch (err) {
    throw new FaxFileError(`ghostscript cannot read this PDF (${(err as Error).message.replace(/^gs failed: /, '')})`, name);
  }
  const n = Number(out.trim().split('\n').pop());
  if (!Number.isInteger(n) || n < 1) throw new FaxFileError('the PDF has no pages', name);
  return n;
}

export interface CheckedPdf {
  name: string;
  pages: number;
}

/** Checks one PDF upload: magic bytes, size, ghostscript parse; returns its page count. */
export async function checkPdf(name: string, data: Buffer, opts: FaxConvertOptions = {}): Promise<CheckedPdf> {
  if (data.length > FAX_LIMITS.maxFileBytes) throw new FaxFileError(`the file is larger than ${FAX_LIMITS.maxFileBytes / 1024 / 1024} MB`, name);
  const problem = pdfProblem(data);
  if (problem) throw new FaxFileError(problem, name);
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in.pdf'), data);
    const pages = await gsPageCount(root, `${dir}/in.pdf`, name);
    if (pages > FAX_LIMITS.maxPages) throw new FaxFileError(`the PDF has ${pages} pages; a fax may have at most ${FAX_LIMITS.maxPages}`, name);
    return { name, pages };
  });
}

export interface CoverPage {
  from: string;
  to: string;
  note?: string;
  /** Pages after the cover. */
  pages: number;
  date: string;
}

/** PostScript string literal of ASCII text (anything else becomes "?": the base-14 fonts have no CJK glyphs). */
export function psString(s: string): string {
  const ascii = s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return `(${ascii.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** A one-page cover sheet as PostScript (A4). */
export function coverPostScript(c: CoverPage): string {
  const lines: Array<[string, string]> = [
    ['Date', c.date],
    ['From', c.from],
    ['To', c.to],
    ['Pages', `${c.pages} + cover`],
  ];
  const noteLines = (c.note ?? '').split(/\r?\n/).flatMap((l) => l.match(/.{1,70}(\s|$)|.{1,70}/g) ?? ['']).slice(0, 20);
  const out = ['%!PS-Adobe-3.0', '<< /PageSize [595 842] >> setpagedevice', '/Helvetica-Bold findfont 36 scalefont setfont', '72 740 moveto (FAX) show', '/Helvetica findfont 14 scalefont setfont'];
  let y = 690;
  for (const [k, v] of lines) {
    out.push(`72 ${y} moveto ${psString(`${k}:`)} show 160 ${y} moveto ${psString(v)} show`);
    y -= 24;
  }
  out.push(`72 ${y + 8} moveto 523 ${y + 8} lineto stroke`);
  y -= 20;
  for (const l of noteLines) {
    out.push(`72 ${y} moveto ${psString(l.trim())} show`);
    y -= 18;
  }
  out.push('showpage');
  return out.join('\n') + '\n';
}

/** Pages of a TIFF (tiffinfo counts its directories). */
export async function tiffPages(tiff: Buffer, opts: FaxConvertOptions = {}): Promise<number> {
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in.tif'), tiff);
    const out = await run(root, ['tiffinfo', `${dir}/in.tif`], 30_000);
    return out.split('\n').filter((l) => l.startsWith('TIFF Directory')).length;
  });
}

/**
 * PDFs (already checked) [+ cover] → one TIFF-F for SendFAX. Returns the TIFF and its page
 * count (counted in the result, not trusted from the input).
 */
export async function pdfsToFaxTiff(files: Array<{ name: string; data: Buffer }>, cover: CoverPage | undefined, opts: FaxConvertOptions = {}): Promise<{ tiff: Buffer; pages: number }> {
  if (!files.length && !cover) throw new FaxFileError('nothing to send');
  return inRoot(opts, async (host, root, dir) => {
    const inputs: string[] = [];
    if (cover) {
      writeFileSync(join(host, 'cover.ps'), coverPostScript(cover));
      inputs.push(`${dir}/cover.ps`);
    }
    files.forEach((f, i) => {
      writeFileSync(join(host, `in${i}.pdf`), f.data);
      inputs.push(`${dir}/in${i}.pdf`);
    });
    try {
      await run(root, [...GS, '-dPDFSTOPONERROR', ...TIFF_ARGS, `-sOutputFile=${dir}/out.tif`, ...inputs]);
    } catch (err) {
      throw new FaxFileError(`conversion to a fax image failed: ${(err as Error).message}`);
    }
    const tiff = readFileSync(join(host, 'out.tif'));
    const out = await run(root, ['tiffinfo', `${dir}/out.tif`], 30_000);
    const pages = out.split('\n').filter((l) => l.startsWith('TIFF Directory')).length;
    return { tiff, pages };
  });
}

/** A received fax TIFF → PDF (tiff2pdf), with the PDF's page count as ghostscript reads it. */
export async function faxTiffToPdf(tiff: Buffer, opts: FaxConvertOptions = {}): Promise<{ pdf: Buffer; pages: number }> {
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in.tif'), tiff);
    await run(root, ['tiff2pdf', '-o', `${dir}/out.pdf`, `${dir}/in.tif`]);
    const pdf = readFileSync(join(host, 'out.pdf'));
    const pages = await gsPageCount(root, `${dir}/out.pdf`, 'received fax');
    return { pdf, pages };
  });
}

/** Pages of a PDF buffer (ghostscript); for tests and checks. */
export async function pdfPages(pdf: Buffer, opts: FaxConvertOptions = {}): Promise<number> {
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in.pdf'), pdf);
    return gsPageCount(root, `${dir}/in.pdf`, 'pdf');
  });
}

/** A test/demo document: N numbered A4 pages with a title, as PDF (ghostscript pdfwrite). */
export async function samplePdf(title: string, pages: number, opts: FaxConvertOptions = {}): Promise<Buffer> {
  const ps = ['%!PS-Adobe-3.0', '<< /PageSize [595 842] >> setpagedevice'];
  for (let p = 1; p <= pages; p++) {
    ps.push('/Helvetica-Bold findfont 28 scalefont setfont', `72 740 moveto ${psString(title)} show`);
    ps.push('/Helvetica findfont 16 scalefont setfont', `72 700 moveto ${psString(`Page ${p} of ${pages}`)} show`);
    for (let i = 0; i < 12; i++) ps.push(`72 ${640 - i * 30} moveto ${psString(`Line ${i + 1}: the quick brown fox jumps over the lazy dog 0123456789`)} show`);
    ps.push('showpage');
  }
  return inRoot(opts, async (host, root, dir) => {
    writeFileSync(join(host, 'in.ps'), ps.join('\n') + '\n');
    await run(root, [...GS, '-sDEVICE=pdfwrite', `-sOutputFile=${dir}/out.pdf`, `${dir}/in.ps`]);
    return readFileSync(join(host, 'out.pdf'));
  });
}
