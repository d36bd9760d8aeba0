// The recorded message a dropped call hears: company name and callback number, spoken by TTS
// (espeak-ng in the sid root) into the instance's custom sounds. Until it exists (or when TTS is
// unavailable) Asterisk's own "vm-goodbye" plays, so a drop is never silence.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logging.js';
import { synthesize } from '../prompts/convert.js';
import type { SettingsStore } from '../settings/settings-store.js';

export interface DropMessageSettings {
  company: string;
  callback: string;
}

export const DROP_MESSAGE_DEFAULTS: DropMessageSettings = { company: 'SeatBox 演示公司', callback: '4000000000' };
export const DROP_SOUND_FILE = 'seatbox-dialer-drop';

export function dropMessageText(s: DropMessageSettings): string {
  // Digits one by one: a callback number must be read as digits, not as an amount.
  const digits = s.callback.split('').join(' ');
  return `您好，这里是${s.company}。很抱歉，我们的坐席暂时都在忙。请回拨 ${digits}。谢谢。`;
}

export class DropMessage {
  private ready = false;
  constructor(
    private readonly o: { settings: SettingsStore; soundsDir: string; asteriskSoundsDir: string; rootDir: string; logger: Logger },
  ) {}

  /** The Playback argument for the drop path. */
  sound(): string {
    return this.ready ? `${this.o.asteriskSoundsDir}/${DROP_SOUND_FILE}` : 'vm-goodbye';
  }

  async prepare(): Promise<void> {
    const s = { ...DROP_MESSAGE_DEFAULTS, ...(this.o.settings.get<Partial<DropMessageSettings>>('dialer.dropMessage') ?? {}) };
    try {
      const { wav } = await synthesize(dropMessageText(s), 'zh', { rootDir: this.o.rootDir });
      mkdirSync(this.o.soundsDir, { recursive: true });
      const target = join(this.o.soundsDir, `${DROP_SOUND_FILE}.wav`);
      writeFileSync(`${target}.tmp`, wav);
      renameSync(`${target}.tmp`, target);
      this.ready = true;
    } catch (err) {
      this.o.logger.warn({ err }, 'drop message TTS failed; dropped calls hear vm-goodbye');
    }
  }
}
