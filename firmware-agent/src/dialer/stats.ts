// What the pacing has observed about a campaign: durations (as empirical distributions), the
// answer probability, and the drop windows the cap is enforced on.

/** A bounded sample of durations with an empirical CDF (sorted lazily, a few rebuilds a minute). */
export class DurationSample {
  private readonly ring: number[] = [];
  private next = 0;
  private sorted: number[] = [];
  private dirty = 0;
  private sum = 0;

  constructor(private readonly capacity = 1000) {}

  add(x: number): void {
    if (!Number.isFinite(x) || x < 0) return;
    if (this.ring.length < this.capacity) this.ring.push(x);
    else {
      this.sum -= this.ring[this.next]!;
      this.ring[this.next] = x;
      this.next = (this.next + 1) % this.capacity;
    }
    this.sum += x;
    this.dirty++;
  }

  get count(): number {
    return this.ring.length;
  }

  mean(fallback = 0): number {
    return this.ring.length === 0 ? fallback : this.sum / this.ring.length;
  }

  private view(): number[] {
    // Re-sort after ~2 % new samples: the distribution moves slowly, sorting every second would not.
    if (this.dirty > 0 && (this.sorted.length < 50 || this.dirty * 50 >= this.ring.length)) {
      this.sorted = [...this.ring].sort((a, b) => a - b);
      this.dirty = 0;
    }
    return this.sorted;
  }

  /** P(X <= x). */
  cdf(x: number): number {
    const s = this.view();
    if (s.length === 0) return 0;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo / s.length;
  }

  /** The raw values (for estimators built on top, e.g. Kaplan–Meier). */
  values(): readonly number[] {
    return this.ring;
  }

  quantile(q: number): number {
    const s = this.view();
    if (s.length === 0) return 0;
    return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * s.length)))]!;
  }
}

/** Live answers and drops in rolling windows, in one-minute buckets (30 days = 43,200 buckets max). */
export class DropWindow {
  private readonly buckets: Array<{ minute: number; answers: number; drops: number }> = [];
  private head = 0;
  answers = 0;
  drops = 0;

  constructor(readonly seconds: number) {}

  add(atSeconds: number, answers: number, drops: number): void {
    const minute = Math.floor(atSeconds / 60);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.minute === minute) {
      last.answers += answers;
      last.drops += drops;
    } else this.buckets.push({ minute, answers, drops });
    this.answers += answers;
    this.drops += drops;
  }

  /** Forget buckets older than the window. */
  advance(nowSeconds: number): void {
    const oldest = Math.floor((nowSeconds - this.seconds) / 60);
    while (this.head < this.buckets.length && this.buckets[this.head]!.minute < oldest) {
      const b = this.buckets[this.head]!;
      this.answers -= b.answers;
      this.drops -= b.drops;
      this.head++;
    }
    if (this.head > 4096) {
      this.buckets.splice(0, this.head);
      this.head = 0;
    }
  }

  rate(): number {
    return this.answers === 0 ? 0 : this.drops / this.answers;
  }
}

/**
 * Kaplan–Meier CDF of talk times from finished calls (events) and calls still going (censored at
 * their elapsed time). Early in a day the finished calls are the short ones; counting the long
 * ones still running keeps the estimate from being biased short (which would over-dial).
 */
export class KaplanMeier {
  private times: number[] = [];
  private F: number[] = [];

  build(events: readonly number[], censored: readonly number[]): void {
    const all: Array<[number, 0 | 1]> = [];
    for (const t of events) all.push([t, 1]);
    for (const t of censored) all.push([t, 0]);
    all.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let n = all.length;
    let S = 1;
    const times: number[] = [];
    const F: number[] = [];
    let i = 0;
    while (i < all.length) {
      const t = all[i]![0];
      let d = 0;
      let c = 0;
      while (i < all.length && all[i]![0] === t) {
        if (all[i]![1] === 1) d++;
        else c++;
        i++;
      }
      if (d > 0 && n > 0) {
        S *= 1 - d / n;
        times.push(t);
        F.push(1 - S);
      }
      n -= d + c;
    }
    this.times = times;
    this.F = F;
  }

  get size(): number {
    return this.times.length;
  }

  /** P(T <= x); beyond the last event the estimate stays flat (the tail is unknown). */
  cdf(x: number): number {
    const s = this.times;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.F[lo - 1]!;
  }
}
