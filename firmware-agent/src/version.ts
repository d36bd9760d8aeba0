import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json lives), both from src/ (tests) and dist/ (built). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'seatbox') return dir;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error('cannot locate the SeatBox project root (package.json named "seatbox")');
}

let cached: string | undefined;
export function version(): string {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}

export const PRODUCT = 'SeatBox' as const;
