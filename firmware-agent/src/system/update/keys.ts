import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from './bundle.js';
import { projectRoot } from '../../version.js';

/**
 * The update verification key: $SEATBOX_UPDATE_PUBKEY, else the one baked into the image
 * (/usr/share/seatbox/update-key.pub), else the dev key of the last local image build
 * (dist/image/update-key.pub). Null when there is none (updates are then refused).
 */
export function findUpdatePublicKey(): { path: string; key: KeyObject } | null {
  const candidates = [process.env.SEATBOX_UPDATE_PUBKEY, '/usr/share/seatbox/update-key.pub'];
  try {
    candidates.push(join(projectRoot(), 'dist', 'image', 'update-key.pub'));
  } catch {
    // no project root: only the explicit paths
  }
  for (const p of candidates) {
    if (p && existsSync(p)) return { path: p, key: loadPublicKey(readFileSync(p)) };
  }
  return null;
}
