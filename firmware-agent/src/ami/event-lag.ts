// How far behind Asterisk the agent is: for every AMI event that carries Asterisk's own
// `Timestamp:` header (manager.conf timestampevents = yes), the time from Asterisk emitting it
// to our listeners (call model, agents, recording …) having finished with it. A ring buffer of
// the latest samples; percentiles on demand (technicians' metrics page, the capacity bench).

export interface LagSummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class EventLagMeter {
  private readonly lag: Float64Array;
  private readonly at: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity = 65_536) {
    this.lag = new Float64Array(capacity);
    this.at = new Float64Array(capacity);
  }

  /** `timestamp`: the event's Timestamp header (epoch seconds with microseconds). */
  record(timestamp: string, now = Date.now()): void {
    const t = Number(timestamp);
    if (!Number.isFinite(t) || t <= 0) return;
    // Clock steps (NTP) could make this negative; a negative lag is noise, not speed.
    this.lag[this.next] = Math.max(0, now - t * 1000);
    this.at[this.next] = now;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Percentiles (ms, nearest rank) of the samples recorded at or after `sinceMs` (epoch ms). */
  summary(sinceMs = 0): LagSummary {
    const xs: number[] = [];
    for (let i = 0; i < this.filled; i++) if (this.at[i]! >= sinceMs) xs.push(this.lag[i]!);
    if (!xs.length) return { count: 0, p50: 0, p99: 0, max: 0 };
    xs.sort((a, b) => a - b);
    const rank = (p: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))]!;
    const round = (x: number): number => Math.round(x * 100) / 100;
    return { count: xs.length, p50: round(rank(0.5)), p99: round(rank(0.99)), max: round(xs[xs.length - 1]!) };
  }
}
