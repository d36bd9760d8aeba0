// KPI report exports: CSV (UTF-8 with BOM for Excel, formula-safe cells) and XLSX (exceljs,
// loaded on first use). Rates are percentages in CSV and %-formatted numbers in XLSX.
import { csvCell } from '../http/csv.js';
import type { Kpis } from './kpi.js';
import type { AgentDayRow, KpiReport } from './query.js';

/** sec: seconds, dec: other decimals (both 1 decimal); rate: a fraction shown as % */
type Kind = 'text' | 'int' | 'rate' | 'sec' | 'dec';
export type ExportLang = 'en' | 'zh-CN';

export const EXPORT_COLUMNS: Array<{ key: keyof Kpis | 'period' | 'key' | 'label' | 'targetsMissed'; kind: Kind; en: string; zh: string }> = [
  { key: 'period', kind: 'text', en: 'Period', zh: '时段' },
  { key: 'key', kind: 'text', en: 'Key', zh: '编号' },
  { key: 'label', kind: 'text', en: 'Name', zh: '名称' },
  { key: 'offered', kind: 'int', en: 'Offered', zh: '呼入量' },
  { key: 'answered', kind: 'int', en: 'Answered', zh: '接通量' },
  { key: 'abandoned', kind: 'int', en: 'Abandoned', zh: '放弃量' },
  { key: 'shortAbandoned', kind: 'int', en: 'Short abandons', zh: '短时放弃' },
  { key: 'answerRate', kind: 'rate', en: 'Answer rate %', zh: '接通率 %' },
  { key: 'serviceLevel', kind: 'rate', en: 'Service level %', zh: '服务水平 %' },
  { key: 'abandonRate', kind: 'rate', en: 'Abandon rate %', zh: '呼损率 %' },
  { key: 'asaSeconds', kind: 'sec', en: 'ASA s', zh: '平均应答速度 秒' },
  { key: 'avgRingSeconds', kind: 'sec', en: 'Avg ring s', zh: '平均振铃 秒' },
  { key: 'avgTalkSeconds', kind: 'sec', en: 'Avg talk s', zh: '平均通话 秒' },
  { key: 'avgWrapSeconds', kind: 'sec', en: 'Avg after-call work s', zh: '平均后处理 秒' },
  { key: 'ahtSeconds', kind: 'sec', en: 'AHT s', zh: '平均处理时长 秒' },
  { key: 'transfers', kind: 'int', en: 'Transfers', zh: '转接次数' },
  { key: 'transferRate', kind: 'rate', en: 'Transfer rate %', zh: '转接率 %' },
  { key: 'surveys', kind: 'int', en: 'Surveys', zh: '评价数' },
  { key: 'satisfactionRate', kind: 'rate', en: 'Satisfaction %', zh: '满意率 %' },
  { key: 'dials', kind: 'int', en: 'Dials', zh: '外呼量' },
  { key: 'connected', kind: 'int', en: 'Connected', zh: '外呼接通' },
  { key: 'dropRate', kind: 'rate', en: 'Drop rate %', zh: '外呼掉线率 %' },
  { key: 'conversations', kind: 'int', en: 'Conversations', zh: '通话数' },
  { key: 'registrations', kind: 'int', en: 'Registrations', zh: '登记数' },
  { key: 'complaints', kind: 'int', en: 'Complaints', zh: '投诉数' },
  { key: 'loginSeconds', kind: 'sec', en: 'Login s', zh: '登录时长 秒' },
  { key: 'readySeconds', kind: 'sec', en: 'Ready s', zh: '就绪时长 秒' },
  { key: 'talkSeconds', kind: 'sec', en: 'Talk s', zh: '通话时长 秒' },
  { key: 'wrapSeconds', kind: 'sec', en: 'After-call work s', zh: '后处理时长 秒' },
  { key: 'pausedSeconds', kind: 'sec', en: 'Paused s', zh: '示忙时长 秒' },
  { key: 'occupancy', kind: 'rate', en: 'Occupancy %', zh: '占用率 %' },
  { key: 'utilisation', kind: 'rate', en: 'Utilisation %', zh: '利用率 %' },
  { key: 'targetsMissed', kind: 'text', en: 'Targets missed', zh: '未达标指标' },
];

