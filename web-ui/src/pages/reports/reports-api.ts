// Reports API client; the response types are the server's own (reports/*.ts).
import type { Kpis, ReportParams } from '../../../../firmware-agent/src/reports/kpi.js';
import type { AgentDayRow, Dimension, KpiReport, KpiRow } from '../../../../firmware-agent/src/reports/query.js';
import type { Run, RunKind, RunSummary } from '../../../../firmware-agent/src/reports/runs.js';
import type { Target, TargetCheck, TargetMetric, TargetScope } from '../../../../firmware-agent/src/reports/targets.js';
import type { Period } from '../../../../firmware-agent/src/reports/time.js';
import { API_BASE, request } from '../../api.js';

export type { AgentDayRow, Dimension, KpiReport, KpiRow, Kpis, Period, ReportParams, Run, RunKind, RunSummary, Target, TargetCheck, TargetMetric, TargetScope };

export type AgentDaily = { from: string; to: string; registrationsAvailable: boolean; rows: AgentDayRow[] };
export type MyRun = RunSummary & { rows: KpiRow[]; days: AgentDayRow[] };
export type ExportFormat = 'csv' | 'xlsx';

const qs = (o: Record<string, string | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
    .join('&');

export interface KpiQuery {
  dimension: Dimension;
  period: Period;
  from: string;
  to: string;
}

export const reportsApi = {
  kpis: (q: KpiQuery) => request<KpiReport>('GET', `/reports/kpis?${qs({ ...q })}`),
  kpisUrl: (q: KpiQuery, format: ExportFormat, lang: string) => `${API_BASE}/reports/kpis?${qs({ ...q, format, lang })}`,
  agentDaily: (from: string, to: string) => request<AgentDaily>('GET', `/reports/agent-daily?${qs({ from, to })}`),
  agentDailyUrl: (from: string, to: string, format: ExportFormat, lang: string) => `${API_BASE}/reports/agent-daily?${qs({ from, to, format, lang })}`,
  targets: () => request<Target[]>('GET', '/reports/targets'),
  saveTargets: (targets: Target[]) => request<Target[]>('PUT', '/reports/targets', { targets }),
  settings: () => request<ReportParams>('GET', '/reports/settings'),
  saveSettings: (p: ReportParams) => request<ReportParams>('PUT', '/reports/settings', p),
  runs: (kind?: RunKind) => request<RunSummary[]>('GET', `/reports/runs${kind ? `?kind=${kind}` : ''}`),
  generate: (kind: RunKind, from?: string) => request<RunSummary>('POST', '/reports/runs', from ? { kind, from } : { kind }),
  publish: (id: number) => request<RunSummary>('POST', `/reports/runs/${id}/publish`, {}),
  runUrl: (id: number, dimension: Dimension, format: ExportFormat, lang: string) => `${API_BASE}/reports/runs/${id}?${qs({ dimension, format, lang })}`,
  myRuns: () => request<MyRun[]>('GET', '/reports/my-runs'),
};

export const isManager = (roles: readonly string[]) => roles.includes('admin') || roles.includes('manager');
export const isReader = (roles: readonly string[]) => isManager(roles) || roles.includes('team_lead');
