// Analog card ports as stored assignments (dahdi_ports) joined with the detected hardware.
import type { Db } from '../db/database.js';
import type { AnalogPort, InventorySpan, TelephonyInventory } from '../hardware/index.js';
import { badInput, conflict } from '../pbx-model/errors.js';

export interface PortAssignmentRow {
  channel: number;
  span: number;
  kind: 'FXS' | 'FXO';
  seat_id: number | null;
  trunk_id: number | null;
  extension: string | null;
  trunk_name: string | null;
}

export function portAssignments(db: Db): PortAssignmentRow[] {
  return db
    .prepare<[], PortAssignmentRow>(
      `SELECT p.channel, p.span, p.kind, p.seat_id, p.trunk_id, s.extension, t.name AS trunk_name
         FROM dahdi_ports p LEFT JOIN seats s ON s.id = p.seat_id LEFT JOIN trunks t ON t.id = p.trunk_id
        ORDER BY p.channel`,
    )
    .all();
}

export function findAnalogPort(inv: TelephonyInventory | undefined, channel: number): { span: InventorySpan; port: AnalogPort } | undefined {
  for (const span of inv?.spans ?? []) {
    const port = span.ports.find((p) => p.channel === channel);
    if (port) return { span, port };
  }
  return undefined;
}

/** "span 2 port 9 (channel 40)" */
export function portLabel(span: number, port: number | undefined, channel: number): string {
  return port !== undefined ? `span ${span} port ${port} (channel ${channel})` : `channel ${channel}`;
}

function ownerText(row: PortAssignmentRow): string {
  return row.kind === 'FXS' ? `the port of seat ${row.extension ?? row.seat_id}` : `a line of trunk "${row.trunk_name ?? row.trunk_id}"`;
}

/** Free FXS or FXO ports of the detected hardware, in channel order. */
export function freePorts(db: Db, inv: TelephonyInventory | undefined, kind: 'FXS' | 'FXO'): Array<{ span: number; port: AnalogPort }> {
  const taken = new Set(portAssignments(db).map((r) => r.channel));
  const out: Array<{ span: number; port: AnalogPort }> = [];
  for (const s of inv?.spans ?? []) for (const p of s.ports) if (p.kind === kind && !taken.has(p.channel)) out.push({ span: s.span, port: p });
  return out.sort((a, b) => a.port.channel - b.port.channel);
}

/**
 * Checks that `channel` is a detected port of the wanted kind and not given to anything else
 * (`self` = the seat/trunk that may already hold it). Returns its span.
 */
export function checkPortFor(
  db: Db,
  inv: TelephonyInventory | undefined,
  channel: number,
  kind: 'FXS' | 'FXO',
  forWhat: string,
  self: { seatId?: number; trunkId?: number } = {},
  field = 'channel',
): { span: number; port: AnalogPort } {
  const found = findAnalogPort(inv, channel);
  if (!found) {
    const free = freePorts(db, inv, kind).map((p) => p.port.channel);
    const hint = free.length > 0 ? `free ${kind} ports: channels ${compactList(free)}` : `this box has no free ${kind} port`;
    throw badInput(`${forWhat}: channel ${channel} is not a port of the detected telephony cards (${hint})`, field);
  }
  const where = portLabel(found.span.span, found.port.port, channel);
  if (found.port.kind !== kind) {
    const what =
      found.port.kind === 'FXS'
        ? 'an FXS port (a phone plugs in)'
        : found.port.kind === 'FXO'
          ? 'an FXO port (a PSTN line plugs in)'
          : found.port.kind === 'empty'
            ? 'an empty module slot'
            : found.port.kind === 'failed'
              ? 'a port whose module failed'
              : 'a port of unknown kind';
    const need = kind === 'FXS' ? 'an analog seat needs an FXS port' : 'an analog trunk line needs an FXO port';
    throw badInput(`${forWhat}: ${where} is ${what}; ${need}`, field);
  }
  const row = db.prepare<[number], PortAssignmentRow>(
    `SELECT p.channel, p.span, p.kind, p.seat_id, p.trunk_id, s.extension, t.name AS trunk_name
       FROM dahdi_ports p LEFT JOIN seats s ON s.id = p.seat_id LEFT JOIN trunks t ON t.id = p.trunk_id WHERE p.channel = ?`,
  ).get(channel);
  if (row && !(self.seatId !== undefined && row.seat_id === self.seatId) && !(self.trunkId !== undefined && row.trunk_id === self.trunkId)) {
    throw conflict(`${forWhat}: ${where} is already ${ownerText(row)}; one port serves one seat or one line`, field);
  }
  return { span: found.span.span, port: found.port };
}

/** [32,33,34,36] → "32-34, 36" */
export function compactList(ns: readonly number[]): string {
  const sorted = [...ns].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(', ');
}
