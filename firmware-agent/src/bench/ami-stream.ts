import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../version.js';

/** The captured event stream of one real Local-channel call on the sandbox Asterisk 22. */
export function capturedCall(): Buffer {
  return readFileSync(join(projectRoot(), 'tests', 'fixtures', 'ami', 'local-call-events.raw'));
}

/**
 * Multiplies one captured call into `calls` distinct calls: every Uniqueid/Linkedid-like
 * token ("1795430299.4") and channel sequence number is rewritten per copy, so the call
 * model sees new channels and the store writes new rows, as on a busy box.
 */
export function multiplyCall(call: Buffer, calls: number): { bytes: Buffer; events: number } {
  const text = call.toString('latin1');
  const ids = [...new Set(text.match(/\b\d{9,10}\.\d+\b/g) ?? [])];
  const seqs = [...new Set(text.match(/-[0-9a-f]{8}(?=;|\b)/g) ?? [])];
  const events = (text.match(/^Event: /gm) ?? []).length;
  const parts: string[] = [];
  for (let i = 0; i < calls; i++) {
    let copy = text;
    ids.forEach((id, k) => {
      copy = copy.split(id).join(`${1800000000 + i}.${k}`);
    });
    seqs.forEach((s, k) => {
      copy = copy.split(s).join(`-${(i * 16 + k).toString(16).padStart(8, '0')}`);
    });
    parts.push(copy);
  }
  return { bytes: Buffer.from(parts.join(''), 'latin1'), events: events * calls };
}
