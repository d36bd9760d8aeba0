import { EventEmitter } from 'node:events';
import type { AmiMessage } from '../ami/types.js';
import type { LiveCall } from '../http/schemas.js';
import type { Logger } from '../logging.js';

// Channels (legs) and calls (Asterisk linkedid) built from AMI events. The model is the
// single source of live call state: the store persists it, the live feed shows it.

export type Direction = 'inbound' | 'outbound' | 'internal';
export type CallState = 'ringing' | 'answered' | 'bridged' | 'ended';
export type EndReason = 'hangup' | 'pbx_restart' | 'missing_on_resync';

export interface Leg {
  uniqueid: string;
  linkedid: string;
  channel: string;
  endpoint: string;
  callerNum: string | null;
  callerName: string | null;
  connectedNum: string | null;
  context: string | null;
  exten: string | null;
  state: string;
  createdAt: string;
  ringingAt: string | null;
  answeredAt: string | null;
  bridgedAt: string | null;
  bridgeId: string | null;
  hungupAt: string | null;
  cause: number | null;
  causeTxt: string | null;
}

export interface Call {
  linkedid: string;
  direction: Direction;
  state: CallState;
  from: string | null;
  to: string | null;
  createdAt: string;
  answeredAt: string | null;
  bridgedAt: string | null;
  endedAt: string | null;
  cause: number | null;
  causeTxt: string | null;
  endReason: EndReason | null;
  legs: Map<string, Leg>;
}

/** Where the model's changes go (SQLite in the agent; nothing in pure unit tests). */
export interface CallSink {
  saveCall(call: Call): void;
  saveLeg(leg: Leg): void;
}

export interface CallModelOptions {
  sink?: CallSink;
  logger?: Logger;
  now?: () => Date;
  /** Decides a new call's direction from its first leg. */
  classify?: (first: Leg, accountCode: string | undefined) => Direction;
}

/** Q.850 38 "network out of order": what a call cut by a PBX restart ended with. */
export const CAUSE_PBX_RESTART = 38;

function defaultClassify(first: Leg, accountCode: string | undefined): Direction {
  // Originators tag calls through the channel's accountcode (set on Originate / trunk endpoint).
  if (accountCode === 'inbound' || accountCode === 'outbound') return accountCode;
  if (isTrunkContext(first.context)) return 'inbound';
  return 'internal';
}

/** A leg on a trunk: our generated trunk contexts (pbx-config), or the classic names. */
export function isTrunkContext(context: string | null): boolean {
  return !!context && /^(seatbox-trunk-in-|seatbox-from-trunk|from-trunk|from-pstn|inbound)/.test(context);
}

/** "PJSIP/8001-0000001a" → "PJSIP/8001"; "Local/100@ctx-0000;1" → "Local/100@ctx". */
export function endpointOf(channel: string): string {
  const m = /^(.*)-[0-9a-f]+(;\d)?$/.exec(channel);
  return m ? m[1]! : channel;
}

function blankToNull(v: string | undefined): string | null {
  if (v === undefined || v === '' || v === '<unknown>') return null;
  return v;
}

export class CallModel extends EventEmitter {
  private readonly calls = new Map<string, Call>();
  private readonly legs = new Map<string, Leg>();
  private readonly sink: CallSink | undefined;
  private readonly now: () => Date;
  private readonly classify: NonNullable<CallModelOptions['classify']>;
  private readonly log: Logger | undefined;

  constructor(opts: CallModelOptions = {}) {
    super();
    this.sink = opts.sink;
    this.now = opts.now ?? (() => new Date());
    this.classify = opts.classify ?? defaultClassify;
    this.log = opts.logger;
  }

  get channelCount(): number {
    return this.legs.size;
  }

  get callCount(): number {
    return this.calls.size;
  }

  liveCalls(): LiveCall[] {
    return [...this.calls.values()].map(toLiveCall);
  }

  getCall(linkedid: string): Call | undefined {
    return this.calls.get(linkedid);
  }

  /** Event time: the AMI Timestamp header when Asterisk sends it, else now. */
  private at(msg: AmiMessage): string {
    const ts = msg.get('Timestamp');
    if (ts) {
      const n = Number(ts);
      if (Number.isFinite(n)) return new Date(n * 1000).toISOString();
    }
    return this.now().toISOString();
  }

