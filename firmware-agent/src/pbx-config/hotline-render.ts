// Dialplan of the inbound hotline (IVR menus, business hours, concurrency limit, fax
// detection, hotline queues with overflow / callback / voicemail, satisfaction survey,
// supervisor monitoring). Rendered as plain text and inserted into extensions.conf by the
// template ({{hotlineDialplan}}). The model is validated before this runs (render.ts), so
// every value here matches its schema pattern (no commas, parentheses or newlines).
//
// Contracts with the rest of the agent (AMI UserEvents, all with Linkedid = CHANNEL(linkedid)):
//   SeatBoxHotline   Hotline, Did, CallerId, Linkedid         a call entered a hotline
//   SeatBoxHotlineBusy Hotline, CallerId, Limit                refused: over maxConcurrent
//   SeatBoxClosed    Hotline, CallerId, Linkedid              outside business hours
//   SeatBoxFax       see fax/dialplan.ts (seatbox-fax-in is rendered there)
//   SeatBoxOverflow  Queue, Reason (QUEUESTATUS), Seats, Linkedid
//   SeatBoxCallback  Number, CallerId, Queue, Hotline, Linkedid
//   SeatBoxVoicemail File, CallerId, Queue, Hotline, Linkedid  (File as Asterisk sees it)
//   SeatBoxSurvey    Score (1-5), Queue, Agent, Linkedid        only for a valid digit
//   SeatBoxMonitor   Phase (start|end), Mode (listen|whisper|barge), SpySeat, TargetSeat

import {
  DEFAULT_HOTLINE_MAX_CONCURRENT,
  type PbxBusinessHours,
  type PbxHotlineDestination,
  type PbxIvr,
  type PbxModel,
  type PbxQueue,
} from './model.js';

export const HOTLINE_CONTEXTS = {
  /** Gosub: returns 1 when open now (GOSUB_RETVAL), else 0. */
  hours: 'seatbox-hours',
  queue: 'seatbox-hotline-queue',
  callback: 'seatbox-hotline-callback',
  voicemail: 'seatbox-hotline-voicemail',
  survey: 'seatbox-survey',
  /** Fax calls (CNG detected or a fax destination); rendered by fax/dialplan.ts. */
  fax: 'seatbox-fax-in',
  /** Supervisor monitoring: Originate Local/<mode>-<target seat>@seatbox-monitor from the supervisor's seat. */
  monitor: 'seatbox-monitor',
} as const;

export const hotlineContext = (id: string) => `seatbox-hotline-${id}`;
export const ivrMenuContext = (ivr: string, menu: string) => `seatbox-ivr-${ivr}-${menu}`;

/** Default prompt after a wrong key (stock sound). */
export const DEFAULT_INVALID_PROMPT = 'pbx-invalid';
/** Test-clock SIP header (only with businessHours.testClock). */
export const TEST_CLOCK_HEADER = 'X-SeatBox-Now';
/** Voicemail recordings: <paths.spool>/hotline-voicemail/<uniqueid>.wav */
export const VOICEMAIL_SUBDIR = 'hotline-voicemail';
/** Fax spool: <paths.spool>/fax-in/<uniqueid>.tif */
export const FAX_SUBDIR = 'fax-in';

const LINKEDID = 'Linkedid: ${CHANNEL(linkedid)}';

class Ctx {
  readonly lines: string[] = [];
  constructor(name: string, comment?: string) {
    this.lines.push('');
    if (comment) this.lines.push(`; ${comment}`);
    this.lines.push(`[${name}]`);
  }
  exten(ext: string, apps: string[]): this {
    apps.forEach((a, i) => this.lines.push(i === 0 ? `exten => ${ext},1,${a}` : ` same => n${a.startsWith('(') ? '' : ','}${a}`));
    return this;
  }
  text() {
    return this.lines.join('\n');
  }
}

