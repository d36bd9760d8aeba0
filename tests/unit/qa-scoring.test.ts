// QA scoring arithmetic (worked by hand on the example form), critical items, answer
// validation, time-stamped comments, the work queue, and the outlier flag at its boundary.
import { afterAll, describe, expect, it } from 'vitest';
import { computeScore } from '../../firmware-agent/src/qa/scoring.js';
import { cleanupDbs } from './agents-support.js';
import { answers, EXAMPLE_FORM, qaFixture } from './qa-forms-support.js';

afterAll(() => cleanupDbs());

describe('score arithmetic', () => {
  const { qa } = qaFixture();
  const v = qa.forms.create(EXAMPLE_FORM, null);

  it('weights items and leaves N/A items out of both sums', () => {
    // A1 4/5×2 = 1.6, A2 N/A, B1 1/1×1 = 1, B2 7/10×3 = 2.1 → 4.7 / (2+1+3) = 78.333 → 78.33, below 80.
    expect(computeScore(v, answers(v, [4, null, 1, 7]))).toEqual({ score: 78.33, rawScore: 78.33, passed: false, criticalFailed: false });
    // With A2 scored 1/1: 5.7 / 7 = 81.43 → passes.
    expect(computeScore(v, answers(v, [4, 1, 1, 7]))).toEqual({ score: 81.43, rawScore: 81.43, passed: true, criticalFailed: false });
    // A2 scored 0 counts its weight: 4.7 / 7 = 67.14.
    expect(computeScore(v, answers(v, [4, 0, 1, 7])).score).toBe(67.14);
    expect(computeScore(v, answers(v, [5, 1, 1, 10])).score).toBe(100);
    // Pass-mark boundary: A1 5/5 (2) + A2 0 + B1 1 + B2 10/10 (3) = 6 / 7 = 85.71; a score equal to the mark passes.
    expect(computeScore({ ...v, passMark: 85.71 }, answers(v, [5, 0, 1, 10])).passed).toBe(true);
    expect(computeScore({ ...v, passMark: 85.72 }, answers(v, [5, 0, 1, 10])).passed).toBe(false);
  });

  it('a failed critical item zeroes the score and fails the call', () => {
    // Raw: A1 2 + B2 3 of (2+1+3) = 5/6 = 83.33, but B1 (critical) is 0 → 0.
    expect(computeScore(v, answers(v, [5, null, 0, 10]))).toEqual({ score: 0, rawScore: 83.33, passed: false, criticalFailed: true });
  });

  it('refuses bad answers with the path', () => {
    expect(() => computeScore(v, answers(v, [6, null, 1, 7]))).toThrow('answers[0].points: must be a whole number from 0 to 5');
    expect(() => computeScore(v, answers(v, [4, null, null, 7]))).toThrow(/answers\[2\]\.points: item \d+ does not allow N\/A/);
    const items = v.sections.flatMap((s) => s.items);
    // Critical items are all or nothing.
    const critical10 = { ...v, sections: [{ ...v.sections[1]!, items: [{ ...items[2]!, maxPoints: 10 }] }] };
    expect(() => computeScore(critical10, [{ itemId: items[2]!.id, points: 5 }])).toThrow(/is scored 0 \(failed\) or 10 \(passed\)/);
    expect(() => computeScore(v, answers(v, [4, null, 1, 7]).slice(0, 3))).toThrow(/has no answer/);
    expect(() => computeScore(v, [...answers(v, [4, null, 1, 7]), { itemId: 99999, points: 1 }])).toThrow('answers[4].itemId: item 99999 is not on form version');
  });
});

describe('evaluations', () => {
  it('stores the evaluation with agent, reviewer, version, comments by position, history and deadline', () => {
    const { qa, users, agents, recording, clock } = qaFixture();
    const v = qa.forms.create(EXAMPLE_FORM, users.qa1);
    const rec = recording(agents.a1);
    expect(qa.evaluations.queue(users.qa1).map((q) => q.recordingId)).toEqual([rec]);
    const items = v.sections.flatMap((s) => s.items);
    const ev = qa.submit(
      {
        recordingId: rec,
        formVersionId: v.id,
        answers: answers(v, [5, null, 0, 10]),
        comments: [
          { positionMs: 61_500, itemId: items[2]!.id, text: 'No recording notice' },
          { positionMs: 3_200, text: 'Good greeting' },
        ],
      },
      users.qa1,
    );
    expect(ev).toMatchObject({ recordingId: rec, agentId: agents.a1, agentName: 'Li Lei', reviewerUserId: users.qa1, formVersionId: v.id, score: 0, rawScore: 83.33, passed: false, criticalFailed: true, status: 'submitted', kind: 'review' });
    expect(ev.ackDeadline).toBe(new Date(clock.t + 7 * 86_400_000).toISOString());
    const d = qa.evaluations.detail(ev.id, qa.forms)!;
    expect(d.comments.map((c) => [c.positionMs, c.text])).toEqual([
      [3200, 'Good greeting'],
      [61500, 'No recording notice'],
    ]);
    expect(d.events.map((e) => e.event)).toEqual(['submitted']);
    expect(qa.evaluations.queue(users.qa1)).toEqual([]);
    // Comment on an item of another form version is refused.
    expect(() => qa.submit({ recordingId: recording(agents.a1), formVersionId: v.id, answers: answers(v, [5, 1, 1, 10]), comments: [{ positionMs: 0, itemId: 424242, text: 'x' }] }, users.qa1)).toThrow('comments[0].itemId');
  });
});

