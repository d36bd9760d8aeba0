// What a technician types into a desk phone for a SIP seat, and the address phones reach the
// box at. The secret is only ever in the answer to the request that created/regenerated it.
import { networkInterfaces } from 'node:os';
import type { Provisioning } from './schemas.js';
import type { SeatRecord } from './seat-store.js';

/** SDP names, as phone web pages list them. */
const SDP_NAME: Record<string, string> = { alaw: 'PCMA', ulaw: 'PCMU', g722: 'G722', gsm: 'GSM' };

export interface SipServer {
  address: string;
  port: number;
}

/** First non-internal IPv4 address of this machine (the box's LAN address). */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * The address phones register to: the SIP bind address when it is a specific one; else the
 * host name the admin's browser used to reach the box (phones sit on the same LAN); else the
 * box's first LAN address.
 */
export function sipServerAddress(sip: { bind: string; port: number }, requestHost?: string): SipServer {
  if (sip.bind !== '0.0.0.0') return { address: sip.bind, port: sip.port };
  const host = (requestHost ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host && host !== 'localhost' && !host.startsWith('127.') && host !== '::1') return { address: host, port: sip.port };
  return { address: lanAddress() ?? '127.0.0.1', port: sip.port };
}

export function provisioningFor(seat: Pick<SeatRecord, 'extension' | 'name' | 'codecs'>, secret: string, server: SipServer): Provisioning {
  return {
    extension: seat.extension,
    displayName: seat.name,
    server: server.address,
    port: server.port,
    transport: 'udp',
    username: seat.extension,
    authUsername: seat.extension,
    secret,
    codecs: seat.codecs.map((c) => SDP_NAME[c] ?? c.toUpperCase()),
  };
}
