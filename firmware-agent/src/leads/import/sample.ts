// Lead files for newcomers and benchmarks: the messy GBK sample the demo offers for download
// (also shipped as tests/fixtures/leads/sample-messy-gbk.csv) and a generator of large messy
// files shaped like what vendors sell.
import { encodeGbk } from './encoding.js';

/**
 * The sample, one entry per physical line (CRLF-joined like Excel writes). Its check report by
 * construction: 17 rows; 9 unique valid numbers; 2 duplicate rows (lines 11 and 17 repeat
 * line 2); 6 invalid rows (lines 9, 10, 14, 16, 18, 19). Line 5 is blank; lines 12-13 are one
 * row (an address with a newline).
 */
export const SAMPLE_LINES = [
  '姓名,手机号码,地址,备注,性别,公司,来源渠道',
  '张伟,13812345678,北京市朝阳区建国路88号,老客户,男,北京华信科技有限公司,展会',
  '李娜,１３９ １２３４ ５６７８,上海市浦东新区,全角数字,女,,网络',
  '王芳,+86 137-1234-5678,广州市天河区,带国家码,女,,',
  '',
  '刘洋,0086 13612345678,,0086前缀,男,,',
  '陈静,(010) 8765-4321,北京市海淀区,座机,女,北京星河商贸,',
  '杨磊,0755-86123456转123,深圳市南山区,分机,男,深圳前海物流,',
  '赵敏,1.38E+10,,Excel科学计数法,女,,',
  '黄勇,1381234567,,少一位,男,,',
  '周杰,13812345678,,与第2行重复,男,,',
  '吴婷,"139-8765-4321","杭州市西湖区',
  '文三路100号",地址含换行,女,,',
  '徐强,87654321,,缺区号,男,,',
  '孙丽,０２１－６２３４５６７８,上海市静安区,全角座机,女,,',
  '胡军,12345678901,,不是手机号段,男,,',
  '朱红,138 1234 5678,,与第2行重复（空格）,女,,',
  '郭涛,abc123,,乱码,男,,',
  '何平,,,缺号码,男,,',
  '高峰,0571.8812.3456,杭州市,点分隔,男,,',
];

export const SAMPLE_FILE_NAME = 'sample-messy-gbk.csv';

/** The sample as Excel in China saves it: GBK, CRLF. */
export function sampleLeadsCsv(): Buffer {
  return encodeGbk(`${SAMPLE_LINES.join('\r\n')}\r\n`);
}

/** Small deterministic PRNG (mulberry32): the same file for the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌波宁飞云龙浩宇欣怡晨阳';
const CITIES = ['北京市朝阳区', '上海市浦东新区', '广州市天河区', '深圳市南山区', '杭州市西湖区', '成都市武侯区', '武汉市洪山区', '南京市鼓楼区', '西安市雁塔区', '重庆市渝中区'];
const AREAS = ['010', '021', '020', '0755', '0571', '028', '027', '025', '029', '023'];
const FULL = '０１２３４５６７８９';

export interface MessyFile {
  bytes: Buffer;
  /** What a correct check must report, by construction. */
  expected: { rows: number; valid: number; duplicates: number; invalid: number };
}

/**
 * `rows` data rows of a vendor file in GBK: mobiles and landlines written every way vendors
 * write them (spaces, dashes, +86/0086, full-width digits, brackets, extensions), ~2% invalid,
 * ~1% duplicates, a blank line now and then and an occasional address with a newline.
 */
export function messyLeadsCsv(rows: number, seed = 6): MessyFile {
  const rand = rng(seed);
  const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(rand() * xs.length)]!;
  const lines = ['客户姓名,联系电话,地址,备注,性别'];
  const used: string[] = [];
  let valid = 0;
  let duplicates = 0;
  let invalid = 0;
  let serial = 0;
  for (let i = 0; i < rows; i++) {
    if (i > 0 && i % 997 === 0) lines.push('');
    const name = pick(SURNAMES) + pick(GIVEN) + (rand() < 0.5 ? pick(GIVEN) : '');
    const roll = rand();
    let phone: string;
    if (roll < 0.02) {
      invalid++;
      phone = pick(['1.38E+10', '1381234567', '12345678', '86-0000', '无', '']);
    } else if (roll < 0.03 && used.length > 0) {
      duplicates++;
      phone = pick(used);
    } else {
      valid++;
      serial++;
      const mobile = rand() < 0.8;
      let digits: string;
      if (mobile) {
        digits = `1${3 + Math.floor(rand() * 7)}${String(serial).padStart(9, '0')}`;
        const style = rand();
        phone =
          style < 0.5 ? digits
          : style < 0.65 ? `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`
          : style < 0.75 ? `+86 ${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`
          : style < 0.85 ? `0086${digits}`
          : [...digits].map((d) => FULL[Number(d)]).join('');
      } else {
        const area = pick(AREAS);
        const local = `${2 + (serial % 8)}${String(serial).padStart(7, '0')}`;
        digits = area + local;
        const style = rand();
        phone = style < 0.4 ? `${area}-${local}` : style < 0.7 ? `(${area})${local}` : style < 0.85 ? `${area}-${local}转${100 + (serial % 900)}` : `${area} ${local}`;
      }
      used.push(phone);
    }
    const city = pick(CITIES);
    const no = Math.floor(rand() * 999);
    const address = rand() < 0.002 ? `"${city}\n${no}号"` : `${city}${no}号`;
    lines.push(`${name},${phone},${address},${rand() < 0.1 ? '意向客户' : ''},${rand() < 0.5 ? '男' : '女'}`);
  }
  return { bytes: encodeGbk(`${lines.join('\r\n')}\r\n`), expected: { rows, valid, duplicates, invalid } };
}