type Cell = string | number | null;

/** A column of any exported table. */
export interface Column<R> {
  en: string;
  zh: string;
  kind: Kind;
  get: (r: R) => Cell;
}

const KPI_COLUMNS: Array<Column<KpiReport['rows'][number]>> = EXPORT_COLUMNS.map((c) => ({
  en: c.en,
  zh: c.zh,
  kind: c.kind,
  get: (row) => {
    if (c.key === 'period') return row.period;
    if (c.key === 'key') return row.key;
    if (c.key === 'label') return row.label;
    if (c.key === 'targetsMissed') return row.targets.filter((t) => t.met === false).map((t) => t.metric).join(' ');
    const v = row.kpis[c.key];
    return typeof v === 'number' ? v : null;
  },
}));

export const AGENT_DAY_COLUMNS: Array<Column<AgentDayRow>> = [
  { en: 'Day', zh: '日期', kind: 'text', get: (r) => r.day },
  { en: 'Agent', zh: '坐席', kind: 'text', get: (r) => r.label },
  { en: 'Team', zh: '班组', kind: 'text', get: (r) => r.team },
  { en: 'Conversations', zh: '通话数', kind: 'int', get: (r) => r.conversations },
  { en: 'Team average', zh: '班组平均', kind: 'dec', get: (r) => r.teamAverageConversations },
  { en: 'Share of average %', zh: '占平均 %', kind: 'rate', get: (r) => r.shareOfTeamAverage },
  { en: 'Registrations', zh: '登记数', kind: 'int', get: (r) => r.registrations },
  { en: 'Team average registrations', zh: '班组平均登记', kind: 'dec', get: (r) => r.teamAverageRegistrations },
  { en: 'Registrations share %', zh: '登记占平均 %', kind: 'rate', get: (r) => r.registrationsShareOfTeamAverage },
  { en: 'Below 50 %', zh: '低于标准', kind: 'text', get: (r) => (r.flagged ? 'yes' : '') },
];


const round = (v: number, dp: number) => Math.round(v * 10 ** dp) / 10 ** dp;

export function tableCsv<R>(cols: Array<Column<R>>, rows: R[], lang: ExportLang = 'en'): string {
  const lines = [cols.map((c) => csvCell(lang === 'en' ? c.en : c.zh)).join(',')];
  for (const r of rows) {
    lines.push(
      cols
        .map((c) => {
          const v = c.get(r);
          if (typeof v === 'number') return csvCell(c.kind === 'rate' ? round(v * 100, 2) : c.kind === 'sec' || c.kind === 'dec' ? round(v, 1) : v);
          return csvCell(v);
        })
        .join(','),
    );
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export async function tableXlsx<R>(cols: Array<Column<R>>, rows: R[], sheet: string, lang: ExportLang = 'en'): Promise<Buffer> {
  // Loaded on first export: exceljs costs memory the daemon need not carry.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet.slice(0, 31));
  ws.columns = cols.map((c, i) => ({
    key: `c${i}`,
    header: lang === 'en' ? c.en : c.zh,
    width: c.kind === 'text' ? 18 : 12,
    ...(c.kind === 'rate' ? { style: { numFmt: '0.00%' } } : c.kind === 'sec' || c.kind === 'dec' ? { style: { numFmt: '0.0' } } : {}),
  }));
  for (const r of rows) ws.addRow(cols.map((c) => c.get(r) ?? ''));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const kpiCsv = (r: KpiReport, lang: ExportLang = 'en'): string => tableCsv(KPI_COLUMNS, r.rows, lang);
export const kpiXlsx = (r: KpiReport, lang: ExportLang = 'en'): Promise<Buffer> => tableXlsx(KPI_COLUMNS, r.rows, `${r.dimension}-${r.period}`, lang);