  handleEvent(msg: AmiMessage): void {
    switch (msg.event) {
      case 'Newchannel':
        this.onNewchannel(msg, this.at(msg));
        break;
      case 'Newstate':
        this.onNewstate(msg, this.at(msg));
        break;
      case 'NewCallerid':
      case 'NewConnectedLine':
        this.onCallerId(msg);
        break;
      case 'NewAccountCode':
        this.onAccountCode(msg);
        break;
      case 'Rename': {
        const leg = this.legs.get(msg.get('Uniqueid') ?? '');
        const name = msg.get('Newname');
        if (leg && name) {
          leg.channel = name;
          this.sink?.saveLeg(leg);
        }
        break;
      }
      case 'BridgeEnter':
        this.onBridgeEnter(msg, this.at(msg));
        break;
      case 'Hangup':
        this.onHangup(msg, this.at(msg));
        break;
      default:
        break;
    }
  }

  private legFromFields(msg: AmiMessage, at: string): Leg {
    const channel = msg.get('Channel') ?? '';
    const uniqueid = msg.get('Uniqueid') ?? '';
    return {
      uniqueid,
      linkedid: msg.get('Linkedid') || uniqueid,
      channel,
      endpoint: endpointOf(channel),
      callerNum: blankToNull(msg.get('CallerIDNum')),
      callerName: blankToNull(msg.get('CallerIDName')),
      connectedNum: blankToNull(msg.get('ConnectedLineNum')),
      context: blankToNull(msg.get('Context')),
      exten: blankToNull(msg.get('Exten')),
      state: msg.get('ChannelStateDesc') ?? 'Down',
      createdAt: at,
      ringingAt: null,
      answeredAt: null,
      bridgedAt: null,
      bridgeId: null,
      hungupAt: null,
      cause: null,
      causeTxt: null,
    };
  }

  private addLeg(leg: Leg, accountCode: string | undefined, callCreatedAt?: string): Call {
    let call = this.calls.get(leg.linkedid);
    if (!call) {
      call = {
        linkedid: leg.linkedid,
        direction: this.classify(leg, accountCode),
        state: 'ringing',
        from: leg.callerNum,
        to: leg.exten,
        createdAt: callCreatedAt ?? leg.createdAt,
        answeredAt: null,
        bridgedAt: null,
        endedAt: null,
        cause: null,
        causeTxt: null,
        endReason: null,
        legs: new Map(),
      };
      this.calls.set(call.linkedid, call);
      this.sink?.saveCall(call);
    }
    // A call that started on a seat becomes outbound once a trunk leg joins it (the dialled
    // trunk channel carries its endpoint's context, seatbox-trunk-in-<id>).
    if (call.direction === 'internal' && leg.uniqueid !== call.linkedid && isTrunkContext(leg.context)) {
      call.direction = 'outbound';
      this.sink?.saveCall(call);
    }
    call.legs.set(leg.uniqueid, leg);
    this.legs.set(leg.uniqueid, leg);
    this.sink?.saveLeg(leg);
    return call;
  }

  private onNewchannel(msg: AmiMessage, at: string): void {
    const leg = this.legFromFields(msg, at);
    if (!leg.uniqueid || this.legs.has(leg.uniqueid)) return;
    const call = this.addLeg(leg, msg.get('AccountCode'));
    this.applyState(leg, call, msg.get('ChannelState'), at);
    this.emitUpdate(call);
  }

  private applyState(leg: Leg, call: Call, stateNum: string | undefined, at: string): boolean {
    let changed = false;
    // ChannelState: 4 Ring (we are being rung), 5 Ringing (remote rings), 6 Up.
    if ((stateNum === '4' || stateNum === '5') && !leg.ringingAt) {
      leg.ringingAt = at;
      changed = true;
    }
    if (stateNum === '6' && !leg.answeredAt) {
      leg.answeredAt = at;
      changed = true;
      if (!call.answeredAt) {
        call.answeredAt = at;
        if (call.state === 'ringing') call.state = 'answered';
        this.sink?.saveCall(call);
      }
    }
    return changed;
  }

