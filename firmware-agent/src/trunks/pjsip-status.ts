// PJSIP contacts and outbound registrations as Asterisk reports them: seat phones that
// registered, trunks' qualified contacts (reachability) and trunks' own registrations.
// Read in full (PJSIPShowContacts, PJSIPShowRegistrationsOutbound) after every AMI connect,
// on a timer and after config changes; kept current in between by ContactStatus and Registry
// events. Emits 'changed' with the AOR or registration names whose state moved.
import { EventEmitter } from 'node:events';
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { Module } from '../core/module.js';
import type { Logger } from '../logging.js';

export interface ContactInfo {
  uri: string;
  /** Reachable, Unreachable, NonQualified, Unknown, Created (just registered, not qualified yet). */
  status: string;
  userAgent: string | null;
  roundtripUsec: number | null;
}

export interface RegistrationInfo {
  /** Registered, Unregistered, Rejected, Stopped, Failed … as Asterisk says. */
  status: string;
  serverUri: string | null;
  clientUri: string | null;
}

export interface PjsipStatusOptions {
  ami: AmiClient;
  logger: Logger;
  /** ms between full reads (default 30 s); events keep it current in between. */
  pollMs?: number;
}

const REACHABLE = new Set(['reachable', 'nonqualified', 'created', 'updated', 'unknown']);

/** A contact counts as a registered/usable one unless Asterisk found it unreachable (a new
 * registration first reports NonQualified, then Reachable once it answers OPTIONS). */
export function contactUsable(c: ContactInfo): boolean {
  return REACHABLE.has(c.status.toLowerCase());
}

/** "sip:trunk@host" / "<sip:…>" → comparable text. */
const cleanUri = (u: string | undefined) => (u ?? '').replace(/^<|>$/g, '');

export class PjsipStatus extends EventEmitter implements Module {
  readonly name = 'pjsip-status';
  private contacts = new Map<string, Map<string, ContactInfo>>();
  private regs = new Map<string, RegistrationInfo>();
  /** Endpoints whose static contacts (trunks) are read one by one: PJSIPShowContacts lists only registered ones. */
  private watched: string[] = [];
  private timer?: NodeJS.Timeout;
  private reading: Promise<void> | null = null;
  private again: Promise<void> | null = null;
  private readonly onEvent = (m: AmiMessage): void => this.handleEvent(m);
  private readonly onConnect = (): void => void this.refresh().catch((err: unknown) => this.opts.logger.warn({ err }, 'PJSIP status read failed'));

  constructor(private readonly opts: PjsipStatusOptions) {
    super();
  }

