// QA forms (docs/qa.md): form -> versions -> sections -> weighted items. A version is frozen
// once an evaluation or a calibration session uses it; saving a used form makes the next
// version, so every scored call keeps the exact form it was scored with.
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/database.js';

export const DEFAULT_PASS_MARK = 80;

/** The demo's starting form (outbound telemarketing call), seeded when the box has no form. */
export const DEMO_FORM = {
  nameZh: '外呼通话质检表',
  nameEn: 'Outbound call QA form',
  passMark: 80,
  sections: [
    {
      titleZh: '开场',
      titleEn: 'Opening',
      items: [
        { textZh: '礼貌问候并报出公司和本人姓名', textEn: 'Greets politely, names the company and self', weight: 2, maxPoints: 5, critical: false, naAllowed: false },
        { textZh: '核实客户身份', textEn: 'Verifies the customer identity', weight: 1, maxPoints: 1, critical: false, naAllowed: true },
      ],
    },
    {
      titleZh: '合规',
      titleEn: 'Compliance',
      items: [
        { textZh: '告知客户通话正在录音', textEn: 'Tells the customer the call is recorded', weight: 1, maxPoints: 1, critical: true, naAllowed: false },
        { textZh: '客户拒绝后不再纠缠', textEn: 'Stops when the customer declines', weight: 1, maxPoints: 1, critical: true, naAllowed: true },
      ],
    },
    {
      titleZh: '沟通与销售',
      titleEn: 'Conversation and sale',
      items: [
        { textZh: '产品介绍准确完整', textEn: 'Presents the product correctly and completely', weight: 3, maxPoints: 10, critical: false, naAllowed: false },
        { textZh: '耐心倾听并回应异议', textEn: 'Listens and answers objections', weight: 2, maxPoints: 5, critical: false, naAllowed: false },
        { textZh: '礼貌结束通话', textEn: 'Closes the call politely', weight: 1, maxPoints: 2, critical: false, naAllowed: false },
      ],
    },
  ],
} satisfies FormDefinitionShape;

interface FormDefinitionShape {
  nameZh: string;
  nameEn: string;
  passMark?: number;
  sections: { titleZh: string; titleEn: string; items: { textZh: string; textEn: string; weight: number; maxPoints: number; critical: boolean; naAllowed: boolean }[] }[];
}

export const FormItemInput = Type.Object({
  textZh: Type.String({ minLength: 1, maxLength: 500 }),
  textEn: Type.String({ minLength: 1, maxLength: 500 }),
  weight: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  maxPoints: Type.Integer({ minimum: 1, maximum: 100 }),
  critical: Type.Boolean({ default: false }),
  naAllowed: Type.Boolean({ default: false }),
});
export const FormSectionInput = Type.Object({
  titleZh: Type.String({ minLength: 1, maxLength: 200 }),
  titleEn: Type.String({ minLength: 1, maxLength: 200 }),
  items: Type.Array(FormItemInput, { maxItems: 100 }),
});
export const FormDefinition = Type.Object({
  nameZh: Type.String({ minLength: 1, maxLength: 100 }),
  nameEn: Type.String({ minLength: 1, maxLength: 100 }),
  passMark: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  sections: Type.Array(FormSectionInput, { maxItems: 50 }),
});
export type FormDefinition = Static<typeof FormDefinition>;

export const FormItem = Type.Object({
  id: Type.Integer(),
  sectionId: Type.Integer(),
  position: Type.Integer(),
  textZh: Type.String(),
  textEn: Type.String(),
  weight: Type.Number(),
  maxPoints: Type.Integer(),
  critical: Type.Boolean(),
  naAllowed: Type.Boolean(),
});
export type FormItem = Static<typeof FormItem>;
export const FormSection = Type.Object({ id: Type.Integer(), position: Type.Integer(), titleZh: Type.String(), titleEn: Type.String(), items: Type.Array(FormItem) });
export const FormVersion = Type.Object({
  id: Type.Integer(),
  formId: Type.Integer(),
  version: Type.Integer(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  passMark: Type.Number(),
  used: Type.Boolean(),
  createdAt: Type.String(),
  sections: Type.Array(FormSection),
});
export type FormVersion = Static<typeof FormVersion>;
export const FormSummary = Type.Object({
  id: Type.Integer(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  active: Type.Boolean(),
  latestVersionId: Type.Integer(),
  latestVersion: Type.Integer(),
  passMark: Type.Number(),
  itemCount: Type.Integer(),
  evaluationCount: Type.Integer(),
});
export type FormSummary = Static<typeof FormSummary>;

/** A validation problem with the path of the offending field, e.g. sections[1].items[0].weight. */
export class QaInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly code = 'validation',
  ) {
    super(`${field}: ${message}`);
  }
}

