// Fax dialplan, rendered into extensions.conf ({{faxDialplan}}). Always present, so that
// inbound-route "fax" destinations, the hotline's CNG detection and dedicated fax lines have
// somewhere to go. Fax calls are never recorded (no seatbox-record Gosub here).
//
// Contracts with the fax module (AMI UserEvents):
//   SeatBoxFax      Phase (start|end), Uniqueid, CallerId, Did, Route (did|hotline|line|demo),
//                   Trunk, File; at end also Status, Error, Pages, Rate, Resolution, RemoteStation
//   SeatBoxFaxDial  Job, Attempt, Status (the trunk subroutine's SEATBOX_TRUNK_STATUS / DIALSTATUS), Cause
//   SeatBoxFaxOut   Phase (start|end), Job, Attempt; at end Status, Error, Pages, Rate, Resolution, RemoteStation
//
// Outbound: the agent originates Local/<number>@seatbox-fax-dial-<trunk>/n into
// seatbox-fax-send,s,1. The ;2 half dials through the trunk's generated subroutine (channel
// limit and caller ID apply, like any outbound call); when the far end answers the ;1 half runs
// SendFAX. /n keeps the Local pair in the media path (the fax audio must not be optimised away).
import type { PbxModel } from '../pbx-config/model.js';
import { trunkOutContext } from '../pbx-config/telephony-view.js';

export const FAX_CONTEXTS = {
  in: 'seatbox-fax-in',
  send: 'seatbox-fax-send',
  dialPrefix: 'seatbox-fax-dial-',
  /** Demo: the simulated remote fax machines on the simulated PSTN. */
  simMachine: 'seatbox-fax-sim-machine',
  /** Demo: a simulated remote fax machine that sends to the box. */
  simSender: 'seatbox-fax-sim-sender',
} as const;

/** Pseudo-trunk of the demo: faxes go to the simulated PSTN. */
export const SIM_TRUNK = 'pstn-sim';
export const faxDialContext = (trunk: string) => `${FAX_CONTEXTS.dialPrefix}${trunk}`;
/** Spool subdirectories (host: <instance>/spool/…, Asterisk: <paths.spool>/…). */
export const FAX_SPOOL = { in: 'fax-in', out: 'fax-out', sim: 'fax-sim', demo: 'fax-demo' } as const;
/** Demo numbers on the simulated PSTN: a fax machine that receives (one line: busy while in use). */
export const SIM_FAX_NUMBERS = ['02150001000', '02150001001'] as const;
export const FAX_EVENTS = { in: 'SeatBoxFax', dial: 'SeatBoxFaxDial', out: 'SeatBoxFaxOut' } as const;

const LINKEDID = 'Linkedid: ${CHANNEL(linkedid)}';
/** FAXOPT values in a UserEvent (its headers are comma-separated: keep commas out). */
const clean = (expr: string) => `\${FILTER(A-Za-z0-9 _.:/+-,${expr})}`;
const RESULT = [
  'Status: ${FAXOPT(status)}',
  `Error: ${clean('${FAXOPT(error)}')}`,
  'Pages: ${FAXOPT(pages)}',
  'Rate: ${FAXOPT(rate)}',
  'Resolution: ${FAXOPT(resolution)}',
  `RemoteStation: ${clean('${FAXOPT(remotestationid)}')}`,
].join(',');

function ctx(name: string, comment: string, extens: Array<[string, string[]]>): string {
  const lines = ['', `; ${comment}`, `[${name}]`];
  for (const [ext, apps] of extens) apps.forEach((a, i) => lines.push(i === 0 ? `exten => ${ext},1,${a}` : ` same => n${a.startsWith('(') ? '' : ','}${a}`));
  return lines.join('\n');
}

