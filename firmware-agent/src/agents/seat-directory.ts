// The seats the agents module knows about. Seats belong to the seats/trunks module; this is
// the small interface through which we read them (main.ts wires the real one).
import type { Db } from '../db/database.js';

export interface SeatInfo {
  extension: string;
  kind: 'sip' | 'fxs';
  /** SIP contact present (FXS: port present and not in alarm). */
  registered: boolean;
}

export interface SeatDirectory {
  list(): SeatInfo[];
}

/** From the PBX model's endpoints (every endpoint is a SIP seat; registration unknown). */
export function modelSeatDirectory(endpoints: () => Array<{ id: string }>): SeatDirectory {
  return { list: () => endpoints().map((e) => ({ extension: e.id, kind: 'sip', registered: false })) };
}

/**
 * Stopgap until the seats module offers a SeatDirectory: enabled rows of its `seats` table
 * (migration 0002), registration unknown.
 */
export function tableSeatDirectory(db: Db): SeatDirectory {
  return {
    list: () => {
      try {
        return db
          .prepare<[], { extension: string; tech: 'sip' | 'fxs' }>('SELECT extension, tech FROM seats WHERE enabled = 1 ORDER BY CAST(extension AS INTEGER)')
          .all()
          .map((r) => ({ extension: r.extension, kind: r.tech, registered: false }));
      } catch {
        return [];
      }
    },
  };
}

export function compareExtensions(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}
