// The dialer's telephony on Asterisk over AMI. A dial is an Originate of
// Local/<number>@seatbox-dialer-out (which dials the trunk, or the demo's simulated PSTN) whose
// answered leg runs seatbox-dialer,answered: a UserEvent tells us, then Wait(grace); we Redirect
// it to seatbox-dialer,C<seat> (record + the seat) or the wait ends in the drop message.
// Contexts: asterisk-conf/extensions.conf.hbs, docs/dialplan.md.
import type { AsteriskAmiClient } from '../ami/client.js';
import type { AmiMessage } from '../ami/types.js';
import type { DialOutcome } from '../leads/lead-source.js';
import type { Logger } from '../logging.js';
import type { DialerPort, DialerPortHandlers, OriginateRequest } from './dialer-module.js';

export const DIALER_CONTEXTS = { out: 'seatbox-dialer-out', dialer: 'seatbox-dialer', seat: 'seatbox-dialer-seat' } as const;
export const DIALER_EVENT = 'SeatBoxDialer';

export interface AsteriskPortOptions {
  ami: AsteriskAmiClient;
  logger: Logger;
  /** Where a number is dialled: the number as the context expects it, and the context (the
   *  outbound routes, which pick the trunk, or the demo's simulated PSTN). */
  destination: (phone: string, trunk: string | null) => { number: string; context: string };
  /** Ring time before giving up (no answer), seconds. */
  noAnswerSeconds: () => number;
  /** Sound the dropped call hears (company name + callback number). */
  dropSound: () => string;
}

const STATUS_OUTCOME: Record<string, DialOutcome> = {
  BUSY: 'busy',
  NOANSWER: 'no_answer',
  CONGESTION: 'unreachable',
  CHANUNAVAIL: 'unreachable',
  CANCEL: 'no_answer',
  INVALIDARGS: 'failed',
};

export class AsteriskDialerPort implements DialerPort {
  private h?: DialerPortHandlers;
  private readonly onEvent = (msg: AmiMessage) => this.event(msg);

  constructor(private readonly o: AsteriskPortOptions) {
    o.ami.on('event', this.onEvent);
  }

  bind(h: DialerPortHandlers): void {
    this.h = h;
  }

  stop(): void {
    this.o.ami.off('event', this.onEvent);
  }

  async originate(req: OriginateRequest): Promise<void> {
    const timeout = this.o.noAnswerSeconds();
    const dest = this.o.destination(req.phone, req.campaign.trunk);
    const vars = [
      `__SEATBOX_DIALER_CALL=${req.callId}`,
      `__SEATBOX_DIALER_NUMBER=${dest.number}`,
      `__SEATBOX_DIALER_ROUTE=${dest.context}`,
      `__SEATBOX_DIALER_TIMEOUT=${timeout}`,
      `SEATBOX_DIALER_GRACE=${req.graceSeconds}`,
      `SEATBOX_DIALER_DROP_SOUND=${this.o.dropSound()}`,
      `SEATBOX_DIALER_CAMPAIGN=${req.campaign.id}`,
    ];
    const res = await this.o.ami.action('Originate', {
      Channel: `Local/${req.phone}@${DIALER_CONTEXTS.out}`,
      Context: DIALER_CONTEXTS.dialer,
      Exten: 'answered',
      Priority: '1',
      Timeout: String((timeout + 10) * 1000),
      ...(req.campaign.callerId ? { CallerID: req.campaign.callerId } : {}),
      Variable: vars.join(','),
      Account: `dialer-${req.campaign.id}`,
      Async: 'true',
    });
    if (res.response !== 'Success') throw new Error(`Originate refused: ${res.get('Message') ?? res.response}`);
  }

  async connect(_callId: string, channel: string, seat: string): Promise<boolean> {
    if (!channel) return false;
    const res = await this.o.ami.action('Redirect', { Channel: channel, Context: DIALER_CONTEXTS.dialer, Exten: `C${seat}`, Priority: '1' });
    return res.response === 'Success';
  }

  private event(msg: AmiMessage): void {
    const h = this.h;
    if (!h) return;
    const ev = msg.event;
    if (ev === 'UserEvent' && msg.get('UserEvent') === DIALER_EVENT) {
      const op = msg.get('Op');
      const call = msg.get('Call') ?? '';
      if (!call) return;
      if (op === 'answered') h.answered(call, msg.get('Channel') ?? '', msg.get('Uniqueid') ?? '');
      else if (op === 'connected') h.connected(call, msg.get('Seat') ?? '');
      else if (op === 'dropped') h.dropped(call);
      else if (op === 'failed') h.failed(call, STATUS_OUTCOME[msg.get('Status') ?? ''] ?? 'failed');
      else if (op === 'machine') h.machine(call, (msg.get('Status') ?? '') === 'NOTSURE');
    } else if (ev === 'Hangup') {
      const uid = msg.get('Uniqueid');
      if (uid) h.hangup(uid);
    }
  }
}
