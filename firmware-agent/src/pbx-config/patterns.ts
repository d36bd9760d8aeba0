// Asterisk dial patterns (the part after "_"): a matcher used to find collisions between
// seats, feature codes and routes before they reach the dialplan, where Asterisk would
// silently pick one of them.

/** The pattern's tokens: literal characters, classes ("[0-9]") and a final "." or "!". */
function tokens(pattern: string): { parts: string[]; tail: '' | '.' | '!' } {
  const parts: string[] = [];
  let tail: '' | '.' | '!' = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed "[" in pattern "${pattern}"`);
      parts.push(pattern.slice(i, end + 1));
      i = end;
    } else if ((c === '.' || c === '!') && i === pattern.length - 1) tail = c;
    else parts.push(c);
  }
  return { parts, tail };
}

const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** Asterisk semantics: X = 0-9, Z = 1-9, N = 2-9, [..] = set, "." = 1+ characters, "!" = 0+. */
export function patternToRegExp(pattern: string): RegExp {
  const { parts, tail } = tokens(pattern);
  const body = parts
    .map((p) => {
      if (p === 'X') return '[0-9]';
      if (p === 'Z') return '[1-9]';
      if (p === 'N') return '[2-9]';
      if (p.startsWith('[')) return p;
      return escapeRe(p);
    })
    .join('');
  return new RegExp(`^${body}${tail === '.' ? '.+' : tail === '!' ? '.*' : ''}$`);
}

export function patternMatches(pattern: string, number: string): boolean {
  return patternToRegExp(pattern).test(number);
}

/** Bracket sets must be ascending ranges: "[9-3]" matches nothing in Asterisk. */
export function patternProblem(pattern: string): string | undefined {
  for (const m of pattern.matchAll(/\[([^\]]*)\]/g)) {
    for (const r of m[1]!.matchAll(/([0-9])-([0-9])/g)) {
      if (r[1]! > r[2]!) return `range "${r[0]}" is backwards (write [${r[2]}-${r[1]}])`;
    }
  }
  return undefined;
}

/** Shortest and longest number the pattern matches (Infinity with "." or "!"). */
export function patternLength(pattern: string): { min: number; max: number } {
  const { parts, tail } = tokens(pattern);
  return { min: parts.length + (tail === '.' ? 1 : 0), max: tail ? Infinity : parts.length };
}

/** Is there a number matched by both patterns? (A literal extension is a pattern too.) */
export function patternsOverlap(a: string, b: string): boolean {
  const ta = tokens(a);
  const tb = tokens(b);
  const chars = (p: string): string[] => {
    if (p === 'X') return [...'0123456789'];
    if (p === 'Z') return [...'123456789'];
    if (p === 'N') return [...'23456789'];
    if (p.startsWith('[')) return [...'0123456789*#+'].filter((c) => new RegExp(`^${p}$`).test(c));
    return [p];
  };
  for (let k = 0; ; k++) {
    const aEnd = k >= ta.parts.length;
    const bEnd = k >= tb.parts.length;
    // Both ended: the number may end here, or both tails take one more character.
    if (aEnd && bEnd) return (ta.tail !== '.' && tb.tail !== '.') || (ta.tail !== '' && tb.tail !== '');
    // One ended: its tail (if any) takes the rest of the other's characters.
    if (aEnd) return ta.tail !== '';
    if (bEnd) return tb.tail !== '';
    const sb = new Set(chars(tb.parts[k]!));
    if (!chars(ta.parts[k]!).some((c) => sb.has(c))) return false;
  }
}
