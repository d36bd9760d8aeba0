// SMS PDU codec against known PDUs from public references, plus round-trip properties.
// Sources:
//  [DF]  dreamfabric "SMS messages and the PDU format" (mirrored at
//        http://www.turbocontrol.com/CoolStuff/SMS%20messages%20and%20the%20PDU%20format.htm and
//        http://subnets.ru/saved/sms_pdu_format.html): the "hellohello" SMS-SUBMIT and SMS-DELIVER.
//  [PGM] faucamp/python-gsmmodem test/test_pdu.py: SUBMIT "Hello World!", UCS-2 "世界您好！",
//        the 3-part concatenated "Lorem ipsum" SUBMIT, DELIVERs, a STATUS-REPORT, validity steps.
//  [AMRO] http://amro.blogspot.com/2007/09/receiving-sms-status-report-message.html: a +CDS TPDU.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseEncoding,
  decodePdu,
  decodeValidity,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  encodeValidity,
  gsm7Septets,
  LIMITS,
  PduError,
  smsInfo,
  splitText,
  type DecodedDeliver,
  type DecodedStatusReport,
  type DecodedSubmit,
} from '../../firmware-agent/src/sms/pdu.js';

describe('SMS-SUBMIT against known PDUs', () => {
  it('[DF] hellohello, GSM-7, VP AA (4 days), no status report', () => {
    const [p] = encodeSubmit({ to: '+46708251358', text: 'hellohello', statusReport: false, validityMinutes: 4 * 1440 });
    expect(p!.hex).toBe('0011000B916407281553F80000AA0AE8329BFD4697D9EC37');
    expect(p!.tpduLength).toBe(23);
  });

  it('[PGM] "Hello World!" without validity period', () => {
    const [p] = encodeSubmit({ to: '+27820001111', text: 'Hello World!', statusReport: false, validityMinutes: null });
    expect(p!.hex).toBe('0001000B917228001011F100000CC8329BFD065DDF72363904');
  });

  it('[PGM] UCS-2 "世界您好！" with SMSC and 52-week validity', () => {
    const [p] = encodeSubmit({ to: '+123456789', text: '世界您好！', statusReport: false, validityMinutes: 52 * 7 * 1440, smsc: '+44000000000' });
    expect(p!.hex).toBe('07914400000000F01100099121436587F90008F40A4E16754C60A8597DFF01');
    expect(p!.tpduLength).toBe(23); // SMSC part (8 octets) not counted by AT+CMGS
  });

  it('[PGM] 3-part concatenated GSM-7 (153 septets per part, UDH fill bit, reject duplicates)', () => {
    const text =
      'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.Ut enim ad minim veniam, quinostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.Duis aute irure dolor in reprehenderit in voluptate velit esse cillum doloe eu fugiat nulla pariatur.Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum';
    const parts = encodeSubmit({ to: '+15125551234', text, statusReport: false, validityMinutes: null, rejectDuplicates: true, concatRef: 0 });
    expect(parts.map((p) => p.hex)).toEqual([
      '0045000B915121551532F40000A0050003000301986F79B90D4AC3E7F53688FC66BFE5A0799A0E0AB7CB741668FC76CFCB637A995E9783C2E4343C3D4F8FD3EE33A8CC4ED359A079990C22BF41E5747DDE7E9341F4721BFE9683D2EE719A9C26D7DD74509D0E6287C56F791954A683C86FF65B5E06B5C36777181466A7E3F5B0AB4A0795DDE936284C06B5D3EE741B642FBBD3E1360B14AFA7DD',
      '0045000B915121551532F40000A0050003000302DE73BABC4E0695F165F9384D0FD3D36F37A8CE6687DBE337881D16BFE5E939C89D9EA741753A28CC4EC7EB6938A88C0795C3A0F1BBDD7E93DFA0F1DB3D2FC7EB61BA8B584FCF41E13ABD0C4ACBEBF23288FC66BFE5A0B41B242FC3E56574D94D2ECBD37450DA0DB2BFD975383D4C2F83EC65769A0E2ACFE765D038CD66D7DB20F29BFD2E83CA',
      '0045000B915121551532F400008C050003000303EA2073FD9C0ED341EE3A9B1D06C1C3F274985E97BB8AF871194E2FD7E5A079DA4D07BDC7E370791CA683C675789A1CA687E920F7DB0D82CBDF6972D94D6781E675371D947683C675363C0C8AD7D3A0B7D99C1EA7C32072795E96D7DD7450FBCD66A7E9A0B03BDD06A5C9A0F29C0E6287C56F79BD0D',
    ]);
  });

  it('sets TP-SRR by default and uses 0x81 for a national number', () => {
    const [p] = encodeSubmit({ to: '13800138000', text: 'hi' });
    const d = decodePdu(p!.hex) as DecodedSubmit;
    expect(p!.hex.slice(0, 4)).toBe('0031'); // SMSC from SIM, SUBMIT + relative VP + SRR
    expect(p!.hex.slice(6, 10)).toBe('0B81');
    expect(d).toMatchObject({ type: 'submit', to: '13800138000', statusReport: true, validityMinutes: 1440, text: 'hi', encoding: 'gsm7' });
  });

  it('[PGM] relative validity steps 30 min / 16 h / 3 days / 5 weeks', () => {
    expect([30, 16 * 60, 3 * 1440, 5 * 7 * 1440].map(encodeValidity)).toEqual([5, 151, 169, 197]);
    expect([5, 151, 169, 197].map(decodeValidity)).toEqual([30, 16 * 60, 3 * 1440, 5 * 7 * 1440]);
  });

  it('refuses a bad number and names it', () => {
    expect(() => encodeSubmit({ to: '138-abc', text: 'x' })).toThrow(PduError);
    expect(() => encodeSubmit({ to: '138-abc', text: 'x' })).toThrow(/138-abc/);
  });
});

