// The seats as the rest of the agent sees them: which exist, and whether their phone is there
// (SIP: a registered contact that is not unreachable; FXS: the port is detected and not in
// alarm). It is the agents module's SeatDirectory and says when a seat's presence changes.
import { EventEmitter } from 'node:events';
import type { Db } from '../db/database.js';
import type { HardwareMonitor } from '../hardware-inventory/monitor.js';
import { findAnalogPort } from '../hardware-inventory/ports.js';
import { contactUsable, type PjsipStatus } from '../trunks/pjsip-status.js';
import { SeatStore, type SeatRecord } from './seat-store.js';

export interface SeatPresence {
  extension: string;
  kind: 'sip' | 'fxs';
  registered: boolean;
}

export class SeatRegistry extends EventEmitter {
  private seats: SeatRecord[] = [];
  private last = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    private readonly pjsip: PjsipStatus,
    private readonly hardware: HardwareMonitor,
  ) {
    super();
    this.reload();
    pjsip.on('changed', (names: Set<string>) => {
      for (const n of names) if (this.last.has(n)) this.check(n);
    });
    hardware.on('inventory', () => {
      for (const s of this.seats) if (s.tech === 'fxs') this.check(s.extension);
    });
  }

  /** Re-reads the seats table (after a change); announces seats that appeared or went. */
  reload(): void {
    const before = new Set(this.last.keys());
    this.seats = new SeatStore(this.db).all().filter((s) => s.enabled);
    const now = new Set(this.seats.map((s) => s.extension));
    for (const ext of before) {
      if (!now.has(ext)) {
        this.last.delete(ext);
        this.emit('seat', ext);
      }
    }
    for (const s of this.seats) {
      if (!before.has(s.extension)) {
        this.last.set(s.extension, this.registered(s));
        this.emit('seat', s.extension);
      } else this.check(s.extension);
    }
  }

  /** SeatDirectory for the agents module. */
  list(): SeatPresence[] {
    return this.seats.map((s) => ({ extension: s.extension, kind: s.tech, registered: this.registered(s) }));
  }

  registeredByExtension(ext: string): boolean {
    const s = this.seats.find((x) => x.extension === ext);
    return s ? this.registered(s) : false;
  }

  contact(ext: string): { uri: string; userAgent: string | null } | null {
    const c = this.pjsip.contactsOf(ext).find(contactUsable);
    return c ? { uri: c.uri, userAgent: c.userAgent } : null;
  }

  private registered(s: SeatRecord): boolean {
    if (s.tech === 'sip') return this.pjsip.contactsOf(s.extension).some(contactUsable);
    if (!s.port) return false;
    const found = findAnalogPort(this.hardware.inventory, s.port.channel);
    return found !== undefined && found.port.kind === 'FXS' && found.port.alarms.ok && found.span.alarms.severity !== 'critical';
  }

  private check(ext: string): void {
    const s = this.seats.find((x) => x.extension === ext);
    if (!s) return;
    const now = this.registered(s);
    if (this.last.get(ext) !== now) {
      this.last.set(ext, now);
      this.emit('seat', ext);
    }
  }
}
