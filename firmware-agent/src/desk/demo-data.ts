// Demo leads' identity data (demo mode only): a plausible resident ID number with a valid
// GB 11643-1999 check digit and a street address, generated deterministically from the lead's
// index, so the desk's identity check can be tried with the values shown in the lead lists.
// The numbers use real region codes but are made up (fictitious people of the demo).
import { idCheckChar } from './identity.js';

const REGIONS: Record<string, { code: string; districts: string[] }> = {
  北京: { code: '110105', districts: ['朝阳区', '海淀区', '东城区', '西城区'] },
  上海: { code: '310104', districts: ['徐汇区', '浦东新区', '静安区', '长宁区'] },
};
const ROADS = ['建国路', '中山路', '人民路', '解放路', '长江路', '和平街'];

/** The demo's script: customer fields, no sensitive ones (those wait for the identity check). */
export const DEMO_SCRIPT =
  '您好，请问是{{name}}吗？我是{{fields.company}}的客服。您在{{fields.city}}的宽带本月可以免费升级到千兆，' +
  '办理时需要先核对您的姓名和身份证号（核验后可看到收货地址），请问现在方便吗？';

export function demoIdentityFields(i: number, city: string): { id_number: string; address: string } {
  const r = REGIONS[city] ?? REGIONS['北京']!;
  const year = 1960 + ((i * 7) % 40);
  const month = 1 + ((i * 5) % 12);
  const day = 1 + ((i * 11) % 28);
  const seq = String((i * 37) % 1000).padStart(3, '0');
  const first17 = `${r.code}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`;
  const district = r.districts[i % r.districts.length]!;
  return { id_number: first17 + idCheckChar(first17), address: `${city}市${district}${ROADS[i % ROADS.length]}${(i % 200) + 1}号` };
}