describe('decoding known PDUs', () => {
  it('[DF] SMS-DELIVER hellohello with SMSC +27381000015', () => {
    const d = decodePdu('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37') as DecodedDeliver;
    expect(d.type).toBe('deliver');
    expect(d.smsc).toBe('+27381000015');
    expect(d.text).toBe('hellohello');
    // 99-03-29 15:16:59, zone +2 h (80 → 8 quarters)
    expect(d.at.toISOString()).toBe('1999-03-29T13:16:59.000Z');
    expect(d.offsetMinutes).toBe(120);
  });

  it('[PGM] SMS-DELIVER from +85291234567 at 2007-04-12 23:25:42 +08', () => {
    const d = decodePdu(
      '07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB6132885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E',
    ) as DecodedDeliver;
    expect(d).toMatchObject({ smsc: '+85290000000', from: '+85291234567', text: 'It is easy to read text messages via AT commands.', offsetMinutes: 480 });
    expect(d.at.toISOString()).toBe('2007-04-12T15:25:42.000Z');
  });

  it('[PGM] SMS-DELIVER with extension-table characters', () => {
    const d = decodePdu('06917228195339040B917228214365F70000313062315352800A800D8A5E98D337A910') as DecodedDeliver;
    expect(d.from).toBe('+27821234567');
    expect(d.text).toBe('@{tést}!');
  });

  it('[PGM] concatenated SMS-DELIVER (UDH 00 03 C3 01 01) from a national number', () => {
    const d = decodePdu(
      '0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E064941B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87A7E565D0DB0D82C55EB0DB4B068BCD5C20',
    ) as DecodedDeliver;
    expect(d.from).toBe('2781188');
    expect(d.concat).toEqual({ ref: 0xc3, total: 1, seq: 1 });
    expect(d.text).toBe('Hello!You have R 19.50 FREE airtime available. R 19.50 will expire on 01/07/2013. ');
  });

  it('[PGM] SMS-SUBMIT in UCS-2 (あ叶葉)', () => {
    const d = decodePdu('07914346466554F601000B914316565811F9000806304253F68449') as DecodedSubmit;
    expect(d).toMatchObject({ type: 'submit', smsc: '+34646456456', to: '+34616585119', text: 'あ叶葉', encoding: 'ucs2' });
  });

  it('[PGM] SMS-STATUS-REPORT reference 214 to +31628870634', () => {
    const d = decodePdu('0006D60B911326880736F4111011719551401110117195714000') as DecodedStatusReport;
    expect(d).toMatchObject({ type: 'status-report', ref: 214, recipient: '+31628870634', status: 0, state: 'delivered' });
  });

  it('[AMRO] bare STATUS-REPORT TPDU (no SMSC octet), discharge time', () => {
    const d = decodePdu('06000B910221815716F2709021510121807090215101718000', { hasSmsc: false }) as DecodedStatusReport;
    expect(d.ref).toBe(0);
    expect(d.recipient).toBe('+20121875612');
    expect(d.at.toISOString()).toBe('2007-09-12T13:10:12.000Z'); // 07-09-12 15:10:12 at +2 h
    expect(d.dischargedAt.toISOString()).toBe('2007-09-12T13:10:17.000Z');
  });

  it('maps TP-ST to delivered / pending / failed', () => {
    const mk = (status: number) => (decodePdu(encodeStatusReport({ ref: 1, recipient: '13800138000', at: new Date(0), dischargedAt: new Date(0), status }).hex) as DecodedStatusReport).state;
    expect([0x00, 0x02, 0x20, 0x30, 0x40, 0x45, 0x60].map(mk)).toEqual(['delivered', 'delivered', 'pending', 'pending', 'failed', 'failed', 'failed']);
  });

  it('refuses garbage with a reason', () => {
    expect(() => decodePdu('AFSDSDF')).toThrow(PduError);
    expect(() => decodePdu('0043010C910661345542F60008A0050003000301306F3044')).toThrow(/unknown message type 3/);
    expect(() => decodePdu('0011000B91640728')).toThrow(/PDU ends/);
  });
});

