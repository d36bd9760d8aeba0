// Small helpers over AmiMessage.
import type { AmiMessage } from './types.js';

/**
 * Channel variables carried by an event (manager.conf channelvars), in order, as [name, value].
 * Asterisk writes one "ChanVariable: NAME=value" header per variable (the value may itself contain
 * '='); for the second channel of DialBegin etc. pass the prefix, e.g. chanVariables(msg, 'Dest').
 */
export function chanVariables(msg: AmiMessage, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of msg.getAll(`${prefix}ChanVariable`)) {
    const eq = raw.indexOf('=');
    out.push(eq < 0 ? [raw, ''] : [raw.slice(0, eq), raw.slice(eq + 1)]);
  }
  return out;
}
