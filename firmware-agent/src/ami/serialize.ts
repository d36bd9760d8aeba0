// AMI serialisation: actions and messages as "Key: Value\r\n" lines closed by an empty line.
//
// Unlike asterisk-manager 0.2.0 (which sorts the lines, re-cases the keys and writes values
// unchecked) headers go out exactly in the order given, with the caller's spelling, and anything
// that would break the framing is refused with AmiHeaderError before a single byte is written:
// CR, LF or NUL anywhere, ':' in a name, an empty name, or a name with leading/trailing blanks.

import { AmiHeaderError, type AmiHeaders } from './types.js';

/** Characters that would end a line (or a C string inside Asterisk). */
const BAD_VALUE = /[\r\n\0]/;
const BAD_NAME = /[\r\n\0:]|^\s|\s$/;

function show(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

export function checkHeaderName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new AmiHeaderError('AMI header name is empty');
  if (BAD_NAME.test(name)) {
    throw new AmiHeaderError(
      `AMI header name ${show(name)} contains CR, LF, NUL, ':' or leading/trailing blanks (header injection refused)`,
    );
  }
}

export function checkHeaderValue(name: string, value: string): void {
  if (BAD_VALUE.test(value)) {
    throw new AmiHeaderError(
      `AMI header ${name} has a value containing CR, LF or NUL (header injection refused): ${show(value)}`,
    );
  }
}

/** Flatten AmiHeaders into ordered pairs; arrays send the key once per value, in order. */
export function headerPairs(headers: AmiHeaders | undefined): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  if (headers === undefined) return out;
  if (Array.isArray(headers)) {
    for (const pair of headers as ReadonlyArray<readonly [string, string]>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new AmiHeaderError('AMI header pairs must be [name, value]');
      out.push([String(pair[0]), String(pair[1])]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | number | ReadonlyArray<string>>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value as ReadonlyArray<string>) out.push([name, String(v)]);
    else out.push([name, String(value)]);
  }
  return out;
}

/** Serialise a message (ordered pairs) to the wire form; validates every header. */
export function serializeFields(fields: ReadonlyArray<readonly [string, string]>): string {
  let s = '';
  for (const [name, value] of fields) {
    checkHeaderName(name);
    checkHeaderValue(name, value);
    s += `${name}: ${value}\r\n`;
  }
  return `${s}\r\n`;
}

/**
 * Serialise an action: "Action" first, then "ActionID", then the caller's headers in order.
 * The client owns ActionID; passing Action or ActionID among the headers is refused.
 */
export function serializeAction(action: string, actionId: string, headers?: AmiHeaders): string {
  checkHeaderValue('Action', action);
  if (action.length === 0) throw new AmiHeaderError('AMI action name is empty');
  checkHeaderValue('ActionID', actionId);
  const pairs = headerPairs(headers);
  for (const [name] of pairs) {
    const k = name.toLowerCase();
    if (k === 'action' || k === 'actionid') {
      throw new AmiHeaderError(`AMI header ${name} is set by the client; pass the action name as the first argument`);
    }
  }
  return serializeFields([['Action', action], ['ActionID', actionId], ...pairs]);
}
