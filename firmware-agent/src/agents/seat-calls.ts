// Which calls are on which seat, from AMI channel events: every channel of a seat carries
// ChanVariable SEATBOX_SEAT=<extension> (manager.conf channelvars). The tracker reduces a
// seat's channels to one phase: talking (a channel is up), ringing (channels, none up:
// being rung or ringing out), idle.
import { chanVariables } from '../ami/message.js';
import type { AmiMessage } from '../ami/types.js';
import { IDLE, type SeatPhase } from './engine.js';

export const SEAT_VAR = 'SEATBOX_SEAT';

interface SeatChannel {
  uniqueid: string;
  seat: string;
  linkedid: string;
  up: boolean;
  order: number;
}

/** Channel events after which a channel not seen before may be picked up (its seat variable set late). */
const LATE_PICKUP = new Set(['Newstate', 'VarSet', 'NewCallerid', 'NewConnectedLine', 'NewExten', 'BridgeEnter', 'DialState']);
const RECENT_HANGUPS = 2000;

export function seatOf(msg: AmiMessage): string | null {
  for (const [name, value] of chanVariables(msg)) if (name === SEAT_VAR && value !== '') return value;
  return null;
}

/**
 * A seat's own call to a feature code (*21…, *23…) is not a call with anyone: it must not
 * make the agent ring or talk. Such channels start in an extension beginning with '*'.
 */
function isFeatureCode(msg: AmiMessage): boolean {
  return (msg.get('Exten') ?? '').startsWith('*');
}

export class SeatCallTracker {
  private readonly channels = new Map<string, SeatChannel>();
  private readonly ignored = new Set<string>();
  /** Hung-up channels, so a straggling event cannot bring one back. */
  private readonly dead = new Set<string>();
  private order = 0;

  constructor(private readonly onPhase: (seat: string, phase: SeatPhase) => void) {}

  get channelCount(): number {
    return this.channels.size;
  }

  handleEvent(msg: AmiMessage): void {
    const uid = msg.get('Uniqueid');
    if (!uid) return;
    if (msg.event === 'Hangup') {
      this.ignored.delete(uid);
      this.markDead(uid);
      const ch = this.channels.get(uid);
      if (ch) {
        this.channels.delete(uid);
        this.emit(ch.seat);
      }
      return;
    }
    if (this.ignored.has(uid) || this.dead.has(uid)) return;
    const known = this.channels.get(uid);
    const state = msg.get('ChannelState');
    if (known) {
      const up = state === undefined ? known.up : state === '6';
      if (up !== known.up) {
        known.up = up;
        this.emit(known.seat);
      }
      return;
    }
    if (msg.event !== 'Newchannel' && !LATE_PICKUP.has(msg.event ?? '')) return;
    const seat = seatOf(msg);
    if (!seat) return;
    if (isFeatureCode(msg)) {
      this.ignored.add(uid);
      return;
    }
    this.channels.set(uid, { uniqueid: uid, seat, linkedid: msg.get('Linkedid') || uid, up: state === '6', order: this.order++ });
    this.emit(seat);
  }

  /**
   * Replaces what we know by Asterisk's own list (CoreShowChannel events) after a
   * (re)connect; returns the phase of every seat that has channels.
   */
  resync(list: AmiMessage[]): Map<string, SeatPhase> {
    this.channels.clear();
    this.ignored.clear();
    // Oldest first, so "the" call of a seat is the one that started first.
    const sorted = [...list].sort((a, b) => Number(b.get('Duration') ?? 0) - Number(a.get('Duration') ?? 0));
    for (const m of sorted) {
      const uid = m.get('Uniqueid');
      const seat = seatOf(m);
      if (!uid || !seat) continue;
      if (isFeatureCode(m) && !m.get('BridgeId')) {
        this.ignored.add(uid);
        continue;
      }
      this.dead.delete(uid);
      this.channels.set(uid, { uniqueid: uid, seat, linkedid: m.get('Linkedid') || uid, up: m.get('ChannelState') === '6', order: this.order++ });
    }
    const out = new Map<string, SeatPhase>();
    for (const ch of this.channels.values()) if (!out.has(ch.seat)) out.set(ch.seat, this.phaseOf(ch.seat));
    return out;
  }

  phaseOf(seat: string): SeatPhase {
    let ringing: SeatChannel | undefined;
    let talking: SeatChannel | undefined;
    for (const ch of this.channels.values()) {
      if (ch.seat !== seat) continue;
      if (ch.up) {
        if (!talking || ch.order < talking.order) talking = ch;
      } else if (!ringing || ch.order < ringing.order) ringing = ch;
    }
    if (talking) return { kind: 'talking', linkedid: talking.linkedid };
    if (ringing) return { kind: 'ringing', linkedid: ringing.linkedid };
    return IDLE;
  }

  private markDead(uid: string): void {
    this.dead.add(uid);
    if (this.dead.size > RECENT_HANGUPS) {
      const first = this.dead.values().next().value;
      if (first !== undefined) this.dead.delete(first);
    }
  }

  private emit(seat: string): void {
    this.onPhase(seat, this.phaseOf(seat));
  }
}
