// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it
// over the target, fsync the directory. A reader (Asterisk) sees either the old or the new
// file, never a partial one; a crash leaves at most a stray temp file, which
// removeStaleTempFiles() cleans up.

import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TMP_MARKER = '.seatbox-tmp-';

export interface AtomicWriteOptions {
  mode?: number;
  /** Test hook: runs after the temp file is written and synced, before the rename. */
  beforeRename?: (tmpPath: string, target: string) => void | Promise<void>;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function atomicWriteFile(target: string, data: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}${TMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.(tmp, target);
    await rename(tmp, target);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
}

/** Removes temp files a crash may have left behind in `dir`. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith('.') && n.includes(TMP_MARKER));
  for (const n of stale) await rm(join(dir, n), { force: true });
  return stale;
}
