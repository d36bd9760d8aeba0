/** The A/B root slots of the appliance: which one runs, which device the other one is. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export type Slot = 'a' | 'b';

export interface SlotLayout {
  /** Kernel command line; grub.cfg passes seatbox.slot=a|b. */
  cmdlinePath: string;
  /** grubenv on the boot partition. */
  grubenvPath: string;
  /** Block device (or, in tests, a plain file) of each root slot. */
  devices: Record<Slot, string>;
}

export const APPLIANCE_LAYOUT: SlotLayout = {
  cmdlinePath: '/proc/cmdline',
  grubenvPath: '/bootpart/grub/grubenv',
  devices: { a: '/dev/disk/by-partlabel/seatbox-root-a', b: '/dev/disk/by-partlabel/seatbox-root-b' },
};

export function otherSlot(s: Slot): Slot {
  return s === 'a' ? 'b' : 'a';
}

function cmdline(layout: SlotLayout): string {
  try {
    return readFileSync(layout.cmdlinePath, 'utf8');
  } catch {
    return '';
  }
}

/** The running slot, or null when not booted from an A/B slot (demo, development). */
export function currentSlot(layout: SlotLayout): Slot | null {
  const m = /(?:^|\s)seatbox\.slot=([ab])(?:\s|$)/.exec(cmdline(layout));
  return m ? (m[1] as Slot) : null;
}

/** Set by grub.cfg when it fell back from an unconfirmed slot on this boot. */
export function rolledBackFrom(layout: SlotLayout): Slot | null {
  const m = /(?:^|\s)seatbox\.rollback_from=([ab])(?:\s|$)/.exec(cmdline(layout));
  return m ? (m[1] as Slot) : null;
}

/** Size in bytes of a block device (from sysfs) or a regular file. */
export function targetSize(path: string): number {
  const st = statSync(path);
  if (st.isFile()) return st.size;
  if (st.isBlockDevice()) {
    const name = basename(realpathSync(path));
    return Number(readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim()) * 512;
  }
  throw new Error(`${path} is neither a block device nor a file`);
}
