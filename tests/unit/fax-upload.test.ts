// Upload checks: a file that is not what it claims is refused with a clear reason — a ".pdf"
// that is a PNG, a ZIP, text, or a truncated / unparseable PDF (magic bytes AND ghostscript in
// the sid root), and a prompt "audio" upload that is an image or text. A real PDF passes, with
// the page count ghostscript reads, and converts to a fax TIFF of as many pages (+ cover).
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { audioProblem, pdfProblem, sniff } from '../../firmware-agent/src/fax/file-check.js';
import { checkPdf, coverPostScript, FaxFileError, faxTiffToPdf, pdfsToFaxTiff, psString, samplePdf } from '../../firmware-agent/src/fax/convert.js';
import { PromptError, PromptStore } from '../../firmware-agent/src/prompts/prompt-store.js';
import { defaultRootDir, rootReady } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupDbs, tempDb } from './agents-support.js';

const root = defaultRootDir();
const ready = rootReady(root);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cleanupDbs();
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const ZIP = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), deflateRawSync(Buffer.from('hello'))]);
const TEXT = Buffer.from('Dear customer,\nthis is not a PDF at all.\n%%EOF\n');

describe('magic bytes', () => {
  it('names what a file really is', () => {
    expect(sniff(PNG)).toBe('png');
    expect(sniff(ZIP)).toBe('zip');
    expect(sniff(TEXT)).toBe('text');
    expect(sniff(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniff(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBe('wav');
    expect(sniff(Buffer.from('ID3\u0004\0\0'))).toBe('mp3');
  });

  it('a ".pdf" that is not a PDF is refused with what it is', () => {
    expect(pdfProblem(PNG)).toMatch(/not a PDF: it is a PNG image/);
    expect(pdfProblem(ZIP)).toMatch(/not a PDF: it is a ZIP archive/);
    expect(pdfProblem(TEXT)).toMatch(/not a PDF: it is plain text/);
    expect(pdfProblem(Buffer.alloc(0))).toMatch(/empty/);
    // PostScript with a PDF header later on: gs would run it as a program.
    expect(pdfProblem(Buffer.from('%!PS\n% %PDF-1.4\nshowpage\n%%EOF\n'))).toMatch(/not at the start/);
    expect(pdfProblem(Buffer.from('%PDF-1.4\n1 0 obj\n'))).toMatch(/truncated/);
  });

  it('"audio" that is an image or text is refused', () => {
    expect(audioProblem(PNG)).toMatch(/not audio .*PNG image/);
    expect(audioProblem(TEXT)).toMatch(/not audio .*plain text/);
    expect(audioProblem(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
  });

  it('cover page text is escaped for PostScript', () => {
    expect(psString('a (b) \\ c')).toBe('(a \\(b\\) \\\\ c)');
    expect(psString('传真')).toBe('(??)');
    expect(coverPostScript({ from: 'ACME', to: 'Bank (HQ)', pages: 2, date: '2026-01-01', note: 'x' })).toContain('(Bank \\(HQ\\))');
  });
});

describe.skipIf(!ready)('ghostscript checks and conversions (sid root)', () => {
  it('a real 3-page PDF passes with 3 pages; truncated and broken PDFs are refused by ghostscript', async () => {
    const pdf = await samplePdf('Upload test', 3, { rootDir: root });
    expect(await checkPdf('ok.pdf', pdf, { rootDir: root })).toEqual({ name: 'ok.pdf', pages: 3 });

    // Cut in the middle, then a fake %%EOF glued on: passes the magic check, fails the parse.
    const cut = Buffer.concat([pdf.subarray(0, Math.floor(pdf.length / 2)), Buffer.from('\n%%EOF\n')]);
    expect(pdfProblem(cut)).toBeNull();
    await expect(checkPdf('cut.pdf', cut, { rootDir: root })).rejects.toThrow(/cut\.pdf: ghostscript cannot read this PDF/);
    await expect(checkPdf('trunc.pdf', pdf.subarray(0, pdf.length - 400), { rootDir: root })).rejects.toThrow(/trunc\.pdf: the PDF is truncated/);
    await expect(checkPdf('img.pdf', PNG, { rootDir: root })).rejects.toBeInstanceOf(FaxFileError);
    // No temp dirs left behind in the shared root.
    expect(readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('seatbox-fax-')).length).toBe(0);
  });

  it('PDFs + cover → fax TIFF with every page; TIFF → PDF keeps the count', async () => {
    const a = await samplePdf('A', 2, { rootDir: root });
    const b = await samplePdf('B', 1, { rootDir: root });
    const { tiff, pages } = await pdfsToFaxTiff(
      [
        { name: 'a.pdf', data: a },
        { name: 'b.pdf', data: b },
      ],
      { from: 'SeatBox', to: 'Test', pages: 3, date: '2026-11-23' },
      { rootDir: root },
    );
    expect(pages).toBe(4);
    expect(tiff.subarray(0, 2).toString('latin1')).toBe('II');
    const back = await faxTiffToPdf(tiff, { rootDir: root });
    expect(back.pages).toBe(4);
    expect(back.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('prompt upload: a PNG, text or ZIP named .wav is refused (400 not_audio), nothing stored (real WAV/MP3: prompts.test.ts)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatbox-prompt-check-'));
    dirs.push(dir);
    const store = new PromptStore(tempDb(), dir, { rootDir: root });
    for (const bad of [PNG, TEXT, ZIP]) {
      const err = await store.saveUpload('greeting', 'greeting.wav', bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PromptError);
      expect((err as PromptError).status).toBe(400);
      expect((err as PromptError).code).toBe('not_audio');
      expect((err as PromptError).message).toMatch(/^greeting\.wav: the file is not audio/);
    }
    expect(store.list()).toEqual([]);
  });
});
