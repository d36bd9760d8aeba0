// The navigation tree and the routes of the signed-in console.
import type { IconName } from './components/Icon.js';
import type { MessageKey } from './i18n/index.js';

export type PageKind = 'people' | 'qaSampling' | 'qaReports' | 'qaAssessments' | 'qaScore' | 'qaEvaluations' | 'qaAppeals' | 'qaCalibration' | 'qaForms' | 'training' | 'reports' | 'wallboard' | 'tickets' | 'threats' | 'registrations' | 'agentDesk' | 'outboundDialer' | 'outboundCampaigns' | 'outboundCustody' | 'outboundDnc' | 'leadsImport' | 'dashboard' | 'systemStatus' | 'placeholder' | 'liveBoard' | 'agents' | 'systemUpdate' | 'systemBackup' | 'seats' | 'trunks' | 'hardware' | 'inboundIvr' | 'inboundQueues' | 'inboundCallbacks' | 'recordings' | 'fax' | 'sms';

export interface NavItem {
  path: string;
  label: MessageKey;
  icon: IconName;
  page: PageKind;
  /** placeholder pages: what the area will hold */
  desc?: MessageKey;
  children?: NavItem[];
}

export interface NavSection {
  title: MessageKey;
  items: NavItem[];
}

export const NAV: NavSection[] = [
  {
    title: 'nav.section.overview',
    items: [
      { path: '/', label: 'nav.dashboard', icon: 'dashboard', page: 'dashboard' },
      // The agent's one screen (issue 8); agents land here (app.tsx).
      { path: '/desk', label: 'nav.desk', icon: 'headset', page: 'agentDesk' },
      // Full-screen TV board, rendered without the console shell (app.tsx).
      { path: '/wallboard', label: 'nav.wallboard', icon: 'activity', page: 'wallboard' },
    ],
  },
  {
    title: 'nav.section.callCenter',
    items: [
      {
        path: '/agents',
        label: 'nav.agents',
        icon: 'users',
        page: 'liveBoard',
        children: [
          { path: '/agents/board', label: 'nav.liveBoard', icon: 'activity', page: 'liveBoard' },
          { path: '/agents/list', label: 'nav.agentsManage', icon: 'headset', page: 'agents' },
          { path: '/agents/seats', label: 'nav.seats', icon: 'phone', page: 'seats' },
        ],
      },
      {
        path: '/inbound',
        label: 'nav.inbound',
        icon: 'inbound',
        page: 'inboundIvr',
        children: [
          { path: '/inbound/ivr', label: 'nav.inboundIvr', icon: 'inbound', page: 'inboundIvr' },
          { path: '/inbound/queues', label: 'nav.inboundQueues', icon: 'users', page: 'inboundQueues' },
          { path: '/inbound/callbacks', label: 'nav.inboundCallbacks', icon: 'phone', page: 'inboundCallbacks' },
        ],
      },
      {
        path: '/outbound',
        label: 'nav.outbound',
        icon: 'outbound',
        page: 'placeholder',
        children: [
          { path: '/outbound/campaigns', label: 'nav.outboundCampaigns', icon: 'outbound', page: 'outboundCampaigns' },
          { path: '/outbound/import', label: 'nav.leadsImport', icon: 'layers', page: 'leadsImport' },
          { path: '/outbound/custody', label: 'nav.outboundCustody', icon: 'users', page: 'outboundCustody' },
          { path: '/outbound/dnc', label: 'nav.outboundDnc', icon: 'lock', page: 'outboundDnc' },
          { path: '/outbound/dialer', label: 'nav.dialer', icon: 'activity', page: 'outboundDialer' },
          { path: '/outbound/sms', label: 'nav.sms', icon: 'phone', page: 'sms' },
        ],
      },
      { path: '/recordings', label: 'nav.recordings', icon: 'mic', page: 'recordings' },
    ],
  },
  {
    title: 'nav.section.management',
    items: [
      {
        path: '/qa',
        label: 'nav.qa',
        icon: 'qa',
        page: 'qaScore',
        children: [
          { path: '/qa/score', label: 'nav.qaScore', icon: 'qa', page: 'qaScore' },
          // Agents reach their own results here (AGENT_PATHS).
          { path: '/qa/evaluations', label: 'nav.qaEvaluations', icon: 'check', page: 'qaEvaluations' },
          { path: '/qa/appeals', label: 'nav.qaAppeals', icon: 'alert', page: 'qaAppeals' },
          { path: '/qa/calibration', label: 'nav.qaCalibration', icon: 'users', page: 'qaCalibration' },
          { path: '/qa/forms', label: 'nav.qaForms', icon: 'layers', page: 'qaForms' },
          { path: '/qa/sampling', label: 'nav.qaSampling', icon: 'layers', page: 'qaSampling' },
          { path: '/qa/reports', label: 'nav.qaReports', icon: 'chart', page: 'qaReports' },
          // Agents read their own monthly assessment (AGENT_PATHS).
          { path: '/qa/assessments', label: 'nav.qaAssessments', icon: 'check', page: 'qaAssessments' },
        ],
      },
      { path: '/training', label: 'nav.training', icon: 'check', page: 'training' },
      { path: '/people', label: 'nav.people', icon: 'users', page: 'people' },
      { path: '/schedule', label: 'nav.schedule', icon: 'calendar', page: 'placeholder', desc: 'area.schedule.desc' },
      { path: '/reports', label: 'nav.reports', icon: 'chart', page: 'reports' },
      { path: '/fax-sms', label: 'nav.faxSms', icon: 'printer', page: 'fax' },
      {
        path: '/tickets',
        label: 'nav.tickets',
        icon: 'alert',
        page: 'tickets',
        children: [
          { path: '/tickets/list', label: 'nav.ticketsList', icon: 'layers', page: 'tickets' },
          { path: '/tickets/threats', label: 'nav.threats', icon: 'warning', page: 'threats' },
          { path: '/tickets/registrations', label: 'nav.registrations', icon: 'check', page: 'registrations' },
        ],
      },
    ],
  },
  {
    title: 'nav.section.system',
    items: [
      {
        path: '/system',
        label: 'nav.system',
        icon: 'server',
        page: 'systemStatus',
        children: [
          { path: '/system/status', label: 'nav.systemStatus', icon: 'activity', page: 'systemStatus' },
          { path: '/system/trunks', label: 'nav.trunks', icon: 'outbound', page: 'trunks' },
          { path: '/system/cards', label: 'nav.cards', icon: 'cpu', page: 'hardware' },
          { path: '/system/update', label: 'nav.systemUpdate', icon: 'package', page: 'systemUpdate' },
          { path: '/system/backup', label: 'nav.systemBackup', icon: 'layers', page: 'systemBackup' },
          {
            path: '/system/maintenance',
            label: 'nav.systemMaintenance',
            icon: 'tool',
            page: 'placeholder',
            desc: 'area.systemMaintenance.desc',
          },
        ],
      },
    ],
  },
];

