import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmiParser, parseAmiBytes } from '../../firmware-agent/src/ami/parser.js';
import { serializeFields } from '../../firmware-agent/src/ami/serialize.js';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';

const FIX = path.join(import.meta.dirname, '../fixtures/ami');
const fixtures = fs
  .readdirSync(FIX)
  .filter((f) => f.endsWith('.raw') && !f.endsWith('.sent.raw'))
  .map((f) => ({ name: f, bytes: fs.readFileSync(path.join(FIX, f)) }));

function parseSplit(bytes: Uint8Array, cuts: number[]): { banner: string | undefined; fields: unknown[] } {
  const out: AmiMessage[] = [];
  const p = new AmiParser((m) => out.push(m));
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c < prev) continue;
    p.push(bytes.subarray(prev, c));
    prev = c;
  }
  return { banner: p.banner, fields: out.map((m) => m.fields) };
}

const cutsFor = (len: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: len }), { maxLength: 64 }).map((a) => a.sort((x, y) => x - y));

/** Header names as Asterisk uses them: no blanks, no colon. */
const keyArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,24}$/);
/** Any text without CR, LF, NUL (incl. multi-byte UTF-8, ': ', '=', leading/trailing blanks). */
const valueArb = fc
  .string({ unit: 'binary', maxLength: 40 })
  .filter((s) => !/[\r\n\0]/.test(s) && Buffer.from(s, 'utf8').toString('utf8') === s);
const messageArb = fc
  .array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 20 })
  // "Response: Follows" first would select the legacy Command framing (Asterisk <= 13) on purpose.
  .filter((f) => !(f[0]![0] === 'Response' && f[0]![1] === 'Follows'));

describe('AMI parser properties', () => {
  for (const { name, bytes } of fixtures) {
    it(`${name}: split at random points gives the same messages as parsing it whole`, () => {
      const whole = parseAmiBytes(bytes);
      const expected = { banner: whole.banner, fields: whole.messages.map((m) => m.fields) };
      fc.assert(
        fc.property(cutsFor(bytes.length), (cuts) => {
          expect(parseSplit(bytes, cuts)).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('generated messages round-trip through serializer + parser (whole and split anywhere)', () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 16 }),
        (messages, bareLf, rawCuts) => {
          let wire = 'Asterisk Call Manager/11.0.0\r\n' + messages.map((m) => serializeFields(m)).join('');
          if (bareLf) wire = wire.replace(/\r\n/g, '\n');
          const bytes = Buffer.from(wire, 'utf8');
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const got = parseSplit(bytes, cuts);
          expect(got.banner).toBe('Asterisk Call Manager/11.0.0');
          expect(got.fields).toEqual(messages);
        },
      ),
      { numRuns: 300 },
    );
  });
});
