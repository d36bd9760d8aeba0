// i18n: both dictionaries have the same keys, no empty values, the same {placeholders};
// and no .tsx file under web-ui/src shows bare text (CJK or Latin) outside t().
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en } from '../../web-ui/src/i18n/en.js';
import { zhCN } from '../../web-ui/src/i18n/zh-CN.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'web-ui', 'src');

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
const HAS_CJK = /\p{Script=Han}/u;

describe('i18n dictionaries', () => {
  const zhKeys = Object.keys(zhCN).sort();
  const enKeys = Object.keys(en).sort();

  it('zh-CN and en have exactly the same keys', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k)), 'keys only in en').toEqual([]);
    expect(zhKeys.filter((k) => !enKeys.includes(k)), 'keys only in zh-CN').toEqual([]);
    expect(zhKeys.length).toBeGreaterThan(50);
  });

  it('has no empty values', () => {
    for (const [name, dict] of [['zh-CN', zhCN], ['en', en]] as const) {
      const empty = Object.entries(dict).filter(([, v]) => typeof v !== 'string' || v.trim() === '');
      expect(empty.map(([k]) => k), `empty values in ${name}`).toEqual([]);
    }
  });

  it('uses the same {placeholders} in both languages', () => {
    const diff = zhKeys.filter((k) => {
      const z = placeholders((zhCN as Record<string, string>)[k]!);
      const e = placeholders((en as Record<string, string>)[k]!);
      return z.join(',') !== e.join(',');
    });
    expect(diff).toEqual([]);
  });

  it('has no Chinese left in the English dictionary (language names aside)', () => {
    const allowed = new Set(['lang.zh-CN']);
    const bad = Object.entries(en).filter(([k, v]) => !allowed.has(k) && HAS_CJK.test(v));
    expect(bad.map(([k]) => k)).toEqual([]);
  });
});

// ---- bare-text scan -------------------------------------------------------------------

/** Text a user would read: any Latin letter or Han character. */
const WORDY = /[A-Za-z\p{Script=Han}]/u;
/** Attributes whose values are shown to the user (or read out by screen readers). */
const TEXT_ATTRS = new Set(['placeholder', 'title', 'alt', 'label', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-valuetext', 'subtitle']);

interface Finding {
  line: number;
  text: string;
}

/** Finds bare user-visible text in TSX source: JSX text, text attributes, and string literals rendered as children. */
function scanTsx(source: string, fileName = 'x.tsx'): Finding[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: text.trim().slice(0, 60) });
  };

  // Values an expression can render (string literals in value positions; calls such as t() are fine).
  const checkValue = (e: ts.Expression): void => {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (WORDY.test(e.text)) report(e, e.text);
    } else if (ts.isTemplateExpression(e)) {
      const parts = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(' ');
      if (WORDY.test(parts)) report(e, parts);
    } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) {
      checkValue(e.expression);
    } else if (ts.isConditionalExpression(e)) {
      checkValue(e.whenTrue);
      checkValue(e.whenFalse);
    } else if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) checkValue(e.right);
      else if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
        checkValue(e.left);
        checkValue(e.right);
      }
    } else if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) checkValue(el as ts.Expression);
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      if (WORDY.test(node.text)) report(node, node.text);
    } else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      checkValue(node.expression);
    } else if (ts.isJsxAttribute(node) && TEXT_ATTRS.has(node.name.getText(sf)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) {
        if (WORDY.test(init.text)) report(init, init.text);
      } else if (ts.isJsxExpression(init) && init.expression) {
        checkValue(init.expression);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return tsxFiles(p);
    return d.name.endsWith('.tsx') ? [p] : [];
  });
}

describe('no bare UI text outside t()', () => {
  it('the scanner flags bare text (so the check can fail)', () => {
    const bad = [
      'const A = () => <div>Hello world</div>;',
      'const B = () => <p>系统状态</p>;',
      'const C = () => <input placeholder="Your name" />;',
      'const D = (p: { x: boolean }) => <span>{p.x ? "Yes" : t("common.no")}</span>;',
      "const E = () => <h1>{'标题'}</h1>;",
      'const F = (p: { n: number }) => <b>{`${p.n} calls`}</b>;',
      'const G = () => <button aria-label="关闭" />;',
      'const H = (p: { ok: boolean }) => <i>{p.ok && "done"}</i>;',
    ];
    for (const src of bad) expect(scanTsx(src), src).not.toEqual([]);
  });

  it('the scanner accepts t() calls, data, symbols and non-text attributes', () => {
    const good = [
      'const A = () => <div class="card" data-testid="x">{t("app.name")}</div>;',
      'const B = (p: { v: string | null }) => <td>{p.v ?? t("status.notAvailable")}</td>;',
      'const C = (p: { ok: boolean }) => <span class={p.ok ? "badge badge-green" : "badge"}>{t(p.ok ? "a" : "b")} · 42 —</span>;',
      'const D = (p: { state: string }) => <tr data-state={p.state}>{p.state === "ended" && <td>{t("x")}</td>}</tr>;',
      'const E = () => <input type="password" autocomplete="new-password" aria-label={t("login.password")} />;',
    ];
    for (const src of good) expect(scanTsx(src), src).toEqual([]);
  });

  it('web-ui/src/**/*.tsx has no bare CJK/English text in JSX', () => {
    const files = tsxFiles(SRC);
    expect(files.length).toBeGreaterThan(5);
    const problems = files.flatMap((f) => scanTsx(readFileSync(f, 'utf8'), f).map((x) => `${relative(ROOT, f)}:${x.line}: ${JSON.stringify(x.text)}`));
    expect(problems).toEqual([]);
  });
});