/** One dialplan application that sends the caller to destination d (ivr for menu targets). */
export function destinationApp(d: PbxHotlineDestination, ivr?: string): string {
  switch (d.kind) {
    case 'menu':
      return `Goto(${ivrMenuContext(ivr!, d.target!)},s,1)`;
    case 'queue':
      return `Goto(${HOTLINE_CONTEXTS.queue},${d.target},1)`;
    case 'seat':
      return `Goto(seatbox-seats,${d.target},1)`;
    case 'hangup':
      return 'Hangup()';
    case 'voicemail':
      return `Goto(${HOTLINE_CONTEXTS.voicemail},s,1)`;
    case 'callback':
      return `Goto(${HOTLINE_CONTEXTS.callback},${d.target},1)`;
    case 'fax':
      return `Goto(${HOTLINE_CONTEXTS.fax},s,1)`;
  }
}

const hhmm = (t: string) => Number(t.replace(':', ''));
const inRange = (open: string, close: string) => `\${hm} >= ${hhmm(open)} & \${hm} < ${hhmm(close)}`;

function hoursContext(bh: PbxBusinessHours): string {
  const c = new Ctx(HOTLINE_CONTEXTS.hours, `Business hours (${bh.timeZone}): Gosub; GOSUB_RETVAL 1 = open.${bh.testClock ? ' TEST CLOCK: SEATBOX_NOW (epoch) is honoured.' : ''}`);
  const apps = ['Set(LOCAL(now)=${EPOCH})'];
  if (bh.testClock) apps.push('ExecIf($["${SEATBOX_NOW}" != ""]?Set(LOCAL(now)=${SEATBOX_NOW}))');
  apps.push(
    `Set(LOCAL(date)=\${STRFTIME(\${now},${bh.timeZone},%Y-%m-%d)})`,
    `Set(LOCAL(dow)=\${STRFTIME(\${now},${bh.timeZone},%u)})`,
    // %H%M as a number: 0930 -> 930
    `Set(LOCAL(hm)=$[\${STRFTIME(\${now},${bh.timeZone},%H%M)} + 0])`,
  );
  for (const d of [...bh.holidays].sort()) apps.push(`GotoIf($["\${date}" = "${d}"]?closed)`);
  for (const d of [...bh.makeupWorkdays].sort()) apps.push(`GotoIf($["\${date}" = "${d}"]?makeup)`);
  for (const r of bh.weekly) {
    const days = [...new Set(r.days)].sort().map((d) => `\${dow} = ${d}`).join(' | ');
    apps.push(`ExecIf($[(${days}) & ${inRange(r.open, r.close)}]?Return(1))`);
  }
  apps.push('(closed),Return(0)');
  apps.push(`(makeup),ExecIf($[${inRange(bh.makeupHours.open, bh.makeupHours.close)}]?Return(1))`);
  apps.push('Return(0)');
  return c.exten('s', apps).text();
}

function ivrContexts(ivr: PbxIvr): string[] {
  return ivr.menus.map((mn) => {
    const c = new Ctx(ivrMenuContext(ivr.id, mn.id), `IVR ${ivr.id}, menu ${mn.id}`);
    c.exten('s', [
      'Set(SEATBOX_IVR_TRIES=0)',
      `Set(__SEATBOX_IVR_MENU=${ivr.id}/${mn.id})`,
      `Set(TIMEOUT(digit)=3)`,
      `(prompt),Background(${mn.prompt})`,
      `WaitExten(${mn.timeoutSeconds})`,
    ]);
    for (const o of [...mn.options].sort((a, b) => (a.digit < b.digit ? -1 : 1))) c.exten(o.digit, [destinationApp(o.destination, ivr.id)]);
    const retry = (prompt: string | undefined) => [
      'Set(SEATBOX_IVR_TRIES=$[${SEATBOX_IVR_TRIES} + 1])',
      ...(prompt ? [`Playback(${prompt})`] : []),
      `GotoIf($[\${SEATBOX_IVR_TRIES} > ${mn.maxRetries}]?fallback,1)`,
      'Goto(s,prompt)',
    ];
    c.exten('i', retry(mn.invalidPrompt ?? DEFAULT_INVALID_PROMPT));
    c.exten('t', retry(mn.timeoutPrompt));
    c.exten('fallback', [destinationApp(mn.fallback, ivr.id)]);
    c.exten('fax', [`Goto(${HOTLINE_CONTEXTS.fax},s,1)`]);
    return c.text();
  });
}

