// Typed loader for the raw asterisk-manager 0.2.0 package (CommonJS, no types).
// Only baseline.ts (benchmark baseline) and the gap-reproduction tests use it; the agent talks to
// Asterisk through AsteriskAmiClient (client.ts). See docs/ami.md for why.

import { createRequire } from 'node:module';

/** Parsed message as asterisk-manager hands it out: lower-cased keys, arrays or objects for repeats. */
export type AsteriskManagerMessage = Record<string, unknown>;
export type AsteriskManagerCallback = (err: AsteriskManagerMessage | undefined, res?: AsteriskManagerMessage) => void;

export interface AsteriskManagerInstance {
  options: { port: number; host: string; username: string; password: string; events: boolean };
  connect(port: number, host: string, callback?: (err: unknown) => void): void;
  login(callback?: (err?: unknown) => void): void;
  keepConnected(): void;
  action(action: Record<string, unknown>, callback?: AsteriskManagerCallback): string;
  disconnect(callback?: () => void): void;
  isConnected(): boolean | undefined;
  on(event: string, fn: (...args: never[]) => void): unknown;
  once(event: string, fn: (...args: never[]) => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
  listeners(event: string): Array<(...args: unknown[]) => unknown>;
  emit(event: string, ...args: unknown[]): boolean;
  /** Set by keepConnected() when it (rarely) arms the reconnect handler. */
  reconnect?: () => void;
}

export type AsteriskManagerFactory = (
  port: number | undefined,
  host: string,
  username: string,
  password: string,
  events: boolean,
) => AsteriskManagerInstance;

let cached: AsteriskManagerFactory | undefined;

/** require('asterisk-manager'); its module export is the Manager factory (callable with or without new). */
export function loadAsteriskManager(): AsteriskManagerFactory {
  cached ??= createRequire(import.meta.url)('asterisk-manager') as AsteriskManagerFactory;
  return cached;
}