  async start(): Promise<void> {
    this.opts.ami.on('event', this.onEvent);
    this.opts.ami.on('connect', this.onConnect);
    if (this.opts.ami.connected) await this.refresh().catch((err: unknown) => this.opts.logger.warn({ err }, 'PJSIP status read failed'));
    this.timer = setInterval(this.onConnect, this.opts.pollMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.opts.ami.off('event', this.onEvent as never);
    this.opts.ami.off('connect', this.onConnect as never);
    await this.reading?.catch(() => undefined);
  }

  /** Trunk endpoints to read with PJSIPShowEndpoint (their contacts are configured, not registered). */
  watch(endpoints: string[]): void {
    this.watched = [...endpoints];
  }

  contactsOf(aor: string): ContactInfo[] {
    return [...(this.contacts.get(aor)?.values() ?? [])];
  }

  registration(name: string): RegistrationInfo | undefined {
    return this.regs.get(name);
  }

  /**
   * Reads contacts and registrations in full. A request during a read runs one more read
   * after it: the running one may have asked Asterisk before the change it is told about.
   */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again ??= this.reading.catch(() => undefined).then(() => {
        this.again = null;
        return this.refresh();
      });
      return this.again;
    }
    this.reading = this.read().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    if (!this.opts.ami.connected) return;
    const [contacts, regs] = await Promise.all([listOrEmpty(this.opts.ami, 'PJSIPShowContacts'), listOrEmpty(this.opts.ami, 'PJSIPShowRegistrationsOutbound')]);
    const nextContacts = new Map<string, Map<string, ContactInfo>>();
    for (const e of contacts.events) {
      if (e.event !== 'ContactList') continue;
      const aor = e.get('Aor') ?? e.get('AOR') ?? (e.get('ObjectName') ?? '').split(';@')[0] ?? '';
      if (!aor) continue;
      const uri = cleanUri(e.get('Uri') ?? e.get('URI'));
      const m = nextContacts.get(aor) ?? new Map<string, ContactInfo>();
      m.set(uri, { uri, status: e.get('Status') ?? 'Unknown', userAgent: e.get('UserAgent') || null, roundtripUsec: numberOrNull(e.get('RoundtripUsec')) });
      nextContacts.set(aor, m);
    }
    for (const id of this.watched) {
      const detail = await this.opts.ami.listAction('PJSIPShowEndpoint', { Endpoint: id }).catch(() => ({ events: [] as AmiMessage[] }));
      for (const e of detail.events) {
        if (e.event !== 'ContactStatusDetail') continue;
        const aor = e.get('AOR') ?? id;
        const uri = cleanUri(e.get('URI') ?? e.get('Uri'));
        const m = nextContacts.get(aor) ?? new Map<string, ContactInfo>();
        m.set(uri, { uri, status: e.get('Status') ?? 'Unknown', userAgent: e.get('UserAgent') || null, roundtripUsec: numberOrNull(e.get('RoundtripUsec')) });
        nextContacts.set(aor, m);
      }
    }
    const nextRegs = new Map<string, RegistrationInfo>();
    for (const e of regs.events) {
      if (e.event !== 'OutboundRegistrationDetail') continue;
      const name = e.get('ObjectName');
      if (!name) continue;
      nextRegs.set(name, { status: e.get('Status') ?? 'Unknown', serverUri: e.get('ServerUri') ?? null, clientUri: e.get('ClientUri') ?? null });
    }
    const changed = new Set<string>();
    for (const aor of new Set([...this.contacts.keys(), ...nextContacts.keys()])) {
      if (contactKey(this.contacts.get(aor)) !== contactKey(nextContacts.get(aor))) changed.add(aor);
    }
    for (const name of new Set([...this.regs.keys(), ...nextRegs.keys()])) {
      if (JSON.stringify(this.regs.get(name)) !== JSON.stringify(nextRegs.get(name))) changed.add(name);
    }
    this.contacts = nextContacts;
    this.regs = nextRegs;
    if (changed.size > 0) this.emit('changed', changed);
  }

  private soon?: NodeJS.Timeout;
  private refreshSoon(): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh().catch(() => undefined);
    }, 300);
    this.soon.unref();
  }

  private handleEvent(m: AmiMessage): void {
    if (m.event === 'ContactStatus') {
      const aor = m.get('AOR') ?? m.get('Aor');
      const uri = cleanUri(m.get('URI') ?? m.get('Uri'));
      const status = m.get('ContactStatus') ?? 'Unknown';
      if (!aor || !uri) return;
      const map = this.contacts.get(aor) ?? new Map<string, ContactInfo>();
      const before = contactKey(map);
      const isNew = !map.has(uri);
      if (status === 'Removed') map.delete(uri);
      else {
        const prev = map.get(uri);
        // "Updated" re-registers without saying whether the phone answers qualify: keep what we knew.
        const next = status === 'Updated' && prev ? prev.status : status;
        map.set(uri, { uri, status: next, userAgent: m.get('UserAgent') || prev?.userAgent || null, roundtripUsec: numberOrNull(m.get('RoundtripUsec')) ?? prev?.roundtripUsec ?? null });
      }
      if (map.size > 0) this.contacts.set(aor, map);
      else this.contacts.delete(aor);
      if (before !== contactKey(map)) this.emit('changed', new Set([aor]));
      // The event lacks the phone's User-Agent: read the details soon (coalesced for bursts).
      if (isNew && status !== 'Removed') this.refreshSoon();
      return;
    }
    if (m.event === 'Registry' && (m.get('ChannelType') ?? '').toUpperCase() === 'PJSIP') {
      // The event names the URIs, not the registration object: re-read to map it.
      void this.refresh().catch(() => undefined);
    }
  }
}

/** Asterisk answers some list actions with an error when the list is empty ("No … found"). */
async function listOrEmpty(ami: AmiClient, action: string): Promise<{ events: AmiMessage[] }> {
  try {
    return await ami.listAction(action);
  } catch (err) {
    if (/no .* found|not found/i.test((err as Error).message)) return { events: [] };
    throw err;
  }
}

function numberOrNull(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function contactKey(m: Map<string, ContactInfo> | undefined): string {
  if (!m) return '';
  return [...m.values()]
    .map((c) => `${c.uri}=${contactUsable(c) ? 'up' : 'down'}`)
    .sort()
    .join(',');
}