export function renderFaxDialplan(m: PbxModel): string {
  const spool = m.paths.spool;
  const station = m.fax?.stationId;
  const header = m.fax?.header;
  const ident = [...(station ? [`Set(FAXOPT(localstationid)=${station})`] : []), ...(header ? [`Set(FAXOPT(headerinfo)=${header})`] : [])];
  const out: string[] = ['', '; ---- Fax (generated; docs/fax.md). Fax calls are not recorded. ----'];
  const inFile = `${spool}/${FAX_SPOOL.in}/\${UNIQUEID}.tif`;
  const where = `CallerId: \${CALLERID(num)},Did: \${SEATBOX_DID},Route: \${SEATBOX_FAX_ROUTE},Trunk: \${SEATBOX_TRUNK},Uniqueid: \${UNIQUEID},File: ${inFile}`;
  out.push(
    ctx(FAX_CONTEXTS.in, 'Incoming fax: an inbound route "fax", the hotline\'s CNG detection or a fax line. ReceiveFAX to the spool; the agent makes the PDF.', [
      [
        's',
        [
          'NoOp(Incoming fax from ${CALLERID(num)})',
          'ExecIf($["${SEATBOX_FAX_ROUTE}" = "" & "${SEATBOX_HOTLINE}" != ""]?Set(SEATBOX_FAX_ROUTE=hotline))',
          'ExecIf($["${SEATBOX_FAX_ROUTE}" = "" & "${SEATBOX_DID}" != ""]?Set(SEATBOX_FAX_ROUTE=did))',
          'ExecIf($["${SEATBOX_FAX_ROUTE}" = ""]?Set(SEATBOX_FAX_ROUTE=line))',
          'Set(SEATBOX_FAX_IN=1)',
          // Fax calls are not recorded. The trunk entry records only while bridged (MixMonitor
          // "b") and a fax call is never bridged, so no file is written (a StopMixMonitor here
          // would write an empty one); marking the call keeps any later seatbox-record Gosub off.
          'Set(__SEATBOX_RECORDING=fax)',
          ...ident,
          `UserEvent(${FAX_EVENTS.in},Phase: start,${where},${LINKEDID})`,
          'Answer()',
          `ReceiveFAX(${inFile})`,
          'Hangup()',
        ],
      ],
      ['h', ['GotoIf($["${SEATBOX_FAX_IN}" != "1"]?done)', `UserEvent(${FAX_EVENTS.in},Phase: end,${where},${RESULT},${LINKEDID})`, '(done),NoOp()']],
    ]),
  );
  const tag = 'Job: ${SEATBOX_FAX_JOB},Attempt: ${SEATBOX_FAX_ATTEMPT}';
  out.push(
    ctx(FAX_CONTEXTS.send, 'Outgoing fax, answered side: SendFAX of the job\'s TIFF (SEATBOX_FAX_FILE set by the originate).', [
      ['s', [...ident, `UserEvent(${FAX_EVENTS.out},Phase: start,${tag})`, 'Set(SEATBOX_FAX_SENDING=1)', 'SendFAX(${SEATBOX_FAX_FILE})', 'Hangup()']],
      ['h', ['GotoIf($["${SEATBOX_FAX_SENDING}" != "1"]?done)', `UserEvent(${FAX_EVENTS.out},Phase: end,${tag},${RESULT})`, '(done),NoOp()']],
    ]),
  );
  const dialEnd = [`(done),UserEvent(${FAX_EVENTS.dial},${tag},Status: \${SEATBOX_TRUNK_STATUS},Cause: \${HANGUPCAUSE})`, 'ExecIf($["${SEATBOX_TRUNK_STATUS}" = "BUSY"]?Busy(1))', 'Hangup()'];
  const trunks = [...(m.trunks ?? [])].map((t) => t.id).sort();
  for (const id of trunks) {
    out.push(
      ctx(faxDialContext(id), `Outgoing fax through trunk ${id} (its subroutine: channel limit and caller ID apply).`, [
        ['_[+0-9*#]!', ['Set(SEATBOX_CID_NUM=${CALLERID(num)})', 'Set(SEATBOX_CID_NAME=${CALLERID(name)})', 'Set(SEATBOX_TRUNK_STATUS=CHANUNAVAIL)', `Gosub(${trunkOutContext(id)},s,1(\${EXTEN},0))`, ...dialEnd]],
      ]),
    );
  }
  if (m.demo.enabled) {
    out.push(
      ctx(faxDialContext(SIM_TRUNK), 'Demo: outgoing fax to the simulated PSTN.', [
        ['_[+0-9*#]!', ['Set(SEATBOX_TRUNK_STATUS=CHANUNAVAIL)', `Dial(Local/\${EXTEN}@${FAX_CONTEXTS.simMachine}/n,${m.demo.dialTimeoutSeconds})`, 'Set(SEATBOX_TRUNK_STATUS=${DIALSTATUS})', ...dialEnd]],
      ]),
    );
    // A fax machine with one line: busy while it receives. What it got stays in the sim spool.
    const simExt: Array<[string, string[]]> = SIM_FAX_NUMBERS.map((n) => [
      n,
      [
        `Set(GROUP(seatbox-fax-sim)=${n})`,
        `GotoIf($[\${GROUP_COUNT(${n}@seatbox-fax-sim)} > 1]?inuse)`,
        'Ringing()',
        'Wait(1)',
        'Answer()',
        'Set(FAXOPT(localstationid)=+86 21 5000 1000)',
        `ReceiveFAX(${spool}/${FAX_SPOOL.sim}/\${UNIQUEID}.tif)`,
        'Hangup()',
        '(inuse),Busy(3)',
        'Hangup(17)',
      ],
    ]);
    simExt.push(['_X.', ['Congestion(3)']]);
    out.push(ctx(FAX_CONTEXTS.simMachine, `Demo: simulated remote fax machines (${SIM_FAX_NUMBERS.join(', ')}); other numbers have no fax.`, simExt));
    // Originate Local/<did>@seatbox-from-trunk/n (or Local/s@seatbox-fax-in/n) into this context:
    // a remote machine sends SEATBOX_FAX_SIM_FILE (default: the demo document) to the box.
    out.push(
      ctx(FAX_CONTEXTS.simSender, 'Demo / tests / benchmark: a simulated remote fax machine that sends a document to the box.', [
        [
          's',
          [
            `ExecIf($["\${SEATBOX_FAX_SIM_FILE}" = ""]?Set(SEATBOX_FAX_SIM_FILE=${spool}/${FAX_SPOOL.demo}/demo.tif))`,
            'Set(FAXOPT(localstationid)=+86 21 5000 1000)',
            'Set(FAXOPT(headerinfo)=Simulated remote fax)',
            'SendFAX(${SEATBOX_FAX_SIM_FILE})',
            'Hangup()',
          ],
        ],
      ]),
    );
  }
  return out.join('\n') + '\n';
}
