import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmiParser, parseAmiBytes } from '../../firmware-agent/src/ami/parser.js';
import { AmiMessage, AmiProtocolError } from '../../firmware-agent/src/ami/types.js';

const FIX = path.join(import.meta.dirname, '../fixtures/ami');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIX, name));

/** Deliberately naive reference parse of a complete Asterisk 22 transcript (no legacy framing). */
function naive(bytes: Buffer): { banner: string; messages: Array<Array<[string, string]>> } {
  const text = bytes.toString('utf8');
  const nl = text.indexOf('\r\n');
  const banner = text.slice(0, nl);
  const blocks = text.slice(nl + 2).split('\r\n\r\n').filter((b) => b.length > 0);
  return {
    banner,
    messages: blocks.map((b) =>
      b.split('\r\n').map((line): [string, string] => {
        const i = line.indexOf(': ');
        return i < 0 ? [line.slice(0, -1), ''] : [line.slice(0, i), line.slice(i + 2)];
      }),
    ),
  };
}

function parseInChunks(bytes: Buffer, sizes: (i: number) => number): AmiMessage[] {
  const out: AmiMessage[] = [];
  const p = new AmiParser((m) => out.push(m));
  let i = 0;
  let n = 0;
  while (i < bytes.length) {
    const len = Math.max(1, sizes(n++));
    p.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

const fieldsOf = (ms: AmiMessage[]) => ms.map((m) => m.fields);

describe('AMI parser on transcripts captured from Asterisk 22.10.1', () => {
  const realFixtures = [
    'asterisk22-session.raw',
    'asterisk22-call-session.raw',
    'asterisk22-vars-errors.raw',
    'asterisk22-command.raw',
  ];

  for (const name of realFixtures) {
    it(`${name}: matches a naive whole-file split, whole and byte by byte`, () => {
      const bytes = fixture(name);
      const ref = naive(bytes);
      const whole = parseAmiBytes(bytes);
      expect(whole.banner).toBe('Asterisk Call Manager/11.0.0');
      expect(whole.banner).toBe(ref.banner);
      expect(fieldsOf(whole.messages)).toEqual(ref.messages);
      expect(fieldsOf(parseInChunks(bytes, () => 1))).toEqual(ref.messages);
    });
  }

  it('session: login, CoreSettings, list actions, Getvar, Command, Ping', () => {
    const { messages } = parseAmiBytes(fixture('asterisk22-session.raw'));
    const byId = (id: string) => messages.filter((m) => m.actionId === id);

    expect(byId('login-1')[0]!.get('Message')).toBe('Authentication accepted');
    expect(byId('cs-1')[0]!.get('AsteriskVersion')).toMatch(/^22\./);
    expect(byId('cs-1')[0]!.get('SystemName')).toBe(''); // empty value

    const csc = byId('csc-1');
    expect(csc[0]!.get('EventList')).toBe('start');
    expect(csc.filter((m) => m.event === 'CoreShowChannel')).toHaveLength(4);
    expect(csc.at(-1)!.event).toBe('CoreShowChannelsComplete');
    expect(csc.at(-1)!.get('ListItems')).toBe('4');

    // QueueStatus items carry their ActionID as the last header.
    const qs = byId('qs-1');
    expect(qs.map((m) => m.event ?? m.response)).toEqual(['Success', 'QueueParams', 'QueueMember', 'QueueMember', 'QueueStatusComplete']);
    expect(qs[1]!.fields.at(-1)).toEqual(['ActionID', 'qs-1']);

    const pe = byId('pe-1');
    expect(pe.filter((m) => m.event === 'EndpointList').map((m) => m.get('ObjectName'))).toEqual(['seat101', 'seat102']);

    // Getvar: Variable + Value, values containing ': ', '=' and UTF-8.
    expect(byId('gv-1')[0]!.fields.slice(2)).toEqual([['Variable', 'SEATBOX_QUEUE'], ['Value', 'sales']]);
    expect(byId('gv-2')[0]!.get('Value')).toBe('tag=1:x');
    expect(byId('gv-3')[0]!.get('Value')).toBe('Grüße: a=b; c');

    const cmd1 = byId('cmd-1')[0]!;
    expect(cmd1.get('Message')).toBe('Command output follows');
    const out = cmd1.getAll('Output');
    expect(out[0]).toMatch(/^Channel +Location +State +Application\(Data\) +$/); // trailing blanks kept
    expect(out.slice(-3)).toEqual(['4 active channels', '3 active calls', '9 calls processed']);
    expect(byId('cmd-2')[0]!.getAll('Output')).toHaveLength(1);
    expect(byId('cmd-3')[0]!.response).toBe('Error');
    expect(byId('ping-1')[0]!.get('Ping')).toBe('Pong');
  });

  it('session: UTF-8 caller names, repeated ChanVariable, OriginateResponse is an event with a Response header', () => {
    const { messages } = parseAmiBytes(fixture('asterisk22-session.raw'));
    const nc = messages.find((m) => m.event === 'NewCallerid' && m.get('CallerIDName') === 'Zoë Müller');
    expect(nc).toBeDefined();
    const newch = messages.find((m) => m.event === 'Newchannel')!;
    expect(newch.getAll('ChanVariable')).toEqual(['SEATBOX_AGENT=', 'SEATBOX_QUEUE=']);
    const dial = messages.find((m) => m.event === 'DialBegin')!;
    expect(dial.getAll('DestChanVariable').length).toBeGreaterThan(0);
    const orr = messages.find((m) => m.event === 'OriginateResponse')!;
    expect(orr.fields[0]).toEqual(['Event', 'OriginateResponse']);
    expect(orr.response).toBe('Success');
    expect(orr.actionId).toBe('orig-1');
    const varset = messages.find((m) => m.event === 'VarSet' && m.get('Variable') === 'SEATBOX_NOTE')!;
    expect(varset.get('Value')).toBe('Grüße: a=b; c');
  });

  it('Command output: empty lines and leading blanks survive (exactly one space after the colon is stripped)', () => {
    const { messages } = parseAmiBytes(fixture('asterisk22-command.raw'));
    const help = messages.find((m) => m.actionId === 'cmd-h')!.getAll('Output');
    expect(help[0]).toBe('');
    expect(help[1]).toBe("  -= Info about Manager Command 'Ping' =- ");
    expect(help).toContain('Action: Ping');
    const dp = messages.find((m) => m.actionId === 'cmd-d')!.getAll('Output');
    expect(dp.at(-1)).toBe('-= 4 extensions (16 priorities) in 1 context. =-');
    expect(dp).toContain('');
  });

  it('local-call-events.raw (benchmark fixture) holds one complete call: 98 events, no responses', () => {
    const { banner, messages } = parseAmiBytes(fixture('local-call-events.raw'));
    expect(banner).toBeUndefined();
    expect(messages).toHaveLength(98);
    expect(messages.every((m) => m.event !== undefined)).toBe(true);
    expect(messages[0]!.event).toBe('Newchannel');
    expect(messages.filter((m) => m.event === 'Hangup')).toHaveLength(4);
    const names = new Set(messages.map((m) => m.event));
    for (const e of ['Newchannel', 'Newstate', 'DialBegin', 'DialEnd', 'BridgeEnter', 'BridgeLeave', 'VarSet', 'Hangup', 'OriginateResponse']) {
      expect(names.has(e), e).toBe(true);
    }
  });
});

describe('AMI parser framing', () => {
  it('legacy (Asterisk <= 13) "Response: Follows … --END COMMAND--" is normalised to Output fields', () => {
    const { banner, messages } = parseAmiBytes(fixture('synthetic-legacy-command.raw'));
    expect(banner).toBe('Asterisk Call Manager/2.10.6');
    expect(messages.map((m) => m.actionId ?? m.event)).toEqual(['l1', 'c1', 'c2', 'c3', 'c4', 'FullyBooted']);
    const c2 = messages[2]!;
    expect(c2.fields.slice(0, 3)).toEqual([['Response', 'Follows'], ['Privilege', 'Command'], ['ActionID', 'c2']]);
    // A blank line inside the text does not end the message; "System uptime: …" is text, not a header.
    expect(c2.getAll('Output')).toEqual([
      'Channel              Location             State   Application(Data)',
      '',
      '0 active channels',
      '0 active calls',
      'System uptime: 3 minutes, 12 seconds',
    ]);
    expect(messages[3]!.getAll('Output')).toEqual(['no trailing newline']); // terminator glued to the text
    expect(messages[4]!.getAll('Output')).toEqual([]); // empty output
    expect(fieldsOf(parseInChunks(fixture('synthetic-legacy-command.raw'), () => 1))).toEqual(fieldsOf(messages));
  });

  it('tolerates bare LF and mixed line ends; ignores extra blank lines between messages', () => {
    const text = 'Asterisk Call Manager/11.0.0\nEvent: A\nK: v\n\n\r\n\nEvent: B\r\nX: 1\n\r\n';
    const { banner, messages } = parseAmiBytes(Buffer.from(text));
    expect(banner).toBe('Asterisk Call Manager/11.0.0');
    expect(fieldsOf(messages)).toEqual([
      [['Event', 'A'], ['K', 'v']],
      [['Event', 'B'], ['X', '1']],
    ]);
  });

  it("keeps values containing ': ', empty values, values without the space, keys repeated in order", () => {
    const text = 'Event: T\r\nA: b: c: d\r\nEmpty: \r\nBare:\r\nNoSpace:x\r\nR: 1\r\nR: 2\r\nr: 3\r\n\r\n';
    const [m] = parseAmiBytes(Buffer.from(text)).messages;
    expect(m!.fields).toEqual([
      ['Event', 'T'],
      ['A', 'b: c: d'],
      ['Empty', ''],
      ['Bare', ''],
      ['NoSpace', 'x'],
      ['R', '1'],
      ['R', '2'],
      ['r', '3'],
    ]);
    expect(m!.getAll('R')).toEqual(['1', '2', '3']); // case-insensitive like Asterisk
  });

  it('a line without a colon is kept (key "") rather than dropped', () => {
    const [m] = parseAmiBytes(Buffer.from('Event: T\r\njunk line\r\n\r\n')).messages;
    expect(m!.fields).toEqual([['Event', 'T'], ['', 'junk line']]);
  });

  it('decodes multi-byte UTF-8 split at every byte position', () => {
    const text = 'Event: Newcallerid\r\nCallerIDName: Zoë Müller 山田 🎧\r\n\r\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const out: AmiMessage[] = [];
      const p = new AmiParser((m) => out.push(m));
      p.push(bytes.subarray(0, cut));
      p.push(bytes.subarray(cut));
      expect(out).toHaveLength(1);
      expect(out[0]!.get('CallerIDName')).toBe('Zoë Müller 山田 🎧');
    }
  });

  it('accepts Uint8Array chunks, reports pending bytes and resets', () => {
    const out: AmiMessage[] = [];
    const p = new AmiParser((m) => out.push(m));
    p.push(new TextEncoder().encode('Event: A\r\nKey: va'));
    expect(out).toHaveLength(0);
    expect(p.pending).toBeGreaterThan(0);
    p.reset();
    expect(p.pending).toBe(0);
    p.push(new TextEncoder().encode('Event: B\r\n\r\n'));
    expect(out.map((m) => m.event)).toEqual(['B']);
  });

  it('refuses an endless line (maxLineBytes) with AmiProtocolError', () => {
    const p = new AmiParser(() => {}, { maxLineBytes: 1024 });
    expect(() => p.push(Buffer.alloc(2048, 0x41))).toThrow(AmiProtocolError);
    expect(p.pending).toBe(0);
  });

  it('a throwing onMessage leaves the parser consistent (rest of the chunk parsed on the next push)', () => {
    const seen: string[] = [];
    const p = new AmiParser((m) => {
      seen.push(m.event!);
      if (m.event === 'A') throw new Error('listener bug');
    });
    expect(() => p.push(Buffer.from('Event: A\r\n\r\nEvent: B\r\n\r\n'))).toThrow('listener bug');
    p.push(Buffer.from('Event: C\r\n\r\n'));
    expect(seen).toEqual(['A', 'B', 'C']);
  });
});

describe('AMI parser on a long stream', () => {
  // Speed is measured by `npm run bench` (seatbox bench ami), never asserted in tests.
  it('parses 200 back-to-back copies of a captured call into exactly 200 x 98 events', () => {
    const call = fixture('local-call-events.raw');
    const copies = 200;
    const stream = Buffer.concat(Array.from({ length: copies }, () => call));
    let n = 0;
    const p = new AmiParser(() => {
      n++;
    });
    for (let i = 0; i < stream.length; i += 65536) p.push(stream.subarray(i, i + 65536));
    expect(n).toBe(98 * copies);
    expect(p.messageCount).toBe(98 * copies);
  });
});