describe('outlier flag', () => {
  /** Three earlier evaluations of 80 each by qa1 about agent a1, then one more with `last`. */
  const run = (last: [number, number, number, number]) => {
    const f = qaFixture({ outlier: { points: 20, minSamples: 3 } });
    const v = f.qa.forms.create({ ...EXAMPLE_FORM, sections: [{ titleZh: '总', titleEn: 'All', items: [{ textZh: '得分', textEn: 'Score', weight: 1, maxPoints: 100, critical: false, naAllowed: false }] }] }, null);
    const it = v.sections[0]!.items[0]!.id;
    for (let i = 0; i < 3; i++) {
      const e = f.qa.submit({ recordingId: f.recording(f.agents.a1), formVersionId: v.id, answers: [{ itemId: it, points: 80 }], comments: [] }, f.users.qa1);
      expect(e.outlier).toBe(false);
    }
    return f.qa.submit({ recordingId: f.recording(f.agents.a1), formVersionId: v.id, answers: [{ itemId: it, points: last[0] }], comments: [] }, f.users.qa1);
  };

  it('is not set at exactly the threshold (20 points) and is set just over it', () => {
    expect(run([60, 0, 0, 0]).outlier).toBe(false); // 80 − 60 = 20: not more than 20
    expect(run([100, 0, 0, 0]).outlier).toBe(false);
    const hit = run([59, 0, 0, 0]); // 21 below both means
    expect(hit.outlier).toBe(true);
    expect(hit.recheckStatus).toBe('pending');
    expect(hit.outlierReason).toBe('reviewer mean 80 over 3, deviation -21; agent mean 80 over 3, deviation -21');
  });

  it('needs minSamples earlier evaluations before it judges', () => {
    const f = qaFixture();
    const v = f.qa.forms.create(EXAMPLE_FORM, null);
    f.qa.submit({ recordingId: f.recording(f.agents.a1), formVersionId: v.id, answers: answers(v, [5, 1, 1, 10]), comments: [] }, f.users.qa1);
    const e = f.qa.submit({ recordingId: f.recording(f.agents.a1), formVersionId: v.id, answers: answers(v, [5, 1, 0, 10]), comments: [] }, f.users.qa1);
    expect(e.score).toBe(0);
    expect(e.outlier).toBe(false); // 100 points off, but only one earlier evaluation
  });

  it('a QA manager confirms or adjusts a flagged score', () => {
    const f = qaFixture();
    const v = f.qa.forms.create(EXAMPLE_FORM, null);
    const sub = (pts: number[]) => f.qa.submit({ recordingId: f.recording(f.agents.a2), formVersionId: v.id, answers: answers(v, pts), comments: [] }, f.users.lead);
    for (let i = 0; i < 3; i++) sub([5, 1, 1, 10]);
    const low = sub([1, 0, 1, 2]); // (0.4 + 0 + 1 + 0.6) / 7 = 28.57
    expect(low.score).toBe(28.57);
    expect(low.outlier).toBe(true);
    expect(f.qa.evaluations.list({ outlierPending: true }).map((e) => e.id)).toEqual([low.id]);
    f.qa.appeals.recheck(low.id, f.users.boss, { action: 'adjust', score: 60, note: 'misheard part 2' });
    const after = f.qa.evaluations.summary(low.id)!;
    expect(after).toMatchObject({ recheckStatus: 'adjusted', score: 60, passed: false });
    expect(() => f.qa.appeals.recheck(low.id, f.users.boss, { action: 'confirm' })).toThrow(/no pending re-check/);
    const events = f.qa.evaluations.detail(low.id, f.qa.forms)!.events;
    expect(events.map((e) => e.event)).toEqual(['submitted', 'outlier_flagged', 'recheck_adjusted']);
    expect(events[2]!.detail).toEqual({ oldScore: 28.57, newScore: 60, note: 'misheard part 2' });
  });
});
