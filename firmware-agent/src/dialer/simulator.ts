// Discrete-event simulation of one campaign: agents, calls, ring / no-answer / talk / wrap times.
// Policies decide once a simulated second (like the product's tick); the call stream is drawn per
// dial index from one seeded generator, so the k-th call of every policy has the same fate.
import { exponential, lognormal, mulberry32, uniform } from './rng.js';
import type { Scenario } from './scenario.js';
import type { AgentView, CampaignSnapshot } from './pacing.js';

export interface SimView {
  now: number;
  snapshot: CampaignSnapshot;
  /** Calls connected to agents right now. */
  connected: number;
}

export interface Policy {
  readonly name: string;
  decide(view: SimView): number;
  onDial?(now: number): void;
  onLiveAnswer?(now: number, ringSeconds: number, dropped: boolean): void;
  onNoLiveAnswer?(now: number, ringSeconds: number): void;
  onTalkEnd?(now: number, talkSeconds: number): void;
  onWrapEnd?(now: number, wrapSeconds: number): void;
}

export interface SimResult {
  policy: string;
  talkOccupancy: number;
  dropRate: number;
  worstWindowDropRate: number;
  dials: number;
  liveAnswers: number;
  drops: number;
}

interface CallFate {
  answers: boolean;
  ring: number;
  noAnswer: number;
  talk: number;
}

/** The call stream: fate of the k-th dial, identical for every policy with the same seed. */
export class CallStream {
  private readonly rand: () => number;
  private readonly fates: CallFate[] = [];
  constructor(private readonly sc: Scenario) {
    this.rand = mulberry32(sc.seed);
  }
  get(k: number): CallFate {
    while (this.fates.length <= k) {
      const r = this.rand;
      const sc = this.sc;
      const answers = r() < sc.answerProbability;
      const ring = uniform(r, sc.ringSeconds.min, sc.ringSeconds.max);
      const noAnswer = uniform(r, sc.noAnswerSeconds.min, sc.noAnswerSeconds.max);
      const ts = sc.talkSeconds;
      const talk =
        ts.distribution === 'exponential'
          ? exponential(r, ts.mean)
          : ts.distribution === 'uniform'
            ? uniform(r, ts.min ?? ts.mean, ts.max ?? ts.mean)
            : lognormal(r, ts.mean, ts.sigma ?? 1);
      this.fates.push({ answers, ring, noAnswer, talk: Math.max(1, talk) });
    }
    return this.fates[k]!;
  }
}

const enum Ev {
  Resolve = 0,
  GraceEnd = 1,
  TalkEnd = 2,
  WrapEnd = 3,
}

interface SimCall {
  dialedAt: number;
  fate: CallFate;
  state: 'ringing' | 'waiting' | 'connected' | 'done';
  ringIndex: number;
}

