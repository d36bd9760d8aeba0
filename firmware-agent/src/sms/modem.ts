// The SMS modem adapter interface (zigbee-herdsman style: the module talks to an adapter, the
// adapter speaks one device family). at-modem.ts implements it for AT-command GSM modems.
import type { EventEmitter } from 'node:events';
import type { DecodedDeliver, DecodedStatusReport } from './pdu.js';

export const MODEM_STATES = ['closed', 'opening', 'initializing', 'ready', 'no_sim', 'no_network', 'disconnected', 'error'] as const;
export type ModemState = (typeof MODEM_STATES)[number];

export interface ModemStatus {
  state: ModemState;
  /** operator name from AT+COPS? */
  operator: string | null;
  /** AT+CSQ rssi 0–31 (null: unknown / 99) */
  signal: number | null;
  /** AT+CREG? stat: 0 not searching, 1 home, 2 searching, 3 denied, 5 roaming */
  registration: number | null;
  model: string | null;
  imei: string | null;
  /** the last problem in words (no SIM, +CMS ERROR …) */
  error: string | null;
  path: string | null;
  since: string;
}

export interface SendPart {
  /** PDU hex as AT+CMGS takes it */
  hex: string;
  /** TPDU length (AT+CMGS=<length>) */
  tpduLength: number;
}

/** A send failed; `code` is the +CMS ERROR code (null: timeout / modem gone). */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly transient: boolean,
    /** message references of the parts sent before the failure */
    readonly refs: number[] = [],
  ) {
    super(message);
  }
}

/**
 * Events:
 *  'state' (ModemStatus) on every change;
 *  'sms' (DecodedDeliver, storage index) for every received part;
 *  'status-report' (DecodedStatusReport).
 */
export interface SmsModem extends EventEmitter {
  open(): Promise<void>;
  close(): Promise<void>;
  status(): ModemStatus;
  /** Sends the parts in order; resolves with one TP-MR per part. Throws SmsSendError. */
  send(parts: SendPart[]): Promise<number[]>;
}

export type { DecodedDeliver, DecodedStatusReport };

/**
 * +CMS ERROR codes worth a retry (27.005 3.2.5 and 24.011 causes): the network or the modem is
 * briefly unable, not the number refused. Everything else is a permanent failure of this message.
 */
export const TRANSIENT_CMS = new Set([
  38, // network out of order
  41, // temporary failure
  42, // congestion
  47, // resources unavailable, unspecified
  300, // ME failure
  301, // SMS service of ME reserved
  310, // SIM not inserted (the SIM may come back; the message is not at fault)
  311, 312, 313, 314, 315, // SIM PIN/PUK/failure/busy/wrong
  320, 321, 322, // memory failure / full
  331, // no network service
  332, // network timeout
  340, // no +CNMA acknowledgement expected
  500, // unknown error
  512, 513, 514, 515, 516, 517, // manufacturer specific (Quectel: MM establishment failure, lower layer failure, CP error …)
]);

/** Short English explanation of common +CMS ERROR codes (logs, the outbox's reason column). */
export function cmsText(code: number): string {
  const t: Record<number, string> = {
    1: 'unassigned (unallocated) number',
    8: 'operator determined barring',
    10: 'call barred',
    21: 'short message transfer rejected',
    27: 'destination out of service',
    28: 'unidentified subscriber',
    29: 'facility rejected',
    30: 'unknown subscriber',
    38: 'network out of order',
    41: 'temporary failure',
    42: 'congestion',
    47: 'resources unavailable',
    50: 'requested facility not subscribed',
    69: 'requested facility not implemented',
    96: 'invalid mandatory information',
    304: 'invalid PDU mode parameter',
    310: 'SIM not inserted',
    330: 'SMSC address unknown',
    331: 'no network service',
    332: 'network timeout',
    500: 'unknown error',
  };
  return t[code] ?? 'error';
}