/** Checks what the schema cannot: at least one item, an applicable item, sane numbers. */
export function validateDefinition(def: FormDefinition): void {
  const nonBlank = (v: string, path: string) => {
    if (!v.trim()) throw new QaInputError('must not be blank', path);
  };
  nonBlank(def.nameZh, 'nameZh');
  nonBlank(def.nameEn, 'nameEn');
  if (def.passMark !== undefined && !(def.passMark >= 0 && def.passMark <= 100)) throw new QaInputError('must be between 0 and 100', 'passMark');
  if (def.sections.length === 0) throw new QaInputError('a form needs at least one section', 'sections');
  let items = 0;
  let scorable = 0;
  def.sections.forEach((s, si) => {
    nonBlank(s.titleZh, `sections[${si}].titleZh`);
    nonBlank(s.titleEn, `sections[${si}].titleEn`);
    if (s.items.length === 0) throw new QaInputError('a section needs at least one item', `sections[${si}].items`);
    s.items.forEach((it, ii) => {
      const p = `sections[${si}].items[${ii}]`;
      nonBlank(it.textZh, `${p}.textZh`);
      nonBlank(it.textEn, `${p}.textEn`);
      if (!(it.weight > 0) || !Number.isFinite(it.weight)) throw new QaInputError('must be a number above 0', `${p}.weight`);
      if (!Number.isInteger(it.maxPoints) || it.maxPoints < 1 || it.maxPoints > 100) throw new QaInputError('must be a whole number from 1 to 100', `${p}.maxPoints`);
      items++;
      if (!it.naAllowed) scorable++;
    });
  });
  if (items > 500) throw new QaInputError('at most 500 items per form', 'sections');
  // An all-N/A form could never produce a score.
  if (scorable === 0) throw new QaInputError('at least one item must not allow N/A', 'sections');
}

interface VersionRow {
  id: number;
  form_id: number;
  version: number;
  pass_mark: number;
  created_at: string;
  name_zh: string;
  name_en: string;
}

export class FormStore {
  constructor(private readonly db: Db) {}

  /** Creates a form with its version 1. */
  create(def: FormDefinition, userId: number | null): FormVersion {
    validateDefinition(def);
    return this.db.transaction(() => {
      const formId = Number(this.db.prepare('INSERT INTO qa_forms (name_zh, name_en, created_by) VALUES (?, ?, ?)').run(def.nameZh.trim(), def.nameEn.trim(), userId).lastInsertRowid);
      const vid = this.insertVersion(formId, 1, def, userId);
      return this.version(vid)!;
    })();
  }

  /**
   * Saves a new definition. An unused latest version is edited in place; a used one is frozen,
   * so the definition becomes the next version.
   */
  update(formId: number, def: FormDefinition, userId: number | null): { version: FormVersion; newVersion: boolean } {
    validateDefinition(def);
    return this.db.transaction(() => {
      const latest = this.latestVersionRow(formId);
      if (!latest) throw new QaInputError(`form ${formId} does not exist`, 'id', 'not_found');
      this.db.prepare('UPDATE qa_forms SET name_zh = ?, name_en = ? WHERE id = ?').run(def.nameZh.trim(), def.nameEn.trim(), formId);
      if (!this.isUsed(latest.id)) {
        this.db.prepare('DELETE FROM qa_form_items WHERE version_id = ?').run(latest.id);
        this.db.prepare('DELETE FROM qa_form_sections WHERE version_id = ?').run(latest.id);
        this.db.prepare('UPDATE qa_form_versions SET pass_mark = ? WHERE id = ?').run(def.passMark ?? DEFAULT_PASS_MARK, latest.id);
        this.insertSections(latest.id, def);
        return { version: this.version(latest.id)!, newVersion: false };
      }
      const vid = this.insertVersion(formId, latest.version + 1, def, userId);
      return { version: this.version(vid)!, newVersion: true };
    })();
  }

  setActive(formId: number, active: boolean): boolean {
    return this.db.prepare('UPDATE qa_forms SET active = ? WHERE id = ?').run(active ? 1 : 0, formId).changes > 0;
  }

  private insertVersion(formId: number, version: number, def: FormDefinition, userId: number | null): number {
    const vid = Number(
      this.db.prepare('INSERT INTO qa_form_versions (form_id, version, pass_mark, created_by) VALUES (?, ?, ?, ?)').run(formId, version, def.passMark ?? DEFAULT_PASS_MARK, userId).lastInsertRowid,
    );
    this.insertSections(vid, def);
    return vid;
  }