/** Binary min-heap on time (ties keep insertion order irrelevant). */
class EventHeap {
  private t: number[] = [];
  private k: number[] = [];
  private ref: unknown[] = [];
  get size(): number {
    return this.t.length;
  }
  peekTime(): number {
    return this.t.length ? this.t[0]! : Infinity;
  }
  push(time: number, kind: number, ref: unknown): void {
    const t = this.t;
    let i = t.length;
    t.push(time);
    this.k.push(kind);
    this.ref.push(ref);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { time: number; kind: number; ref: unknown } {
    const out = { time: this.t[0]!, kind: this.k[0]!, ref: this.ref[0] };
    const lt = this.t.pop()!;
    const lk = this.k.pop()!;
    const lr = this.ref.pop();
    const n = this.t.length;
    if (n > 0) {
      this.t[0] = lt;
      this.k[0] = lk;
      this.ref[0] = lr;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.t[l]! < this.t[m]!) m = l;
        if (r < n && this.t[r]! < this.t[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return out;
  }
  private swap(a: number, b: number): void {
    [this.t[a], this.t[b]] = [this.t[b]!, this.t[a]!];
    [this.k[a], this.k[b]] = [this.k[b]!, this.k[a]!];
    [this.ref[a], this.ref[b]] = [this.ref[b], this.ref[a]];
  }
}

interface SimAgent extends AgentView {
  index: number;
}

export function simulate(sc: Scenario, policy: Policy, stream = new CallStream(sc)): SimResult {
  const end = sc.hours * 3600;
  const heap = new EventHeap();
  const agents: SimAgent[] = Array.from({ length: sc.agents }, (_, index) => ({ index, phase: 'ready', since: 0 }));
  const ringing: SimCall[] = [];
  const waiting: SimCall[] = [];
  let connected = 0;
  let dials = 0;
  let liveAnswers = 0;
  let drops = 0;
  let talkTotal = 0;
  const minuteAnswers = new Map<number, [number, number]>();
  const recordAnswer = (t: number, dropped: boolean) => {
    liveAnswers++;
    if (dropped) drops++;
    const m = Math.floor(t / 60);
    const b = minuteAnswers.get(m);
    if (b) {
      b[0]++;
      if (dropped) b[1]++;
    } else minuteAnswers.set(m, [1, dropped ? 1 : 0]);
  };
  const removeRinging = (c: SimCall) => {
    const last = ringing.pop()!;
    if (last !== c) {
      ringing[c.ringIndex] = last;
      last.ringIndex = c.ringIndex;
    }
  };
  const connect = (agent: SimAgent, call: SimCall, t: number) => {
    call.state = 'connected';
    connected++;
    agent.phase = 'talking';
    agent.since = t;
    const talk = call.fate.talk;
    talkTotal += Math.min(talk, Math.max(0, end - t));
    heap.push(t + talk, Ev.TalkEnd, agent);
    policy.onLiveAnswer?.(t, call.fate.ring, false);
  };
  const agentFree = (agent: SimAgent, t: number) => {
    agent.phase = 'ready';
    agent.since = t;
    while (waiting.length > 0) {
      const c = waiting.shift()!;
      if (c.state !== 'waiting') continue;
      connect(agent, c, t);
      return;
    }
  };
  const freeAgent = (): SimAgent | undefined => {
    // The longest-idle ready agent takes the call (as a queue would).
    let best: SimAgent | undefined;
    for (const a of agents) if (a.phase === 'ready' && (!best || a.since < best.since)) best = a;
    return best;
  };

  const handle = (time: number, kind: number, ref: unknown) => {
    if (kind === Ev.Resolve) {
      const c = ref as SimCall;
      removeRinging(c);
      if (!c.fate.answers) {
        c.state = 'done';
        policy.onNoLiveAnswer?.(time, c.fate.noAnswer);
        return;
      }
      const a = freeAgent();
      if (a) {
        connect(a, c, time);
        recordAnswer(time, false);
      } else {
        c.state = 'waiting';
        waiting.push(c);
        heap.push(time + sc.connectGraceSeconds, Ev.GraceEnd, c);
      }
    } else if (kind === Ev.GraceEnd) {
      const c = ref as SimCall;
      if (c.state === 'waiting') {
        c.state = 'done';
        const i = waiting.indexOf(c);
        if (i >= 0) waiting.splice(i, 1);
        recordAnswer(time, true);
        policy.onLiveAnswer?.(time, c.fate.ring, true);
      } else if (c.state === 'connected') {
        // Connected inside the grace: count the live answer now that it is settled.
        recordAnswer(time, false);
      }
    } else if (kind === Ev.TalkEnd) {
      const a = ref as SimAgent;
      connected--;
      const talk = time - a.since;
      policy.onTalkEnd?.(time, talk);
      if (sc.wrapSeconds > 0) {
        a.phase = 'wrap';
        a.since = time;
        heap.push(time + sc.wrapSeconds, Ev.WrapEnd, a);
      } else agentFree(a, time);
    } else {
      const a = ref as SimAgent;
      policy.onWrapEnd?.(time, time - a.since);
      agentFree(a, time);
    }
  };

  for (let t = 0; t < end; t++) {
    while (heap.peekTime() <= t) {
      const e = heap.pop();
      handle(e.time, e.kind, e.ref);
    }
    const used = ringing.length + waiting.length + connected;
    const snapshot: CampaignSnapshot = {
      now: t,
      agents,
      ringing: ringing.map((c) => c.dialedAt),
      waiting: waiting.length,
      trunksFree: sc.trunks === undefined ? null : Math.max(0, sc.trunks - used),
    };
    let n = policy.decide({ now: t, snapshot, connected });
    if (sc.trunks !== undefined) n = Math.min(n, Math.max(0, sc.trunks - used));
    for (let i = 0; i < n; i++) {
      const fate = stream.get(dials);
      dials++;
      policy.onDial?.(t);
      const c: SimCall = { dialedAt: t, fate, state: 'ringing', ringIndex: ringing.length };
      ringing.push(c);
      heap.push(t + (fate.answers ? fate.ring : fate.noAnswer), Ev.Resolve, c);
    }
  }
  // Settle answered calls still inside their grace at the end (they count as what they became).
  while (heap.size > 0 && heap.peekTime() <= end + sc.connectGraceSeconds) {
    const e = heap.pop();
    if (e.kind === Ev.GraceEnd) handle(e.time, e.kind, e.ref);
  }

  return {
    policy: policy.name,
    talkOccupancy: talkTotal / (sc.agents * end),
    dropRate: liveAnswers === 0 ? 0 : drops / liveAnswers,
    worstWindowDropRate: worstWindow(minuteAnswers, end),
    dials,
    liveAnswers,
    drops,
  };
}

/** Worst drop rate over rolling 24-hour windows (the whole run when it is shorter). */
export function worstWindow(minutes: Map<number, [number, number]>, endSeconds: number): number {
  const total = Math.ceil(endSeconds / 60) + 1;
  const span = 24 * 60;
  const answers = new Float64Array(total + 1);
  const dropsArr = new Float64Array(total + 1);
  for (const [m, [a, d]] of minutes) {
    if (m < total) {
      answers[m] = a;
      dropsArr[m] = d;
    }
  }
  if (total <= span) {
    let a = 0;
    let d = 0;
    for (let i = 0; i < total; i++) {
      a += answers[i]!;
      d += dropsArr[i]!;
    }
    return a === 0 ? 0 : d / a;
  }
  let a = 0;
  let d = 0;
  let worst = 0;
  for (let i = 0; i < total; i++) {
    a += answers[i]!;
    d += dropsArr[i]!;
    if (i >= span) {
      a -= answers[i - span]!;
      d -= dropsArr[i - span]!;
    }
    if (i >= span - 1 && a > 0) worst = Math.max(worst, d / a);
  }
  return worst;
}
