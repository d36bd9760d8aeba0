// The agent desktop's dialplan block, rendered into extensions.conf ({{deskDialplan}}) and always
// present. The desk drives these contexts over AMI (desk/call-control.ts):
//
//   seatbox-desk-dial     click-to-dial: Originate rings the agent's seat (Local/<seat>@seatbox-dialer-seat:
//                         the seat's phone, or the demo's simulated phone) and, answered, runs here:
//                         the customer is dialled at SEATBOX_DESK_NUMBER@SEATBOX_DESK_CONTEXT.
//   seatbox-desk-hold     the customer waits with music on hold.
//   seatbox-desk-park     the agent's leg waits (silence) while the customer is held.
//   seatbox-desk-bridge   <uniqueid>: this channel is bridged with that channel (take back, transfer complete).
//   seatbox-desk-consult  the agent's leg dials a consultation target (attended transfer / conference).
//   seatbox-desk-join     <uniqueid>: this channel joins the bridge of that channel (three-party conference:
//                         Asterisk's basic bridge turns into a mixing bridge with the third party).
//   seatbox-desk-xfer     a blind-transferred customer dials the target.
//
// AMI UserEvent SeatBoxDesk: Op (answered|result|consult_answered|consult_end), Call (desk call id),
// Status (DIALSTATUS), Linkedid, Uniqueid.
import type { PbxModel } from '../pbx-config/model.js';

export const DESK_CONTEXTS = {
  dial: 'seatbox-desk-dial',
  hold: 'seatbox-desk-hold',
  park: 'seatbox-desk-park',
  bridge: 'seatbox-desk-bridge',
  consult: 'seatbox-desk-consult',
  join: 'seatbox-desk-join',
  xfer: 'seatbox-desk-xfer',
  answered: 'seatbox-desk-answered',
} as const;
export const DESK_EVENT = 'SeatBoxDesk';

/** Ring time for a click-to-dial / consultation / transfer target, seconds. */
export const DESK_RING_SECONDS = 40;

export function renderDeskDialplan(m: PbxModel): string {
  const ring = Math.min(DESK_RING_SECONDS, m.dialing?.trunkRingSeconds ?? DESK_RING_SECONDS);
  const C = DESK_CONTEXTS;
  const ev = (op: string, extra = '') => `UserEvent(${DESK_EVENT},Op: ${op},Call: \${SEATBOX_DESK_CALL},Linkedid: \${CHANNEL(linkedid)},Uniqueid: \${UNIQUEID}${extra})`;
  return `
; ==== Agent desktop (docs/agent-desktop.md): click-to-dial, hold, transfer, conference ====
; Click-to-dial: the agent's seat answered the Originate; now the customer (SEATBOX_DESK_NUMBER @ SEATBOX_DESK_CONTEXT).
[${C.dial}]
exten => s,1,NoOp(Desk call \${SEATBOX_DESK_CALL} to \${SEATBOX_DESK_NUMBER}@\${SEATBOX_DESK_CONTEXT})
 same => n,ExecIf($["\${SEATBOX_DESK_CID}" != ""]?Set(CALLERID(num)=\${SEATBOX_DESK_CID}))
 same => n,Gosub(seatbox-record,s,1(b))
 same => n,Dial(Local/\${SEATBOX_DESK_NUMBER}@\${SEATBOX_DESK_CONTEXT},${ring},U(${C.answered}^answered))
 same => n,${ev('result', ',Status: ${DIALSTATUS}')}
 same => n,Hangup()

; Runs on the called party when it answers (Dial U()).
[${C.answered}]
exten => s,1,${ev('${ARG1}')}
 same => n,Return()

; The held customer hears music on hold until the agent takes the call back.
[${C.hold}]
exten => s,1,MusicOnHold(default)
 same => n,Hangup()

; The agent's leg while the customer is held (or after a consultation ended).
[${C.park}]
exten => s,1,Wait(7200)
 same => n,Hangup()

; Bridge this channel with the channel whose uniqueid is the extension.
[${C.bridge}]
exten => _X.,1,Bridge(\${EXTEN})
 same => n,Hangup()

; The agent's consultation call (attended transfer, or before a conference).
[${C.consult}]
exten => s,1,Dial(Local/\${SEATBOX_DESK_NUMBER}@\${SEATBOX_DESK_CONTEXT},${ring},U(${C.answered}^consult_answered))
 same => n,${ev('consult_end', ',Status: ${DIALSTATUS}')}
 same => n,Goto(${C.park},s,1)

; Join the bridge of the channel whose uniqueid is the extension (three-party conference).
[${C.join}]
exten => _X.,1,BridgeAdd(\${EXTEN})
 same => n,Hangup()

; A blind-transferred customer calls the target.
[${C.xfer}]
exten => s,1,Dial(Local/\${SEATBOX_DESK_NUMBER}@\${SEATBOX_DESK_CONTEXT},${ring})
 same => n,Hangup()
`;
}
