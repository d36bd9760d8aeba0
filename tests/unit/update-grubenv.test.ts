import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRUBENV_SIZE, formatGrubEnv, parseGrubEnv, readGrubEnv, updateGrubEnv } from '../../firmware-agent/src/system/update/grubenv.js';

// What `grub-editenv grubenv create; grub-editenv grubenv set boot_slot=a boot_success=1` writes.
const FROM_GRUB_EDITENV = `# GRUB Environment Block\nboot_slot=a\nboot_success=1\n`.padEnd(1024, '#');

describe('grubenv', () => {
  it('reads what grub-editenv writes and writes the same bytes back', () => {
    expect(parseGrubEnv(FROM_GRUB_EDITENV)).toEqual({ boot_slot: 'a', boot_success: '1' });
    expect(formatGrubEnv({ boot_slot: 'a', boot_success: '1' }).toString('latin1')).toBe(FROM_GRUB_EDITENV);
  });

  it('updates in place: same size, other variables kept, removals', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatbox-grubenv-'));
    try {
      const p = join(dir, 'grubenv');
      writeFileSync(p, FROM_GRUB_EDITENV);
      updateGrubEnv(p, { boot_slot: 'b', boot_tries: '1', boot_success: undefined });
      expect(statSync(p).size).toBe(GRUBENV_SIZE);
      expect(readGrubEnv(p)).toEqual({ boot_slot: 'b', boot_tries: '1' });
      expect(readFileSync(p, 'latin1').startsWith('# GRUB Environment Block\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what GRUB could not read back', () => {
    expect(() => parseGrubEnv('hello')).toThrow(/header/);
    expect(() => formatGrubEnv({ 'bad name': 'x' })).toThrow();
    expect(() => formatGrubEnv({ a: 'x\ny' })).toThrow();
    expect(() => formatGrubEnv({ a: 'x'.repeat(1100) })).toThrow(/fit/);
  });
});