function queueExtension(c: Ctx, q: PbxQueue, surveyOn: boolean): void {
  const o = q.overflow;
  const timeout = o?.afterSeconds ?? q.maxWaitSeconds;
  const survey = surveyOn && q.survey === true;
  // t: the agent may transfer (features.conf ## / *2); c: the caller continues after the agent hangs up (survey).
  const opts = `tI${survey ? 'c' : ''}`;
  const apps = [
    `Set(__SEATBOX_QUEUE=${q.name})`,
    'Set(MEMBERINTERFACE=)',
    `Queue(${q.name},${opts},,,${timeout ?? ''})`,
    'GotoIf($["${MEMBERINTERFACE}" != ""]?answered)',
  ];
  if (o) {
    const seats = o.seats.map((s) => `PJSIP/${s}`).join('&');
    apps.push(`UserEvent(SeatBoxOverflow,Queue: ${q.name},Reason: \${QUEUESTATUS},Seats: ${o.seats.join(' ')},${LINKEDID})`);
    if (seats) {
      apps.push(`Dial(${seats},${o.thenAfterSeconds},tI${survey ? 'g' : ''})`);
      apps.push('GotoIf($["${DIALSTATUS}" = "ANSWER"]?answered)');
    }
    if (o.final === 'voicemail') apps.push(destinationApp({ kind: 'voicemail' }));
    else if (o.final === 'callback') apps.push(destinationApp({ kind: 'callback', target: q.name }));
    else apps.push('Hangup()');
  } else apps.push('Hangup()');
  apps.push(survey ? `(answered),Goto(${HOTLINE_CONTEXTS.survey},s,1)` : '(answered),Hangup()');
  c.exten(q.name, apps);
}

function surveyContext(m: PbxModel): string {
  const s = m.survey!;
  const c = new Ctx(HOTLINE_CONTEXTS.survey, 'Satisfaction survey after the agent hung up: one digit 1-5; anything else = no score');
  const apps = [
    'GotoIf($["${CHANNEL(state)}" != "Up"]?end)',
    `Read(SEATBOX_SCORE,${s.prompt},1,,1,${s.timeoutSeconds})`,
    'GotoIf($["${SEATBOX_SCORE}" = ""]?end)',
    'GotoIf($[${SEATBOX_SCORE} < 1 | ${SEATBOX_SCORE} > 5]?end)',
    `UserEvent(SeatBoxSurvey,Score: \${SEATBOX_SCORE},Queue: \${SEATBOX_QUEUE},Agent: \${MEMBERNAME},${LINKEDID})`,
  ];
  if (s.thanksPrompt) apps.push(`Playback(${s.thanksPrompt})`);
  apps.push('(end),Hangup()');
  return c.exten('s', apps).text();
}

