// Hold, transfer and conference for the agent desktop over AMI against the desk's dialplan
// contexts (desk/dialplan.ts). Channels are found by the call's linkedid in CoreShowChannels:
// the agent's leg is the seat's channel (SEATBOX_SEAT) or, for the Local/<seat>@seatbox-dialer-seat
// pair, its ;1 half that sits in the bridge; the customer is the other channel of that bridge.
//
//   hold      Redirect customer → seatbox-desk-hold (MusicOnHold), ExtraChannel agent → seatbox-desk-park
//   unhold    Redirect agent → seatbox-desk-bridge,<customer uniqueid> (Bridge())
//   blind     Setvar + Redirect customer → seatbox-desk-xfer (dials the target); the agent leg hangs up
//   consult   hold, then Setvar + Redirect agent → seatbox-desk-consult (dials the target)
//   complete  Redirect customer → seatbox-desk-bridge,<target uniqueid>; then hang up the agent leg
//   cancel    Redirect agent → seatbox-desk-bridge,<customer uniqueid> (the target is hung up by Dial)
//   conference  (consulting) Redirect customer → seatbox-desk-join,<agent uniqueid> (BridgeAdd: 3 parties);
//             (not consulting) hold + consult first, the conference is joined when the target answers.
import type { AsteriskAmiClient } from '../ami/client.js';
import { chanVariables } from '../ami/message.js';
import type { AmiMessage } from '../ami/types.js';
import { SEAT_VAR } from '../agents/seat-calls.js';
import { DESK_CONTEXTS } from './dialplan.js';

export class DeskCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 409,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DeskCallError';
  }
}

export interface ChannelInfo {
  channel: string;
  uniqueid: string;
  linkedid: string;
  bridgeId: string;
  state: string;
  seat: string | null;
  context: string;
  application: string;
}

export interface CallLegs {
  agent: ChannelInfo;
  customer: ChannelInfo | null;
  all: ChannelInfo[];
}

const toInfo = (m: AmiMessage): ChannelInfo => {
  let seat: string | null = null;
  for (const [k, v] of chanVariables(m)) if (k === SEAT_VAR && v) seat = v;
  return {
    channel: m.get('Channel') ?? '',
    uniqueid: m.get('Uniqueid') ?? '',
    linkedid: m.get('Linkedid') ?? '',
    bridgeId: m.get('BridgeId') ?? '',
    state: m.get('ChannelStateDesc') ?? '',
    seat,
    context: m.get('Context') ?? '',
    application: m.get('Application') ?? '',
  };
};

/** The ;1 half of a Local channel pair for its ;2 half (and the other way round). */
export const localPartner = (channel: string): string | null => {
  const m = /^(Local\/.+);([12])$/.exec(channel);
  if (!m) return null;
  return `${m[1]};${m[2] === '1' ? '2' : '1'}`;
};

export class CallControl {
  constructor(private readonly ami: AsteriskAmiClient) {}

  async channels(): Promise<ChannelInfo[]> {
    const list = await this.ami.listAction('CoreShowChannels');
    return list.events.filter((e) => e.event === 'CoreShowChannel').map(toInfo);
  }

  /**
   * The agent's leg and the customer's of the seat's call. `known` (from hold) is used when
   * the legs are not bridged (held customer, parked agent).
   */
  async legs(seat: string, known?: { agent?: string; customer?: string }): Promise<CallLegs> {
    const all = await this.channels();
    const byName = new Map(all.map((c) => [c.channel, c]));
    const seatChans = all.filter((c) => c.seat === seat);
    if (seatChans.length === 0) throw new DeskCallError('no_call', `seat ${seat} has no call`);
    let agent: ChannelInfo | undefined = known?.agent ? byName.get(known.agent) : undefined;
    if (!agent) {
      for (const c of seatChans) {
        if (c.bridgeId) {
          agent = c;
          break;
        }
        const p = localPartner(c.channel);
        const partner = p ? byName.get(p) : undefined;
        if (partner && partner.bridgeId) {
          agent = partner;
          break;
        }
      }
    }
    // Not bridged (parked): the seat channel's ;1 half, or the seat channel itself.
    if (!agent) {
      const c = seatChans[0]!;
      const p = localPartner(c.channel);
      agent = (p && p.endsWith(';1') ? byName.get(p) : undefined) ?? c;
    }
    let customer: ChannelInfo | null = known?.customer ? (byName.get(known.customer) ?? null) : null;
    if (!customer && agent.bridgeId) customer = all.find((c) => c.bridgeId === agent!.bridgeId && c.uniqueid !== agent!.uniqueid) ?? null;
    // A real phone reached through Local/<seat>@seatbox-dialer-seat before Asterisk optimised the
    // Local pair away: the phone's bridge partner is the ;2 half; the customer is in the ;1 half's
    // bridge, and that ;1 half is the leg to move.
    if (!known?.customer && customer && customer.channel.endsWith(';2')) {
      const p = localPartner(customer.channel);
      const half = p ? byName.get(p) : undefined;
      const far = half?.bridgeId ? all.filter((c) => c.bridgeId === half.bridgeId && c.uniqueid !== half.uniqueid) : [];
      if (half && far.length === 1) {
        agent = half;
        customer = far[0]!;
      }
    }
    return { agent, customer, all };
  }

