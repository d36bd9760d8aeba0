// Prompts as records (prompts table) plus their 8 kHz WAV files `ivr-<name>.wav` in `dir`: the
// host path of the instance's <astvarlibdir>/sounds/custom (<dataDir>/asterisk/lib/sounds/custom),
// which Asterisk sees as <varlib>/sounds/custom and plays by absolute path
// "<varlib>/sounds/custom/ivr-<name>" (customPromptSound). Per instance, inside the data dir;
// nothing goes to the sid root (see docs/hotline.md).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { audioProblem } from '../fax/file-check.js';
import { convertUpload, synthesize, type ConvertOptions, type TtsLang, type WavInfo } from './convert.js';

import { SANDBOX_PATHS, customPromptSound } from '../pbx-config/model.js';

export const PROMPT_NAME_RE = /^[a-z0-9_-]{1,40}$/;

export interface Prompt {
  name: string;
  source: 'upload' | 'tts';
  lang: TtsLang | null;
  text: string | null;
  original: string | null;
  durationMs: number;
  updatedAt: string;
  /** Sound for Playback()/Background(): absolute in-instance path, no extension. */
  asteriskPath: string;
}

interface Row {
  name: string;
  source: 'upload' | 'tts';
  lang: TtsLang | null;
  text: string | null;
  original: string | null;
  duration_ms: number;
  updated_at: string;
}

export class PromptError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class PromptStore {
  constructor(
    private readonly db: Db,
    /** Host directory of the WAV files. */
    readonly dir: string,
    private readonly convert: ConvertOptions = {},
    /** Asterisk's astvarlibdir as Asterisk sees it (the model's paths.varlib). */
    private readonly varlib: string = SANDBOX_PATHS.varlib,
  ) {}

  private view(r: Row): Prompt {
    return { name: r.name, source: r.source, lang: r.lang, text: r.text, original: r.original, durationMs: r.duration_ms, updatedAt: r.updated_at, asteriskPath: customPromptSound(this.varlib, r.name) };
  }

  list(): Prompt[] {
    return (this.db.prepare('SELECT * FROM prompts ORDER BY name').all() as Row[]).map((r) => this.view(r));
  }

  get(name: string): Prompt | undefined {
    const r = this.db.prepare('SELECT * FROM prompts WHERE name = ?').get(name) as Row | undefined;
    return r ? this.view(r) : undefined;
  }

  names(): Set<string> {
    return new Set((this.db.prepare('SELECT name FROM prompts').all() as Array<{ name: string }>).map((r) => r.name));
  }

  file(name: string): string | undefined {
    const p = join(this.dir, `ivr-${name}.wav`);
    return PROMPT_NAME_RE.test(name) && existsSync(p) ? p : undefined;
  }

  audio(name: string): Buffer | undefined {
    const f = this.file(name);
    return f ? readFileSync(f) : undefined;
  }

  private write(name: string, wav: Buffer): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.ivr-${name}.wav.tmp`);
    writeFileSync(tmp, wav);
    renameSync(tmp, join(this.dir, `ivr-${name}.wav`));
  }

  private checkName(name: string): void {
    if (!PROMPT_NAME_RE.test(name)) throw new PromptError('invalid_name', 'prompt names are 1-40 characters a-z, 0-9, _ and -');
  }

  /** Creates or updates a TTS prompt; the audio is regenerated only when text or language changed. */
  async saveTts(name: string, text: string, lang: TtsLang): Promise<{ prompt: Prompt; regenerated: boolean }> {
    this.checkName(name);
    const cur = this.get(name);
    if (cur && cur.source === 'tts' && cur.text === text && cur.lang === lang && this.file(name)) return { prompt: cur, regenerated: false };
    const { wav, info } = await synthesize(text, lang, this.convert);
    this.write(name, wav);
    this.upsert(name, 'tts', lang, text, null, info);
    return { prompt: this.get(name)!, regenerated: true };
  }

  async saveUpload(name: string, original: string, data: Buffer): Promise<Prompt> {
    this.checkName(name);
    // Magic bytes first: ffmpeg reads images, playlists and more, and must not be handed a
    // file that only claims to be audio.
    const problem = audioProblem(data);
    if (problem) throw new PromptError('not_audio', `${original.slice(0, 200)}: ${problem}`);
    const { wav, info } = await convertUpload(data, this.convert);
    this.write(name, wav);
    this.upsert(name, 'upload', null, null, original.slice(0, 200), info);
    return this.get(name)!;
  }

  private upsert(name: string, source: 'upload' | 'tts', lang: TtsLang | null, text: string | null, original: string | null, info: WavInfo): void {
    this.db
      .prepare(
        `INSERT INTO prompts (name, source, lang, text, original, duration_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
         ON CONFLICT(name) DO UPDATE SET source = excluded.source, lang = excluded.lang, text = excluded.text, original = excluded.original,
           duration_ms = excluded.duration_ms, updated_at = excluded.updated_at`,
      )
      .run(name, source, lang, text, original, info.durationMs);
  }

  remove(name: string): boolean {
    const n = this.db.prepare('DELETE FROM prompts WHERE name = ?').run(name).changes;
    if (PROMPT_NAME_RE.test(name)) rmSync(join(this.dir, `ivr-${name}.wav`), { force: true });
    return n > 0;
  }
}