function monitorContext(m: PbxModel): string {
  const mon = m.monitoring!;
  const c = new Ctx(
    HOTLINE_CONTEXTS.monitor,
    'Supervisor monitoring: Originate Channel=PJSIP/<supervisor seat> Context=seatbox-monitor Exten=<listen|whisper|barge>-<target seat>. Only monitoring.supervisorSeats.',
  );
  const allowed = mon.supervisorSeats.length ? mon.supervisorSeats.map((s) => `"\${SEATBOX_MON_SPY}" = "${s}"`).join(' | ') : '0';
  const modes: Array<[string, string]> = [
    ['listen', 'qE'],
    ['whisper', 'qEw'],
    ['barge', 'qEB'],
  ];
  // Explicit extensions (no patterns: letters such as "n" in "listen" are pattern classes).
  const seats = [...new Set([...m.endpoints.map((e) => e.id), ...(m.fxsSeats ?? []).map((f) => f.extension)])].sort();
  for (const [mode, opts] of modes) {
    for (const seat of seats) c.exten(`${mode}-${seat}`, [`Set(SEATBOX_MON_TARGET=${seat})`, `Goto(${mode},1)`]);
    c.exten(mode, [
      'Set(SEATBOX_MON_SPY=${CHANNEL(name)})',
      'Set(SEATBOX_MON_SPY=${CUT(SEATBOX_MON_SPY,/,2)})',
      'Set(SEATBOX_MON_SPY=${CUT(SEATBOX_MON_SPY,-,1)})',
      `GotoIf($[${allowed}]?ok)`,
      'Hangup(21)',
      `(ok),Set(SEATBOX_MON_MODE=${mode})`,
      `UserEvent(SeatBoxMonitor,Phase: start,Mode: ${mode},SpySeat: \${SEATBOX_MON_SPY},TargetSeat: \${SEATBOX_MON_TARGET},${LINKEDID})`,
      `ChanSpy(PJSIP/\${SEATBOX_MON_TARGET}-,${opts})`,
      'Hangup()',
    ]);
  }
  c.exten('h', [
    'GotoIf($["${SEATBOX_MON_MODE}" = ""]?done)',
    `UserEvent(SeatBoxMonitor,Phase: end,Mode: \${SEATBOX_MON_MODE},SpySeat: \${SEATBOX_MON_SPY},TargetSeat: \${SEATBOX_MON_TARGET},${LINKEDID})`,
    '(done),NoOp()',
  ]);
  return c.text();
}

