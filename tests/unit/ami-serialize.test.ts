import { describe, expect, it } from 'vitest';
import { headerPairs, serializeAction, serializeFields } from '../../firmware-agent/src/ami/serialize.js';
import { AmiHeaderError } from '../../firmware-agent/src/ami/types.js';

describe('AMI serializer', () => {
  it('writes Action, ActionID, then the headers in the given order and spelling', () => {
    expect(serializeAction('Originate', 'x-1', { Channel: 'Local/200@demo', Context: 'demo', Exten: 'park', Priority: 1, CallerID: '"Zoë" <49>' })).toBe(
      'Action: Originate\r\nActionID: x-1\r\nChannel: Local/200@demo\r\nContext: demo\r\nExten: park\r\nPriority: 1\r\nCallerID: "Zoë" <49>\r\n\r\n',
    );
  });

  it('arrays repeat the key in order; pair lists keep order and duplicates', () => {
    expect(serializeAction('Originate', '1', { Variable: ['B=2', 'A=1'] })).toBe(
      'Action: Originate\r\nActionID: 1\r\nVariable: B=2\r\nVariable: A=1\r\n\r\n',
    );
    expect(headerPairs([['Variable', 'Z'], ['Value', ''], ['Variable', 'A']])).toEqual([
      ['Variable', 'Z'],
      ['Value', ''],
      ['Variable', 'A'],
    ]);
    expect(serializeAction('Setvar', '2', [['Variable', 'X'], ['Value', '']])).toBe('Action: Setvar\r\nActionID: 2\r\nVariable: X\r\nValue: \r\n\r\n');
  });

  it.each([
    ['CRLF in a value', { Channel: 'x\r\nAction: Hangup' }],
    ['bare LF in a value', { Channel: 'x\nAction: Hangup' }],
    ['bare CR in a value', { Channel: 'x\rAction: Hangup' }],
    ['NUL in a value', { Channel: 'x\0y' }],
    ['array element with LF', { Variable: ['A=1', 'B=2\nAction: Hangup'] }],
    ['LF in a name', { 'X\nAction': 'Hangup' }],
    ['colon in a name', { 'Action: Hangup\r\nX': 'y' }],
    ['colon only name', { 'A:B': 'y' }],
    ['empty name', { '': 'y' }],
    ['blank-padded name', { ' Channel': 'y' }],
  ])('refuses %s with AmiHeaderError', (_label, headers) => {
    expect(() => serializeAction('Getvar', '1', headers as Record<string, string>)).toThrow(AmiHeaderError);
    expect(() => serializeAction('Getvar', '1', headers as Record<string, string>)).toThrow(/CR, LF|empty|injection/);
  });

  it('refuses CR/LF in the action name and in pair lists', () => {
    expect(() => serializeAction('Ping\r\nAction: Hangup', '1')).toThrow(AmiHeaderError);
    expect(() => serializeAction('Ping', '1', [['Channel', 'a\r\nb']])).toThrow(AmiHeaderError);
    expect(() => serializeFields([['Event', 'x\ny']])).toThrow(AmiHeaderError);
  });

  it('Action and ActionID belong to the client', () => {
    expect(() => serializeAction('Ping', '1', { ActionID: 'mine' })).toThrow(/set by the client/);
    expect(() => serializeAction('Ping', '1', [['action', 'Hangup']])).toThrow(/set by the client/);
  });
});
