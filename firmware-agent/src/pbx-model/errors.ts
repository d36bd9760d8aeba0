// Errors of a configuration change, and the mapping of PBX-model issue paths back to what
// the user typed ("endpoints[3].id: …" → "seat 8004: extension …", field "extension").
import type { DahdiIssue } from '../hardware/index.js';
import type { ModelIssue } from '../pbx-config/model.js';

/**
 * A refused change. status: 400 bad input, 404 unknown item, 409 conflict with stored data or
 * Asterisk refused the result, 422 the resulting configuration is invalid. Nothing was changed.
 */
export class ConfigChangeError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigChangeError';
  }

  toJSON(): { error: string; message: string; field?: string } {
    return { error: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

export const badInput = (message: string, field?: string) => new ConfigChangeError(400, 'invalid_input', message, field);
export const conflict = (message: string, field?: string) => new ConfigChangeError(409, 'conflict', message, field);
export const notFound = (message: string) => new ConfigChangeError(404, 'not_found', message);

/** Where a part of the model came from: a seat, trunk, route, span or port the user manages. */
export interface ModelSource {
  /** Model path of the item, e.g. "endpoints[3]", "trunks[0]", "dahdi.spans[1].ports[4]". */
  path: string;
  /** How the user knows it: "seat 8004", "trunk 中国电信", "outbound route 手机". */
  label: string;
  /** Model field (first segment after path) → API field, e.g. { id: 'extension' }. */
  fields?: Readonly<Record<string, string>>;
}

export interface MappedIssue {
  message: string;
  field?: string;
  /** The label of the item at fault, when the issue could be mapped. */
  item?: string;
}

/** Is `prefix` the path itself or a parent of it ("a[1]" of "a[1].b", not of "a[10]")? */
function isPrefix(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path.charAt(prefix.length);
  return next === '' || next === '.' || next === '[';
}

/** Maps one issue (path + message) to a message naming the user's item and its API field. */
export function mapIssue(issue: ModelIssue | DahdiIssue, sources: readonly ModelSource[]): MappedIssue {
  let best: ModelSource | undefined;
  for (const s of sources) if (isPrefix(s.path, issue.path) && (!best || s.path.length > best.path.length)) best = s;
  if (!best) return { message: issue.path ? `${issue.path}: ${issue.message}` : issue.message };
  const rest = issue.path.slice(best.path.length).replace(/^\./, '');
  // "auth.secret" → field of "auth.secret" or of "auth"; "codecs[1]" → "codecs".
  const dotted = rest.replace(/\[\d+\]/g, '');
  const first = rest.split(/[.[]/)[0] ?? '';
  const field = best.fields?.[dotted] ?? best.fields?.[first] ?? (first || undefined);
  // DAHDI messages already start with their own label ("span 1 (E1 PRI): …"); keep them whole.
  const own = /^(span|seat|trunk|channel) \S+/.test(issue.message);
  const mapped: MappedIssue = { message: own ? issue.message : `${best.label}: ${field ? `${field} ` : ''}${issue.message}`, item: best.label };
  if (field) mapped.field = field;
  return mapped;
}

/** The first issue as the error of a refused change (422), every issue in the message. */
export function refusedByModel(issues: ReadonlyArray<ModelIssue | DahdiIssue>, sources: readonly ModelSource[]): ConfigChangeError {
  const mapped = issues.map((i) => mapIssue(i, sources));
  const first = mapped[0] ?? { message: 'the configuration is invalid' };
  const more = mapped.length > 1 ? ` (and ${mapped.length - 1} more: ${mapped.slice(1, 4).map((m) => m.message).join('; ')})` : '';
  return new ConfigChangeError(422, 'invalid_config', `${first.message}${more}`, first.field);
}
