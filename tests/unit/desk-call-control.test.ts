// How the desk finds the agent's and the customer's legs of a seat's call in CoreShowChannels:
// the demo's simulated phone (Local ;2 with SEATBOX_SEAT, the ;1 half bridged with the customer),
// a real phone bridged directly with the customer (Local pair optimised away), and a real phone
// still behind an un-optimised Local pair (follow the ;1 half's bridge). And the AMI actions of hold.
import { describe, expect, it } from 'vitest';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { CallControl, localPartner } from '../../firmware-agent/src/desk/call-control.js';

const ch = (channel: string, uid: string, bridge: string, seat = '') =>
  new AmiMessage(Object.entries({ Event: 'CoreShowChannel', Channel: channel, Uniqueid: uid, Linkedid: 'L', BridgeId: bridge, ChannelStateDesc: 'Up', ChanVariable: `SEATBOX_SEAT=${seat}` }));

function control(list: AmiMessage[]) {
  const actions: Array<[string, Record<string, string>]> = [];
  const ami = {
    listAction: async () => ({ response: new AmiMessage([['Response', 'Success']]), events: list }),
    action: async (a: string, h: Record<string, string>) => {
      actions.push([a, h]);
      return new AmiMessage([['Response', 'Success']]);
    },
  };
  return { cc: new CallControl(ami as never), actions };
}

describe('call legs', () => {
  it('pairs Local halves', () => {
    expect(localPartner('Local/8101@seatbox-dialer-seat-00000001;2')).toBe('Local/8101@seatbox-dialer-seat-00000001;1');
    expect(localPartner('PJSIP/8101-00000001')).toBeNull();
  });

  it('demo phone: the ;1 half in the bridge is the agent leg', async () => {
    const { cc, actions } = control([
      ch('Local/8101@seatbox-dialer-seat-0001;2', 'a2', '', '8101'),
      ch('Local/8101@seatbox-dialer-seat-0001;1', 'a1', 'B1'),
      ch('Local/171@seatbox-dialer-out-0002;1', 'c1', 'B1'),
      ch('Local/171@seatbox-dialer-out-0002;2', 'c2', 'B2'),
      ch('Local/171@seatbox-pstn-sim-0003;1', 'p1', 'B2'),
    ]);
    const legs = await cc.legs('8101');
    expect([legs.agent.channel, legs.customer?.channel]).toEqual(['Local/8101@seatbox-dialer-seat-0001;1', 'Local/171@seatbox-dialer-out-0002;1']);
    await cc.hold(legs);
    expect(actions).toEqual([
      ['Redirect', { Channel: 'Local/171@seatbox-dialer-out-0002;1', Context: 'seatbox-desk-hold', Exten: 's', Priority: '1', ExtraChannel: 'Local/8101@seatbox-dialer-seat-0001;1', ExtraContext: 'seatbox-desk-park', ExtraExten: 's', ExtraPriority: '1' }],
    ]);
  });

  it('real phone bridged with the customer directly', async () => {
    const { cc } = control([ch('PJSIP/8101-0001', 'a', 'B1', '8101'), ch('PJSIP/trunk1-0002', 'c', 'B1')]);
    const legs = await cc.legs('8101');
    expect([legs.agent.channel, legs.customer?.channel]).toEqual(['PJSIP/8101-0001', 'PJSIP/trunk1-0002']);
  });

  it('real phone behind an un-optimised Local pair: the ;1 half and its bridge partner', async () => {
    const { cc } = control([
      ch('PJSIP/8101-0001', 'a', 'B1', '8101'),
      ch('Local/8101@seatbox-dialer-seat-0001;2', 'l2', 'B1'),
      ch('Local/8101@seatbox-dialer-seat-0001;1', 'l1', 'B2'),
      ch('PJSIP/trunk1-0002', 'c', 'B2'),
    ]);
    const legs = await cc.legs('8101');
    expect([legs.agent.channel, legs.customer?.channel]).toEqual(['Local/8101@seatbox-dialer-seat-0001;1', 'PJSIP/trunk1-0002']);
  });

  it('no channel of the seat: a clear error', async () => {
    const { cc } = control([ch('PJSIP/8102-0001', 'a', 'B1', '8102')]);
    await expect(cc.legs('8101')).rejects.toMatchObject({ code: 'no_call' });
  });
});
