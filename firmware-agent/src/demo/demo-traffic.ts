import type { AmiClient } from '../ami/types.js';
import type { Module } from '../core/module.js';
import type { Logger } from '../logging.js';
import { CONTEXTS } from '../pbx-config/model.js';

export interface DemoTrafficOptions {
  intervalSeconds: number;
  logger: Logger;
  random?: () => number;
}

/** A made-up Chinese mobile number (1[3-9]x xxxx xxxx) for the simulated PSTN. */
export function demoMobile(random: () => number = Math.random): string {
  let n = `1${3 + Math.floor(random() * 7)}`;
  while (n.length < 11) n += String(Math.floor(random() * 10));
  return n;
}

/**
 * Demo mode's periodic call: a simulated agent (seatbox-demo-agent) "dials" a number on
 * the simulated PSTN, which answers, rings out or is busy by its configured odds. It gives
 * a newcomer live activity to watch on the status page.
 */
export class DemoTraffic implements Module {
  readonly name = 'demo-traffic';
  private timer?: NodeJS.Timeout;
  private seq = 0;

  constructor(
    private readonly ami: AmiClient,
    private readonly opts: DemoTrafficOptions,
  ) {}

  async start(): Promise<void> {
    const tick = (): void => {
      this.placeCall().catch((err: unknown) => this.opts.logger.warn({ err }, 'demo call not placed'));
    };
    setTimeout(tick, 2000).unref();
    this.timer = setInterval(tick, this.opts.intervalSeconds * 1000);
    this.timer.unref();
  }

  async placeCall(): Promise<void> {
    if (!this.ami.connected) return;
    const number = demoMobile(this.opts.random);
    const agent = String(8001 + (this.seq++ % 48));
    await this.ami.action('Originate', {
      Channel: `Local/${number}@${CONTEXTS.pstnSim}`,
      Context: CONTEXTS.demoAgent,
      Exten: agent,
      Priority: '1',
      CallerID: `"Demo ${agent}" <${agent}>`,
      Account: 'outbound',
      Timeout: '60000',
      Async: 'true',
    });
    this.opts.logger.debug({ number, agent }, 'demo call placed');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
