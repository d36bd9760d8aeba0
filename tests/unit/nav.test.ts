// The console menu per role: an agent-only account sees its own pages (desk, its figures, its
// tickets); anyone with another role sees the whole tree (the API checks roles on every route).
import { describe, expect, it } from 'vitest';
import { matchRoute, NAV, navFor } from '../../web-ui/src/nav.js';

const paths = (sections: ReturnType<typeof navFor>) => sections.flatMap((s) => s.items.flatMap((i) => [i.path, ...(i.children ?? []).map((c) => c.path)]));

describe('navFor', () => {
  it('gives an agent-only account the desk, its QA results, reports (my figures) and its tickets list only', () => {
    expect(paths(navFor(['agent']))).toEqual(['/desk', '/qa', '/qa/evaluations', '/qa/assessments', '/reports', '/tickets', '/tickets/list']);
    for (const p of paths(navFor(['agent']))) expect(matchRoute(p)).not.toBeNull();
  });
  it('gives every other role (alone or with agent) the whole tree', () => {
    for (const roles of [['admin'], ['manager'], ['team_lead'], ['agent', 'team_lead'], ['qa'], ['technician']]) expect(navFor(roles)).toBe(NAV);
    expect(paths(NAV)).toContain('/system/update');
    expect(paths(navFor(['agent']))).not.toContain('/system/update');
  });
});