/**
 * What an agent-only account sees in the menu: its own desk, its published figures and its own
 * tickets. Hiding the rest is convenience, not security: every API route checks roles itself.
 */
const AGENT_PATHS = new Set(['/desk', '/reports', '/qa', '/qa/evaluations', '/qa/assessments', '/tickets', '/tickets/list']);

export function navFor(roles: readonly string[]): NavSection[] {
  if (roles.length === 0 || roles.some((r) => r !== 'agent')) return NAV;
  return NAV.map((section) => ({
    ...section,
    items: section.items.flatMap((item): NavItem[] => {
      if (!AGENT_PATHS.has(item.path)) return [];
      return item.children ? [{ ...item, children: item.children.filter((c) => AGENT_PATHS.has(c.path)) }] : [item];
    }),
  })).filter((section) => section.items.length > 0);
}

export interface RouteMatch {
  item: NavItem;
  parent?: NavItem;
}

/** The nav item for a path ('/system' → its first child), or null (not found). */
export function matchRoute(path: string): RouteMatch | null {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const section of NAV) {
    for (const item of section.items) {
      if (item.children) {
        if (p === item.path && item.children[0]) return { item: item.children[0], parent: item };
        for (const child of item.children) if (child.path === p) return { item: child, parent: item };
      } else if (item.path === p) {
        return { item };
      }
    }
  }
  return null;
}
