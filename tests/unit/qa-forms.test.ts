// QA forms on a real SQLite file: validation names the path, editing an unused version edits in
// place, editing a used version makes the next version and old evaluations keep theirs.
import { afterAll, describe, expect, it } from 'vitest';
import { QaInputError, validateDefinition, type FormDefinition } from '../../firmware-agent/src/qa/forms.js';
import { cleanupDbs } from './agents-support.js';
import { answers, EXAMPLE_FORM, qaFixture } from './qa-forms-support.js';

afterAll(() => cleanupDbs());

const clone = (): FormDefinition => JSON.parse(JSON.stringify(EXAMPLE_FORM)) as FormDefinition;

describe('form validation', () => {
  it('names the path of the bad field', () => {
    const bad = clone();
    bad.sections[1]!.items[0]!.weight = 0;
    expect(() => validateDefinition(bad)).toThrow('sections[1].items[0].weight: must be a number above 0');
    const blank = clone();
    blank.sections[0]!.items[1]!.textZh = '  ';
    try {
      validateDefinition(blank);
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(QaInputError);
      expect((e as QaInputError).field).toBe('sections[0].items[1].textZh');
    }
    const empty = clone();
    empty.sections[0]!.items = [];
    expect(() => validateDefinition(empty)).toThrow('sections[0].items: a section needs at least one item');
    const allNa = clone();
    for (const s of allNa.sections) for (const it of s.items) it.naAllowed = true;
    expect(() => validateDefinition(allNa)).toThrow(/at least one item must not allow N\/A/);
    expect(() => validateDefinition({ ...clone(), sections: [] })).toThrow('sections: a form needs at least one section');
    expect(() => validateDefinition(clone())).not.toThrow();
  });
});

describe('form versions', () => {
  it('stores sections and items in order with the default pass mark', () => {
    const { qa } = qaFixture();
    const def = clone();
    delete def.passMark;
    const v = qa.forms.create(def, null);
    expect(v.version).toBe(1);
    expect(v.passMark).toBe(80);
    expect(v.sections.map((s) => s.titleEn)).toEqual(['Opening', 'Compliance']);
    expect(v.sections[1]!.items.map((i) => [i.textEn, i.weight, i.maxPoints, i.critical, i.naAllowed])).toEqual([
      ['Says the call is recorded', 1, 1, true, false],
      ['Presents the product correctly', 3, 10, false, false],
    ]);
    expect(qa.forms.list()).toEqual([expect.objectContaining({ id: v.formId, latestVersion: 1, itemCount: 4, evaluationCount: 0, active: true })]);
  });

  it('edits an unused version in place, versions a used one, and old evaluations keep their version', () => {
    const { qa, users, agents, recording } = qaFixture();
    const v1 = qa.forms.create(clone(), users.qa1);
    const edit = clone();
    edit.sections[0]!.items[0]!.weight = 4;
    const r1 = qa.forms.update(v1.formId, edit, users.qa1);
    expect(r1.newVersion).toBe(false);
    expect(r1.version.id).toBe(v1.id);
    expect(r1.version.sections[0]!.items[0]!.weight).toBe(4);

    // Score a call with version 1: it is now frozen.
    const v1now = qa.forms.version(v1.id)!;
    const ev = qa.submit({ recordingId: recording(agents.a1), formVersionId: v1.id, answers: answers(v1now, [5, 1, 1, 10]), comments: [] }, users.qa1);
    expect(qa.forms.version(v1.id)!.used).toBe(true);

    const edit2 = clone();
    edit2.passMark = 90;
    edit2.sections[0]!.items.push({ textZh: '结束语', textEn: 'Closes politely', weight: 1, maxPoints: 2, critical: false, naAllowed: false });
    const r2 = qa.forms.update(v1.formId, edit2, users.qa1);
    expect(r2.newVersion).toBe(true);
    expect(r2.version.version).toBe(2);
    expect(r2.version.id).not.toBe(v1.id);
    expect(r2.version.passMark).toBe(90);
    // Version 1 is unchanged: four items, weight 4 on A1, pass mark 80.
    const old = qa.forms.version(v1.id)!;
    expect(old.sections.flatMap((s) => s.items)).toHaveLength(4);
    expect(old.sections[0]!.items[0]!.weight).toBe(4);
    expect(old.passMark).toBe(80);
    // The evaluation still points at version 1 and its detail shows version 1.
    const detail = qa.evaluations.detail(ev.id, qa.forms)!;
    expect(detail.formVersionId).toBe(v1.id);
    expect(detail.formVersion).toBe(1);
    expect((detail.form as { id: number }).id).toBe(v1.id);
    expect(qa.forms.versions(v1.formId).map((x) => [x.version, x.used])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(qa.forms.latestVersion(v1.formId)!.id).toBe(r2.version.id);
  });

  it('refuses new reviews on a retired form', () => {
    const { qa, users, agents, recording } = qaFixture();
    const v = qa.forms.create(clone(), users.qa1);
    qa.forms.setActive(v.formId, false);
    expect(() => qa.submit({ recordingId: recording(agents.a1), formVersionId: v.id, answers: answers(v, [5, 1, 1, 10]), comments: [] }, users.qa1)).toThrow(/inactive/);
  });
});

describe('demo seed', () => {
  it('seeds the example form once on a demo box with no form, never on a real box', async () => {
    const { db } = qaFixture();
    const { QaModule } = await import('../../firmware-agent/src/qa/qa-module.js');
    await new QaModule({ db }).start();
    expect(new QaModule({ db }).forms.list()).toEqual([]);
    const demo = new QaModule({ db, demo: true });
    await demo.start();
    await demo.start();
    const list = demo.forms.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ nameEn: 'Outbound call QA form', itemCount: 7, latestVersion: 1 });
  });
});