  private onNewstate(msg: AmiMessage, at: string): void {
    const leg = this.legs.get(msg.get('Uniqueid') ?? '');
    if (!leg) return;
    const call = this.calls.get(leg.linkedid);
    if (!call) return;
    leg.state = msg.get('ChannelStateDesc') ?? leg.state;
    const num = blankToNull(msg.get('CallerIDNum'));
    if (num) leg.callerNum = num;
    this.applyState(leg, call, msg.get('ChannelState'), at);
    this.sink?.saveLeg(leg);
    this.emitUpdate(call);
  }

  private onCallerId(msg: AmiMessage): void {
    const leg = this.legs.get(msg.get('Uniqueid') ?? '');
    if (!leg) return;
    leg.callerNum = blankToNull(msg.get('CallerIDNum')) ?? leg.callerNum;
    leg.callerName = blankToNull(msg.get('CallerIDName')) ?? leg.callerName;
    leg.connectedNum = blankToNull(msg.get('ConnectedLineNum')) ?? leg.connectedNum;
    this.sink?.saveLeg(leg);
    // The originating leg often learns its caller ID after it was created (Originate, Local).
    const call = this.calls.get(leg.linkedid);
    if (call && leg.uniqueid === call.linkedid && call.from === null && leg.callerNum) {
      call.from = leg.callerNum;
      this.sink?.saveCall(call);
      this.emitUpdate(call);
    }
  }

  private onAccountCode(msg: AmiMessage): void {
    // Originate sets the account code just after the channel exists: re-classify then.
    const leg = this.legs.get(msg.get('Uniqueid') ?? '');
    const call = leg && this.calls.get(leg.linkedid);
    if (!leg || !call || leg.uniqueid !== call.linkedid) return;
    const direction = this.classify(leg, msg.get('AccountCode'));
    if (direction !== call.direction) {
      call.direction = direction;
      this.sink?.saveCall(call);
      this.emitUpdate(call);
    }
  }

  private onBridgeEnter(msg: AmiMessage, at: string): void {
    const leg = this.legs.get(msg.get('Uniqueid') ?? '');
    if (!leg) return;
    const call = this.calls.get(leg.linkedid);
    if (!call) return;
    leg.bridgeId = msg.get('BridgeUniqueid') ?? leg.bridgeId;
    if (!leg.bridgedAt) leg.bridgedAt = at;
    this.sink?.saveLeg(leg);
    // A bridge with two or more channels means two parties are connected.
    if (Number(msg.get('BridgeNumChannels') ?? '0') >= 2 && !call.bridgedAt) {
      call.bridgedAt = at;
      call.state = 'bridged';
      if (!call.answeredAt) call.answeredAt = at;
      this.sink?.saveCall(call);
      this.emitUpdate(call);
    }
  }

  private onHangup(msg: AmiMessage, at: string): void {
    const leg = this.legs.get(msg.get('Uniqueid') ?? '');
    if (!leg) return;
    const cause = Number(msg.get('Cause'));
    this.closeLeg(leg, at, Number.isFinite(cause) ? cause : null, blankToNull(msg.get('Cause-txt')), 'hangup');
  }

  private closeLeg(leg: Leg, at: string, cause: number | null, causeTxt: string | null, reason: EndReason): void {
    leg.hungupAt = at;
    leg.state = 'Hungup';
    leg.cause = cause;
    leg.causeTxt = causeTxt;
    this.legs.delete(leg.uniqueid);
    this.sink?.saveLeg(leg);
    const call = this.calls.get(leg.linkedid);
    if (!call) return;
    // The call's cause is the originating leg's, or the first leg that hung up.
    if (call.cause === null || leg.uniqueid === call.linkedid) {
      call.cause = cause;
      call.causeTxt = causeTxt;
    }
    const open = [...call.legs.values()].some((l) => l.hungupAt === null);
    if (!open) {
      call.state = 'ended';
      call.endedAt = at;
      call.endReason = reason;
      this.calls.delete(call.linkedid);
      this.sink?.saveCall(call);
      this.emit('call.ended', toLiveCall(call));
    } else {
      this.sink?.saveCall(call);
      this.emitUpdate(call);
    }
  }

