// Calibration sessions on a real SQLite file: three reviewers score one call independently;
// scores stay hidden until all have scored; then the spread, worked by hand:
//   qa1 [A1 5, A2 1, B1 1, B2 10] = 100; qa2 [4, N/A, 1, 7] = 4.7/6 = 78.33;
//   lead [3, 0, 1, 6] = (1.2 + 0 + 1 + 1.8)/7 = 57.14.
//   total: min 57.14, max 100, mean 235.47/3 = 78.49, population SD 17.50;
//   deviations: qa1 +21.51, qa2 −0.16, lead −21.35.
//   A1 [3,5,4]: mean 4, SD √(2/3) = 0.82; A2 [0,1] (qa2 N/A): n 2, mean 0.5, SD 0.5;
//   B1 [1,1,1]: SD 0; B2 [6,10,7]: mean 7.67, SD √(26/9) = 1.70.
import { afterAll, describe, expect, it } from 'vitest';
import { spread } from '../../firmware-agent/src/qa/calibration.js';
import { cleanupDbs } from './agents-support.js';
import { answers, EXAMPLE_FORM, qaFixture } from './qa-forms-support.js';

afterAll(() => cleanupDbs());

describe('spread', () => {
  it('min, max, mean and population SD', () => {
    expect(spread([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ n: 8, min: 2, max: 9, mean: 5, sd: 2 });
    expect(spread([])).toEqual({ n: 0, min: null, max: null, mean: null, sd: null });
    expect(spread([70])).toEqual({ n: 1, min: 70, max: 70, mean: 70, sd: 0 });
  });
});

describe('calibration session', () => {
  it('hides scores until everyone scored, then shows the spread per item and in total', () => {
    const { qa, users, agents, recording } = qaFixture();
    const v = qa.forms.create(EXAMPLE_FORM, users.boss);
    const rec = recording(agents.a1);

    // Only reviewers (qa, team_lead, manager) can be members; the error names the entry.
    expect(() => qa.calibration.create({ title: 'Week 45', recordingId: rec, formVersionId: v.id, reviewerUserIds: [users.qa1, users.qa2, users.tech] }, users.boss)).toThrow(
      /^reviewerUserIds\[2\]: user \d+ is not a reviewer/,
    );
    expect(() => qa.calibration.create({ title: 'Week 45', recordingId: rec, formVersionId: v.id, reviewerUserIds: [users.qa1, users.qa1] }, users.boss)).toThrow(/at least two different reviewers/);

    const s = qa.calibration.create({ title: 'Week 45', recordingId: rec, formVersionId: v.id, reviewerUserIds: [users.qa1, users.qa2, users.lead] }, users.boss);
    expect(s).toMatchObject({ status: 'open', complete: false, revealed: false, total: null, items: [] });
    // The version is now in use: frozen.
    expect(qa.forms.version(v.id)!.used).toBe(true);

    const body = (pts: (number | null)[]) => ({ recordingId: rec, formVersionId: v.id, answers: answers(v, pts), comments: [], calibrationSessionId: s.id });
    qa.submit(body([5, 1, 1, 10]), users.qa1);
    expect(() => qa.submit(body([5, 1, 1, 10]), users.qa1)).toThrow(/already scored/);
    expect(() => qa.submit(body([5, 1, 1, 10]), users.boss)).toThrow(/not a reviewer of calibration session/);
    qa.submit(body([4, null, 1, 7]), users.qa2);

    const mid = qa.calibration.view(s.id, { userId: users.qa1, manager: false })!;
    expect(mid.revealed).toBe(false);
    expect(mid.total).toBeNull();
    // Own score visible, others' hidden; who has scored is visible.
    expect(mid.reviewers.map((r) => [r.name, r.scored, r.score])).toEqual([
      ['lead', false, null],
      ['qa1', true, 100],
      ['qa2', true, null],
    ]);
    expect(qa.calibration.view(s.id, { userId: users.ag1, manager: false })).toBeUndefined();
    // Calibration scores are not reviews: not in the queue count, not in lists, no deadline, no outlier.
    expect(qa.evaluations.list({}).length).toBe(0);
    expect(qa.evaluations.queue(users.qa1).map((q) => q.recordingId)).toEqual([rec]);

    qa.submit(body([3, 0, 1, 6]), users.lead);
    const done = qa.calibration.view(s.id, { userId: users.boss, manager: true })!;
    expect(done.complete).toBe(true);
    expect(done.revealed).toBe(true);
    expect(done.total).toEqual({ n: 3, min: 57.14, max: 100, mean: 78.49, sd: 17.5 });
    expect(done.reviewers.map((r) => [r.name, r.score, r.deviation])).toEqual([
      ['lead', 57.14, -21.35],
      ['qa1', 100, 21.51],
      ['qa2', 78.33, -0.16],
    ]);
    // Points per item in reviewer order (lead, qa1, qa2).
    expect(done.items.map((i) => [i.points, i.stats])).toEqual([
      [[3, 5, 4], { n: 3, min: 3, max: 5, mean: 4, sd: 0.82 }],
      [[0, 1, null], { n: 2, min: 0, max: 1, mean: 0.5, sd: 0.5 }],
      [[1, 1, 1], { n: 3, min: 1, max: 1, mean: 1, sd: 0 }],
      [[6, 10, 7], { n: 3, min: 6, max: 10, mean: 7.67, sd: 1.7 }],
    ]);
    expect(qa.calibration.list()).toEqual([expect.objectContaining({ id: s.id, reviewers: 3, scored: 3, status: 'open' })]);
  });

  it('closing early reveals the spread of those who scored and stops further scores', () => {
    const { qa, users, agents, recording } = qaFixture();
    const v = qa.forms.create(EXAMPLE_FORM, users.boss);
    const rec = recording(agents.a2);
    const s = qa.calibration.create({ title: 'Spot check', recordingId: rec, formVersionId: v.id, reviewerUserIds: [users.qa1, users.qa2, users.lead] }, users.boss);
    const body = (pts: (number | null)[]) => ({ recordingId: rec, formVersionId: v.id, answers: answers(v, pts), comments: [], calibrationSessionId: s.id });
    qa.submit(body([5, 1, 1, 10]), users.qa1); // 100
    qa.submit(body([5, 1, 0, 10]), users.qa2); // critical failed: 0
    const closed = qa.calibration.close(s.id, users.boss);
    expect(closed).toMatchObject({ status: 'closed', complete: false, revealed: true, total: { n: 2, min: 0, max: 100, mean: 50, sd: 50 } });
    expect(() => qa.submit(body([5, 1, 1, 10]), users.lead)).toThrow(/is closed/);
    expect(() => qa.calibration.close(s.id, users.boss)).toThrow(/already closed/);
  });
});