describe('splitting and counting', () => {
  it('GSM-7: 160 in one, 161 in two parts of 153', () => {
    expect(splitText('a'.repeat(160))).toHaveLength(1);
    const p = splitText('a'.repeat(161));
    expect(p.map((x) => x.length)).toEqual([153, 8]);
  });

  it('escape characters count two and are never split', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    expect(smsInfo(text)).toMatchObject({ encoding: 'gsm7', units: 164, parts: 2 });
    const p = splitText(text);
    expect(p[0]).toBe('a'.repeat(152));
    expect(p[1]!.startsWith('€')).toBe(true);
  });

  it('UCS-2: 70 in one, 71 in two parts of 67; surrogate pairs stay whole', () => {
    expect(smsInfo('中'.repeat(70))).toMatchObject({ encoding: 'ucs2', parts: 1, perPart: 70 });
    expect(splitText('中'.repeat(71)).map((x) => x.length)).toEqual([67, 4]);
    const text = '中'.repeat(66) + '😀' + '文'.repeat(10);
    const p = splitText(text);
    expect(p[0]).toBe('中'.repeat(66));
    expect(p[1]!.startsWith('😀')).toBe(true);
  });

  it('Chinese text goes UCS-2, Latin GSM-7', () => {
    expect(chooseEncoding('您好，张先生')).toBe('ucs2');
    expect(chooseEncoding('Hello {name} €5')).toBe('gsm7');
    expect(gsm7Septets('[x]')).toEqual([0x1b, 0x3c, 0x78, 0x1b, 0x3e]);
  });
});

describe('round trips (property)', () => {
  const gsmChars = fc.constantFrom(...'@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\n'.split(''));
  const gsmText = fc.array(gsmChars, { minLength: 1, maxLength: 500 }).map((a) => a.join(''));
  const anyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 });
  const number = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{3,15}$/)).map(([intl, d]) => (intl ? `+${d}` : d));

  it('SUBMIT: the parts decode to the text, within 140 octets of user data', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), number, fc.integer({ min: 0, max: 255 }), (text, to, ref) => {
        const parts = encodeSubmit({ to, text, concatRef: ref });
        const decoded = parts.map((p) => decodePdu(p.hex) as DecodedSubmit);
        expect(decoded.map((d) => d.text).join('')).toBe(text);
        for (const [i, d] of decoded.entries()) {
          expect(d.to).toBe(to);
          expect(d.tpduLength).toBe(parts[i]!.tpduLength);
          if (parts.length > 1) expect(d.concat).toEqual({ ref, total: parts.length, seq: i + 1 });
          // first octet, MR, address, PID, DCS, VP, UDL = 7 + address octets; user data ≤ 140 octets
          expect(parts[i]!.tpduLength).toBeLessThanOrEqual(140 + 7 + Math.ceil(to.replace('+', '').length / 2));
        }
        expect(parts.length).toBe(smsInfo(text).parts);
      }),
      { numRuns: 300 },
    );
  });

  it('DELIVER: multipart joins back to the text; time stamp survives (second precision)', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), number, fc.integer({ min: 946771200, max: 3155500000 }), (text, from, secs) => {
        const at = new Date(secs * 1000);
        const parts = encodeDeliver({ from, text, at, smsc: '+8613800100500' }).map((h) => decodePdu(h) as DecodedDeliver);
        expect(parts.map((p) => p.text).join('')).toBe(text);
        expect(parts[0]!.from).toBe(from);
        expect(parts[0]!.at.toISOString()).toBe(at.toISOString());
        expect(parts[0]!.smsc).toBe('+8613800100500');
      }),
      { numRuns: 200 },
    );
  });

  it('limits hold for every part', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), (text) => {
        const enc = chooseEncoding(text);
        for (const p of splitText(text, enc)) {
          if (enc === 'gsm7') expect(gsm7Septets(p)!.length).toBeLessThanOrEqual(LIMITS.gsm7Single);
          else expect(p.length).toBeLessThanOrEqual(LIMITS.ucs2Single);
        }
      }),
    );
  });
});
