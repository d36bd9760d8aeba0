// Disk use of the data volume. statfs on the recordings directory (same volume as the
// database); injectable so the thresholds are tested at their exact boundaries.
import { statfsSync } from 'node:fs';

export interface DiskStats {
  totalBytes: number;
  /** Free for an unprivileged writer (f_bavail). */
  freeBytes: number;
}

export type DiskStatsFn = () => DiskStats;

export function statfsDisk(path: string): DiskStatsFn {
  return () => {
    const s = statfsSync(path);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  };
}

export interface DiskThresholds {
  /** Percent used at which the alarm is raised (default 85). */
  alarmPercent: number;
  /** Percent used at which new recordings stop (default 92). */
  stopPercent: number;
  /** New recordings also stop when less than this many bytes are free (protects the database). */
  reserveBytes: number;
  /** Recording resumes only below stopPercent minus this (no flapping at the boundary). */
  resumeHysteresisPercent: number;
}

export const DEFAULT_THRESHOLDS: DiskThresholds = { alarmPercent: 85, stopPercent: 92, reserveBytes: 2 * 1024 ** 3, resumeHysteresisPercent: 2 };

export type DiskLevel = 'ok' | 'alarm' | 'stop';

export interface DiskState {
  totalBytes: number;
  freeBytes: number;
  usedPercent: number;
  level: DiskLevel;
}

export function usedPercent(s: DiskStats): number {
  return s.totalBytes > 0 ? ((s.totalBytes - s.freeBytes) / s.totalBytes) * 100 : 0;
}

/**
 * The level for the stats, given the previous level: at or above alarmPercent → alarm; at or
 * above stopPercent, or free below the reserve → stop; once stopped, recording resumes only
 * below stopPercent - hysteresis with the reserve free again.
 */
export function diskLevel(s: DiskStats, t: DiskThresholds, previous: DiskLevel = 'ok'): DiskLevel {
  const used = usedPercent(s);
  const stop = used >= t.stopPercent || s.freeBytes < t.reserveBytes;
  if (stop) return 'stop';
  if (previous === 'stop' && used >= t.stopPercent - t.resumeHysteresisPercent) return 'stop';
  return used >= t.alarmPercent ? 'alarm' : 'ok';
}