  private emitUpdate(call: Call): void {
    this.emit('call.updated', toLiveCall(call));
  }

  /**
   * Reconciles the model with Asterisk's own list of channels (CoreShowChannel events)
   * after every (re)connect: legs Asterisk no longer has are closed, channels we did not
   * know are adopted. `previouslyOpen` are legs the store still has open (e.g. from before
   * an agent restart) so they are closed too, never left dangling.
   */
  resync(live: AmiMessage[], opts: { pbxRestarted: boolean; previouslyOpen?: Leg[]; openCalls?: Omit<Call, 'legs'>[] }): { closed: number; adopted: number } {
    const at = this.now().toISOString();
    const liveIds = new Set(live.map((m) => m.get('Uniqueid') ?? ''));
    const reason: EndReason = opts.pbxRestarted ? 'pbx_restart' : 'missing_on_resync';
    const causeTxt = opts.pbxRestarted ? 'Asterisk restarted during the call' : 'Channel gone when the agent re-read Asterisk';
    let closed = 0;
    let adopted = 0;

    // Bring legs/calls the store knows about into memory so they close through one path.
    for (const c of opts.openCalls ?? []) {
      if (!this.calls.has(c.linkedid)) this.calls.set(c.linkedid, { ...c, legs: new Map() });
    }
    for (const leg of opts.previouslyOpen ?? []) {
      if (this.legs.has(leg.uniqueid)) continue;
      const call = this.calls.get(leg.linkedid);
      if (!call) continue;
      call.legs.set(leg.uniqueid, leg);
      this.legs.set(leg.uniqueid, leg);
    }
    for (const leg of [...this.legs.values()]) {
      if (!liveIds.has(leg.uniqueid)) {
        this.closeLeg(leg, at, CAUSE_PBX_RESTART, causeTxt, reason);
        closed++;
      }
    }
    // Calls with no open legs at all (e.g. only closed legs were stored) end too.
    for (const call of [...this.calls.values()]) {
      if (![...call.legs.values()].some((l) => l.hungupAt === null)) {
        call.state = 'ended';
        call.endedAt = at;
        call.endReason = reason;
        call.cause ??= CAUSE_PBX_RESTART;
        call.causeTxt ??= causeTxt;
        this.calls.delete(call.linkedid);
        this.sink?.saveCall(call);
        this.emit('call.ended', toLiveCall(call));
      }
    }
    for (const m of live) {
      const uniqueid = m.get('Uniqueid') ?? '';
      if (!uniqueid || this.legs.has(uniqueid)) continue;
      // CoreShowChannel carries Duration (seconds) — use it to date the adopted leg.
      const dur = Number(m.get('Duration') ?? '');
      const created = Number.isFinite(dur) ? new Date(this.now().getTime() - dur * 1000).toISOString() : at;
      const leg = this.legFromFields(m, created);
      const call = this.addLeg(leg, m.get('AccountCode'));
      this.applyState(leg, call, m.get('ChannelState'), created);
      if (m.get('BridgeId')) {
        leg.bridgeId = m.get('BridgeId')!;
        leg.bridgedAt = created;
      }
      this.sink?.saveLeg(leg);
      adopted++;
    }
    for (const call of this.calls.values()) {
      const bridged = [...call.legs.values()].filter((l) => l.bridgeId && l.hungupAt === null);
      if (bridged.length >= 2 && !call.bridgedAt) {
        call.bridgedAt = at;
        call.state = 'bridged';
        this.sink?.saveCall(call);
      }
      this.emitUpdate(call);
    }
    this.log?.info({ closed, adopted, live: live.length, pbxRestarted: opts.pbxRestarted }, 'call model resynced');
    return { closed, adopted };
  }
}

export function toLiveCall(call: Call): LiveCall {
  return {
    linkedid: call.linkedid,
    direction: call.direction,
    state: call.state,
    from: call.from,
    to: call.to,
    createdAt: call.createdAt,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    cause: call.cause,
    legs: [...call.legs.values()].map((l) => ({
      uniqueid: l.uniqueid,
      channel: l.channel,
      state: l.state,
      callerNum: l.callerNum,
      exten: l.exten,
    })),
  };
}
