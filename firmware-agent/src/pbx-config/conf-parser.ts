// A strict parser for the subset of Asterisk's config syntax SeatBox generates:
// "; comments", "[section]" headers, "key = value" and "key => value" lines. Anything else
// (templates "[x](!)", #include/#exec, block comments, stray text) is reported, because a
// generated file never needs it and Asterisk would silently skip or reinterpret it.

export interface ConfigIssue {
  file: string;
  /** 1-based line number; 0 when the problem concerns the whole file. */
  line: number;
  message: string;
}

export function formatConfigIssue(i: ConfigIssue): string {
  return i.line > 0 ? `${i.file}:${i.line}: ${i.message}` : `${i.file}: ${i.message}`;
}

export interface ConfEntry {
  line: number;
  key: string;
  op: '=' | '=>';
  value: string;
}

export interface ConfSection {
  name: string;
  line: number;
  entries: ConfEntry[];
}

export interface ParsedConf {
  file: string;
  sections: ConfSection[];
  issues: ConfigIssue[];
}

/** First value of a key in a section (keys compare case-insensitively, as Asterisk does). */
export function getValue(s: ConfSection, key: string): string | undefined {
  const k = key.toLowerCase();
  return s.entries.find((e) => e.key.toLowerCase() === k)?.value;
}

export function getValues(s: ConfSection, key: string): ConfEntry[] {
  const k = key.toLowerCase();
  return s.entries.filter((e) => e.key.toLowerCase() === k);
}

/** Removes a trailing ";" comment (an escaped "\;" is literal text, as in Asterisk). */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === ';') return line.slice(0, i);
  }
  return line;
}

const EMPTY_OK_DAHDI = new Set(['group', 'callgroup', 'pickupgroup']);
const SECTION_RE = /^\[([^\]]*)\](.*)$/;
const SECTION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
const KEY_RE = /^[A-Za-z0-9_.-]+(\([^()]*(\([^()]*\))*[^()]*\))?$/;

export function parseConf(file: string, text: string): ParsedConf {
  const issues: ConfigIssue[] = [];
  const sections: ConfSection[] = [];
  const add = (line: number, message: string) => issues.push({ file, line, message });
  if (text.includes('\r')) add(0, 'contains a carriage return (CR): files must use LF line ends only');
  if (text.length > 0 && !text.endsWith('\n')) add(0, 'does not end with a newline');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let current: ConfSection | undefined;
  lines.forEach((raw, idx) => {
    const n = idx + 1;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(raw)) {
      add(n, 'contains a control character');
      return;
    }
    const trimmedRaw = raw.trim();
    if (trimmedRaw.startsWith(';--')) {
      add(n, 'block comments (;-- --;) are not allowed in generated files');
      return;
    }
    const line = stripComment(raw).trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      add(n, `directive "${line.split(/\s/)[0]}" is not allowed in generated files`);
      return;
    }
    const sm = SECTION_RE.exec(line);
    if (sm) {
      const name = sm[1] ?? '';
      const rest = (sm[2] ?? '').trim();
      if (rest !== '') {
        add(n, `section [${name}] has trailing text "${rest}" (templates and section options are not used)`);
        return;
      }
      if (!SECTION_NAME_RE.test(name)) {
        add(n, `invalid section name [${name}]`);
        return;
      }
      current = { name, line: n, entries: [] };
      sections.push(current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      add(n, `stray text "${line.length > 60 ? `${line.slice(0, 57)}...` : line}" (not a [section], key = value or comment)`);
      return;
    }
    const arrow = line[eq + 1] === '>';
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + (arrow ? 2 : 1)).trim();
    if (!KEY_RE.test(key)) {
      add(n, `invalid setting name "${key}"`);
      return;
    }
    // chan_dahdi.conf: "group=" / "callgroup=" (empty) clear a value inherited from the block above.
    if (value === '' && !(file === 'chan_dahdi.conf' && EMPTY_OK_DAHDI.has(key.toLowerCase()))) {
      add(n, `setting "${key}" has an empty value`);
      return;
    }
    if (!current) {
      add(n, `setting "${key}" appears before any [section]`);
      return;
    }
    current.entries.push({ line: n, key, op: arrow ? '=>' : '=', value });
  });
  return { file, sections, issues };
}

/** Splits on a separator at nesting depth 0 (outside (), ${}, $[] and after "\" escapes). */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/**
 * Checks that (), ${} and $[] nest properly. Returns an error text or undefined.
 * Plain "[" / "]" outside "$[" are allowed (pattern character classes).
 */
export function checkBalanced(s: string): string | undefined {
  const stack: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '$' && (s[i + 1] === '{' || s[i + 1] === '[')) {
      stack.push(s[i + 1] === '{' ? '}' : ']');
      i++;
    } else if (c === '(') stack.push(')');
    else if (c === ')' || c === '}' || c === ']') {
      if (c === ']' && !stack.includes(']')) continue;
      if (c === '}' && !stack.includes('}')) return `unbalanced "${c}" at column ${i + 1}`;
      const want = stack.pop();
      if (want !== c) return `unbalanced "${c}" at column ${i + 1}${want ? ` (expected "${want}")` : ''}`;
    }
  }
  if (stack.length) return `unclosed "${stack[stack.length - 1] === ')' ? '(' : stack[stack.length - 1] === '}' ? '${' : '$['}"`;
  return undefined;
}

/** Asterisk extension pattern match ("_X.", "_9NXX", "_[1-5]!" ...) or literal equality. */
export function extensionMatches(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  const p = pattern.slice(1);
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    switch (c.toUpperCase()) {
      case 'X':
        re += '[0-9]';
        break;
      case 'Z':
        re += '[1-9]';
        break;
      case 'N':
        re += '[2-9]';
        break;
      case '.':
        re += '.+';
        break;
      case '!':
        re += '.*';
        break;
      case '[': {
        const end = p.indexOf(']', i);
        if (end < 0) return false;
        re += `[${p.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
        i = end;
        break;
      }
      default:
        re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`${re}$`).test(exten);
}
