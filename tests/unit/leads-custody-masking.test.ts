// Masking rules of lead-view.ts: the shapes of masked numbers and names, and who sees full
// numbers (per role, dial mode and the agent's own claim).
import { describe, expect, it } from 'vitest';
import { maskName, maskPhone, seesFullNumber, toView, type LeadRow } from '../../firmware-agent/src/leads/lead-view.js';

describe('masking', () => {
  it('masks mobiles, landlines, short numbers and names', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('01065529988')).toBe('010****5678'.replace('5678', '9988'));
    expect(maskPhone('075588889999')).toBe('075****9999');
    expect(maskPhone('6552998')).toBe('65****98');
    expect(maskPhone('0215566')).toBe('021****66');
    expect(maskPhone('12345')).toBe('****');
    expect(maskPhone(null)).toBeNull();
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('Zhang Wei')).toBe('Z***');
  });

  it('full numbers: managers, data managers, admins always; an agent only for the lead it holds in preview mode', () => {
    const held = { claimed_by: 'agent:7' };
    const other = { claimed_by: 'agent:8' };
    for (const role of ['admin', 'manager', 'data_manager'] as const) expect(seesFullNumber({ roles: [role], agentId: null }, other, 'predictive')).toBe(true);
    for (const role of ['team_lead', 'qa', 'trainer', 'technician'] as const) expect(seesFullNumber({ roles: [role], agentId: null }, held, 'preview')).toBe(false);
    expect(seesFullNumber({ roles: ['agent'], agentId: 7 }, held, 'preview')).toBe(true);
    expect(seesFullNumber({ roles: ['agent'], agentId: 7 }, held, 'progressive')).toBe(false);
    expect(seesFullNumber({ roles: ['agent'], agentId: 7 }, held, 'predictive')).toBe(false);
    expect(seesFullNumber({ roles: ['agent'], agentId: 7 }, other, 'preview')).toBe(false);
    expect(seesFullNumber({ roles: ['agent'], agentId: 7 }, { claimed_by: null }, 'preview')).toBe(false);
  });

  it('a masked view hides the extension too and keeps the rest', () => {
    const row = { id: 1, campaign_id: 1, list_id: 1, source_line: 2, phone: '13812345678', phone_kind: 'mobile', area_code: null, extension: '801', name: '张伟', fields_json: '{"company":"华夏"}', status: 'new', attempts: 0, last_outcome: null, last_attempt_at: null, next_due_at: null, created_at: '', destroyed_at: null, custody: 'agent', team: 'A', agent_id: 7, claimed_by: null, claimed_at: null, disposition: null, callback_at: null, callback_scope: null, callback_reminded: 0 } satisfies LeadRow;
    expect(toView(row, false)).toMatchObject({ phone: '138****5678', extension: '***', name: '张*', masked: true, fields: { company: '华夏' } });
    expect(toView(row, true)).toMatchObject({ phone: '13812345678', extension: '801', name: '张伟', masked: false });
  });
});