  private async ok(res: Promise<AmiMessage>, what: string): Promise<void> {
    const r = await res;
    if (r.response !== 'Success') throw new DeskCallError('ami_refused', `${what}: ${r.get('Message') ?? r.response}`, 502);
  }

  /** The dial target (<number>@<context>) for the desk contexts' Dial(Local/${SEATBOX_DESK_NUMBER}@${SEATBOX_DESK_CONTEXT}). */
  private async setDest(channel: string, dest: string): Promise<void> {
    const at = dest.lastIndexOf('@');
    await this.setvar(channel, 'SEATBOX_DESK_NUMBER', dest.slice(0, at));
    await this.setvar(channel, 'SEATBOX_DESK_CONTEXT', dest.slice(at + 1));
  }

  private setvar(channel: string, name: string, value: string): Promise<void> {
    return this.ok(this.ami.action('Setvar', { Channel: channel, Variable: name, Value: value }), `Setvar ${name}`);
  }

  private redirect(channel: string, context: string, exten: string, extra?: { channel: string; context: string; exten: string }): Promise<void> {
    return this.ok(
      this.ami.action('Redirect', {
        Channel: channel,
        Context: context,
        Exten: exten,
        Priority: '1',
        ...(extra ? { ExtraChannel: extra.channel, ExtraContext: extra.context, ExtraExten: extra.exten, ExtraPriority: '1' } : {}),
      }),
      `Redirect ${channel}`,
    );
  }

  async hangup(channel: string): Promise<void> {
    await this.ok(this.ami.action('Hangup', { Channel: channel, Cause: '16' }), `Hangup ${channel}`);
  }

  /** Customer to music on hold, the agent's leg parked. */
  async hold(legs: CallLegs): Promise<void> {
    if (!legs.customer) throw new DeskCallError('no_customer', 'the call has no other party to hold');
    await this.redirect(legs.customer.channel, DESK_CONTEXTS.hold, 's', { channel: legs.agent.channel, context: DESK_CONTEXTS.park, exten: 's' });
  }

  /** The agent's leg takes the held customer back. */
  async unhold(agent: string, customerUniqueid: string): Promise<void> {
    await this.redirect(agent, DESK_CONTEXTS.bridge, customerUniqueid);
  }

  /** The customer calls the target; the agent's leg is dropped. */
  async blindTransfer(legs: CallLegs, dest: string): Promise<void> {
    if (!legs.customer) throw new DeskCallError('no_customer', 'the call has no other party to transfer');
    await this.setDest(legs.customer.channel, dest);
    await this.redirect(legs.customer.channel, DESK_CONTEXTS.xfer, 's');
    // The agent's Dial may hang its leg up itself; a leg already gone is fine.
    await this.hangup(legs.agent.channel).catch(() => undefined);
  }

  /** Holds the customer and lets the agent's leg dial the target. */
  async consult(legs: CallLegs, dest: string): Promise<void> {
    if (!legs.customer) throw new DeskCallError('no_customer', 'the call has no other party');
    await this.setDest(legs.agent.channel, dest);
    await this.redirect(legs.customer.channel, DESK_CONTEXTS.hold, 's', { channel: legs.agent.channel, context: DESK_CONTEXTS.consult, exten: 's' });
  }

  /** The consultation's other party: the agent leg's bridge partner. */
  async consultTarget(agent: string): Promise<ChannelInfo | null> {
    const all = await this.channels();
    const a = all.find((c) => c.channel === agent);
    if (!a || !a.bridgeId) return null;
    return all.find((c) => c.bridgeId === a.bridgeId && c.uniqueid !== a.uniqueid) ?? null;
  }

  /** Attended transfer: the held customer is bridged with the consulted target; the agent leaves. */
  async completeTransfer(agent: string, customer: string, targetUniqueid: string): Promise<void> {
    await this.redirect(customer, DESK_CONTEXTS.bridge, targetUniqueid);
    await new Promise((r) => setTimeout(r, 300));
    await this.hangup(agent).catch(() => undefined);
  }

  /** Three-party conference: the held customer joins the agent's bridge with the target. */
  async joinConference(customer: string, agentUniqueid: string): Promise<void> {
    await this.redirect(customer, DESK_CONTEXTS.join, agentUniqueid);
  }
}
