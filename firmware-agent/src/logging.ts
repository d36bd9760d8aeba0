import { pino, destination as pinoDestination, type Logger } from 'pino';

export type { Logger };

/** One root logger; modules take children of it through their constructors. */
export function createLogger(opts: { level?: string; destination?: string } = {}): Logger {
  const level = opts.level ?? process.env.SEATBOX_LOG_LEVEL ?? 'info';
  if (opts.destination) return pino({ level }, pinoDestination({ dest: opts.destination, mkdir: true, sync: false }));
  return pino({ level });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
