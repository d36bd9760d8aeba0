/**
 * Per-username failure counter: the HTTP rate limit stops one address hammering the
 * login, this stops many addresses guessing one account's password.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the account may try again, or 0 when it may try now. */
  retryAfter(username: string): number {
    const list = this.recent(username);
    if (list.length < this.maxFailures) return 0;
    return Math.ceil((list[0]! + this.windowMs - this.now()) / 1000);
  }

  fail(username: string): void {
    const list = this.recent(username);
    list.push(this.now());
    this.failures.set(username.toLowerCase(), list);
  }

  succeed(username: string): void {
    this.failures.delete(username.toLowerCase());
  }

  private recent(username: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(username.toLowerCase()) ?? []).filter((t) => t > cutoff);
  }
}