  private insertSections(vid: number, def: FormDefinition): void {
    const sec = this.db.prepare('INSERT INTO qa_form_sections (version_id, position, title_zh, title_en) VALUES (?, ?, ?, ?)');
    const item = this.db.prepare(
      'INSERT INTO qa_form_items (version_id, section_id, position, text_zh, text_en, weight, max_points, critical, na_allowed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    def.sections.forEach((s, si) => {
      const sid = Number(sec.run(vid, si + 1, s.titleZh.trim(), s.titleEn.trim()).lastInsertRowid);
      s.items.forEach((it, ii) => item.run(vid, sid, ii + 1, it.textZh.trim(), it.textEn.trim(), it.weight, it.maxPoints, it.critical ? 1 : 0, it.naAllowed ? 1 : 0));
    });
  }

  /** Used = scored with, or picked for a calibration session: frozen from then on. */
  isUsed(versionId: number): boolean {
    return !!this.db
      .prepare('SELECT 1 FROM qa_evaluations WHERE form_version_id = ? UNION ALL SELECT 1 FROM qa_calibration_sessions WHERE form_version_id = ? LIMIT 1')
      .get(versionId, versionId);
  }

  private latestVersionRow(formId: number): VersionRow | undefined {
    return this.db
      .prepare<[number], VersionRow>(
        'SELECT v.*, f.name_zh, f.name_en FROM qa_form_versions v JOIN qa_forms f ON f.id = v.form_id WHERE v.form_id = ? ORDER BY v.version DESC LIMIT 1',
      )
      .get(formId);
  }

  latestVersion(formId: number): FormVersion | undefined {
    const row = this.latestVersionRow(formId);
    return row ? this.version(row.id) : undefined;
  }

  versions(formId: number): { id: number; version: number; createdAt: string; used: boolean }[] {
    return this.db
      .prepare<[number], { id: number; version: number; created_at: string }>('SELECT id, version, created_at FROM qa_form_versions WHERE form_id = ? ORDER BY version')
      .all(formId)
      .map((r) => ({ id: r.id, version: r.version, createdAt: r.created_at, used: this.isUsed(r.id) }));
  }

  version(versionId: number): FormVersion | undefined {
    const v = this.db
      .prepare<[number], VersionRow>('SELECT v.*, f.name_zh, f.name_en FROM qa_form_versions v JOIN qa_forms f ON f.id = v.form_id WHERE v.id = ?')
      .get(versionId);
    if (!v) return undefined;
    const sections = this.db
      .prepare<[number], { id: number; position: number; title_zh: string; title_en: string }>('SELECT * FROM qa_form_sections WHERE version_id = ? ORDER BY position')
      .all(versionId);
    const items = this.db
      .prepare<[number], { id: number; section_id: number; position: number; text_zh: string; text_en: string; weight: number; max_points: number; critical: number; na_allowed: number }>(
        'SELECT * FROM qa_form_items WHERE version_id = ? ORDER BY position',
      )
      .all(versionId);
    return {
      id: v.id,
      formId: v.form_id,
      version: v.version,
      nameZh: v.name_zh,
      nameEn: v.name_en,
      passMark: v.pass_mark,
      used: this.isUsed(v.id),
      createdAt: v.created_at,
      sections: sections.map((s) => ({
        id: s.id,
        position: s.position,
        titleZh: s.title_zh,
        titleEn: s.title_en,
        items: items
          .filter((i) => i.section_id === s.id)
          .map((i) => ({ id: i.id, sectionId: i.section_id, position: i.position, textZh: i.text_zh, textEn: i.text_en, weight: i.weight, maxPoints: i.max_points, critical: i.critical === 1, naAllowed: i.na_allowed === 1 })),
      })),
    };
  }

  list(): FormSummary[] {
    return this.db
      .prepare<[], { id: number; name_zh: string; name_en: string; active: number; vid: number; version: number; pass_mark: number; items: number; evals: number }>(
        `SELECT f.id, f.name_zh, f.name_en, f.active, v.id AS vid, v.version, v.pass_mark,
                (SELECT count(*) FROM qa_form_items i WHERE i.version_id = v.id) AS items,
                (SELECT count(*) FROM qa_evaluations e JOIN qa_form_versions v2 ON v2.id = e.form_version_id WHERE v2.form_id = f.id) AS evals
           FROM qa_forms f JOIN qa_form_versions v ON v.form_id = f.id
          WHERE v.version = (SELECT max(version) FROM qa_form_versions WHERE form_id = f.id)
          ORDER BY f.active DESC, f.id`,
      )
      .all()
      .map((r) => ({ id: r.id, nameZh: r.name_zh, nameEn: r.name_en, active: r.active === 1, latestVersionId: r.vid, latestVersion: r.version, passMark: r.pass_mark, itemCount: r.items, evaluationCount: r.evals }));
  }
}