/** The whole hotline dialplan ('' when the model has no hotline parts). */
export function renderHotlineDialplan(m: PbxModel): string {
  const out: string[] = [];
  const hotlines = m.hotlines ?? [];
  const bh = m.businessHours;
  const queueByName = new Map(m.queues.map((q) => [q.name, q] as const));
  const usedQueues = new Set<string>();
  const wantsCallback = new Set<string>();
  let wantsVoicemail = false;
  const collect = (d: PbxHotlineDestination) => {
    if (d.kind === 'queue') usedQueues.add(d.target!);
    if (d.kind === 'callback') wantsCallback.add(d.target!);
    if (d.kind === 'voicemail') wantsVoicemail = true;
  };
  for (const ivr of m.ivrs ?? []) for (const mn of ivr.menus) [...mn.options.map((o) => o.destination), mn.fallback].forEach(collect);
  if (bh) collect(bh.closedDestination);
  for (const q of m.queues) {
    if (q.overflow || q.maxWaitSeconds !== undefined || q.survey) usedQueues.add(q.name);
    if (q.overflow?.final === 'callback') wantsCallback.add(q.name);
    if (q.overflow?.final === 'voicemail') wantsVoicemail = true;
  }
  if (!hotlines.length && !(m.ivrs ?? []).length && !usedQueues.size && !m.monitoring?.enabled) return '';

  out.push('', '; ---- Inbound hotline (generated from hotlines, ivrs, businessHours, queues, survey, monitoring) ----');
  for (const h of hotlines) {
    const c = new Ctx(hotlineContext(h.id), `Hotline ${h.id}: ${h.dids.join(', ')}`);
    const limit = h.maxConcurrent ?? DEFAULT_HOTLINE_MAX_CONCURRENT;
    const apps = [
      `Set(GROUP(seatbox-hotline)=${h.id})`,
      `GotoIf($[\${GROUP_COUNT(${h.id}@seatbox-hotline)} > ${limit}]?busy,1)`,
      `Set(__SEATBOX_HOTLINE=${h.id})`,
      `UserEvent(SeatBoxHotline,Hotline: ${h.id},Did: \${SEATBOX_DID},CallerId: \${CALLERID(num)},${LINKEDID})`,
      'Answer()',
    ];
    if (h.faxDetect) apps.push('Set(FAXOPT(faxdetect)=cng,10)');
    if (h.useBusinessHours && bh) {
      if (bh.testClock) apps.push(`ExecIf($["\${CHANNEL(channeltype)}" = "PJSIP"]?Set(SEATBOX_NOW=\${PJSIP_HEADER(read,${TEST_CLOCK_HEADER})}))`);
      apps.push(`Gosub(${HOTLINE_CONTEXTS.hours},s,1)`, 'GotoIf($[${GOSUB_RETVAL} = 1]?open)');
      if (bh.closedPrompt) apps.push(`Playback(${bh.closedPrompt})`);
      apps.push(`UserEvent(SeatBoxClosed,Hotline: ${h.id},CallerId: \${CALLERID(num)},${LINKEDID})`);
      apps.push(destinationApp(bh.closedDestination));
    }
    const ivr = (m.ivrs ?? []).find((i) => i.id === h.ivr)!;
    apps.push(`(open),Goto(${ivrMenuContext(ivr.id, ivr.entryMenu)},s,1)`);
    c.exten('s', apps);
    c.exten('busy', [
      `UserEvent(SeatBoxHotlineBusy,Hotline: ${h.id},CallerId: \${CALLERID(num)},Limit: ${limit})`,
      ...(h.busyPrompt ? ['Answer()', `Playback(${h.busyPrompt})`, 'Hangup(17)'] : ['Busy(5)', 'Hangup(17)']),
    ]);
    c.exten('fax', [`Goto(${HOTLINE_CONTEXTS.fax},s,1)`]);
    out.push(c.text());
  }
  for (const ivr of m.ivrs ?? []) out.push(...ivrContexts(ivr));
  if (bh) out.push(hoursContext(bh));

  const surveyOn = m.survey?.enabled === true;
  if (usedQueues.size) {
    const c = new Ctx(HOTLINE_CONTEXTS.queue, 'Hotline queues: Queue() with max wait, then overflow seats (ringall), then voicemail / callback');
    for (const name of [...usedQueues].sort()) queueExtension(c, queueByName.get(name)!, surveyOn);
    out.push(c.text());
  }
  if (wantsCallback.size) {
    const h0 = hotlines[0];
    const c = new Ctx(HOTLINE_CONTEXTS.callback, 'Callback request: caller keys a number and # (just # = the caller ID); the agent stores it');
    for (const q of [...wantsCallback].sort()) {
      c.exten(q, [
        'Answer()',
        ...(h0?.callbackPrompt ? [`Playback(${h0.callbackPrompt})`] : []),
        'Read(SEATBOX_CB,beep,20,,1,8)',
        'Set(SEATBOX_CB=${IF($["${SEATBOX_CB}" = ""]?${CALLERID(num)}:${SEATBOX_CB})})',
        `UserEvent(SeatBoxCallback,Number: \${SEATBOX_CB},CallerId: \${CALLERID(num)},Queue: ${q},Hotline: \${SEATBOX_HOTLINE},${LINKEDID})`,
        'Playback(auth-thankyou)',
        'Hangup()',
      ]);
    }
    out.push(c.text());
  }
  if (wantsVoicemail) {
    const h0 = hotlines[0];
    const file = `${m.paths.spool}/${VOICEMAIL_SUBDIR}/\${UNIQUEID}.wav`;
    const c = new Ctx(HOTLINE_CONTEXTS.voicemail, 'Hotline voicemail: a recording in the spool; the agent stores it (SeatBoxVoicemail)');
    c.exten('s', [
      'Answer()',
      ...(h0?.voicemailPrompt ? [`Playback(${h0.voicemailPrompt})`] : ['Playback(vm-intro)']),
      `UserEvent(SeatBoxVoicemail,File: ${file},CallerId: \${CALLERID(num)},Queue: \${SEATBOX_QUEUE},Hotline: \${SEATBOX_HOTLINE},${LINKEDID})`,
      `Record(${file},3,120,k)`,
      'Hangup()',
    ]);
    out.push(c.text());
  }
  if (surveyOn) out.push(surveyContext(m));
  if (m.monitoring?.enabled) out.push(monitorContext(m));

  // seatbox-fax-in itself is rendered by fax/dialplan.ts (always present).
  return out.join('\n') + '\n';
}

/** DIDs routed to hotlines, for the seatbox-from-trunk context. */
export function hotlineDids(m: PbxModel): Array<{ did: string; context: string }> {
  return (m.hotlines ?? []).flatMap((h) => h.dids.map((did) => ({ did, context: hotlineContext(h.id) }))).sort((a, b) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0));
}
