import type { Random } from './random.js'

// Common surnames weighted roughly by frequency in Shandong (王 张 李 刘 …).
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 90], ['张', 85], ['李', 80], ['刘', 75], ['陈', 35], ['杨', 30], ['赵', 30], ['孙', 28], ['马', 25], ['高', 24],
  ['郭', 20], ['何', 12], ['徐', 18], ['朱', 14], ['胡', 10], ['林', 8], ['宋', 16], ['郑', 10], ['韩', 12], ['于', 14],
  ['曹', 10], ['冯', 9], ['董', 12], ['程', 8], ['袁', 6], ['许', 9], ['吕', 8], ['田', 10], ['崔', 10], ['侯', 9],
  ['魏', 8], ['薛', 7], ['姜', 9], ['贾', 8], ['丁', 8], ['范', 7], ['邢', 6], ['焦', 6], ['葛', 5], ['房', 5],
]
const MALE = '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋东峰建国志庆春成文海兵'
const FEMALE = '芳娜敏静丽艳娟霞燕玲桂英红梅秀兰琳洁婷雪慧颖倩萍玉凤莹晶媛莉琴云丹彤佳瑶欣怡'
const MIDDLE = '秀志建国永德玉振兆立宝春晓海红明俊金庆广家子思梦雨欣'

export const surname = (rng: Random): string => rng.weighted(SURNAMES)

/** A given name of one or two characters. */
export function givenName(rng: Random, gender: 'male' | 'female'): string {
  const pool = gender === 'male' ? MALE : FEMALE
  return rng.chance(0.35) ? rng.pick([...pool]) : rng.pick([...MIDDLE]) + rng.pick([...pool])
}

export function personName(rng: Random, gender: 'male' | 'female'): string {
  return surname(rng) + givenName(rng, gender)
}

export const compoundNameParts = {
  prefix: ['阿胶', '洛神', '东苑', '金桥', '御景', '祥和', '泰和', '锦绣', '福苑', '盛世', '翠湖', '天成', '华府', '康居', '惠民', '和谐', '香江', '新华', '银座', '凤凰', '铜城', '黄河', '鱼山', '曹植', '富力', '书香', '龙湖', '文昌', '怡景', '明珠'],
  suffix: ['小区', '花园', '家园', '苑', '华庭', '雅居', '新村', '公寓', '名郡', '佳苑'],
}

/** Every name a generator hands out, so no two units of a kind share one. */
export class NamePool {
  private used = new Set<string>()

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name)
  }

  /** Draws candidates until one is free (gives up loudly: the lists are too short for the request). */
  take(draw: () => string): string {
    for (let i = 0; i < 10_000; i++) {
      const name = draw()
      if (!this.used.has(name)) {
        this.used.add(name)
        return name
      }
    }
    throw new Error('demo: ran out of distinct names')
  }

  reserve(name: string): void {
    this.used.add(name)
  }
}

const VILLAGE_SURNAMES = '王张李刘陈杨赵孙马高郭徐朱宋韩于曹董田崔侯魏姜贾丁范邢焦葛房谷尚苗郝鲍牛齐聂阎秦'
const VILLAGE_SUFFIX: readonly (readonly [string, number])[] = [
  ['庄', 30], ['屯', 14], ['集', 8], ['店', 8], ['楼', 8], ['寨', 6], ['口', 5], ['桥', 4], ['营', 4], ['堂', 3], ['坊', 3], ['铺', 3], ['湾', 2], ['园', 2], ['洼', 2],
]
const VILLAGE_PREFIX: readonly (readonly [string, number])[] = [['', 50], ['前', 10], ['后', 10], ['东', 7], ['西', 7], ['南', 4], ['北', 4], ['大', 4], ['小', 4]]

/** A village name in the style of the Yellow River plain: 前王庄村, 李屯村, 谷官屯村 … */
export function villageName(rng: Random): string {
  const surname = rng.pick([...VILLAGE_SURNAMES])
  const middle = rng.chance(0.12) ? rng.pick(['家', '官', '老', '辛']) : ''
  return `${rng.weighted(VILLAGE_PREFIX)}${surname}${middle}${rng.weighted(VILLAGE_SUFFIX)}村`
}

/** A residential compound: 阿胶小区, 御景花园, 洛神华庭 … */
export function compoundName(rng: Random): string {
  return rng.pick(compoundNameParts.prefix) + rng.pick(compoundNameParts.suffix)
}

const FIRM_WORDS = [
  '鑫源', '恒泰', '华宇', '瑞丰', '宏达', '金诺', '润康', '博远', '德信', '东岳', '正邦', '天润', '利民', '嘉禾', '盛泽', '众诚', '汇通', '同创', '永信',
  '华鲁', '泰和', '福瑞', '昌隆', '中科', '百川', '康泽', '蓝海', '万通', '聚鑫', '锦程', '开元', '鼎盛', '旭日', '广源', '祥瑞', '宇航', '兴业', '安泰',
  '海诺', '龙腾', '宏图', '宝丰', '隆盛', '源泉', '晟达', '凯瑞', '明德', '诚信', '亿丰', '翔宇', '齐鲁', '鲁西', '黄河', '鱼山', '阿井', '洛神', '铜城',
]
const FIRM_TRADES: readonly (readonly [string, number])[] = [
  ['阿胶制品', 8], ['食品', 12], ['医药', 6], ['生物科技', 8], ['钢球', 6], ['机械制造', 7], ['包装', 5], ['纺织', 4], ['新材料', 5], ['化工', 3],
  ['建材', 4], ['农业科技', 5], ['电子科技', 4], ['物流', 4], ['印刷', 2], ['木业', 3], ['饲料', 3], ['保健品', 3], ['中药饮片', 3], ['光伏科技', 2],
  ['汽车配件', 3], ['环保科技', 3], ['果蔬', 2], ['面业', 2], ['酒业', 1],
]
const FIRM_PLACES: readonly (readonly [string, number])[] = [['东阿县', 6], ['山东', 3], ['聊城', 2], ['东阿', 2]]
const FIRM_FORMS: readonly (readonly [string, number])[] = [['有限公司', 14], ['股份有限公司', 2], ['有限责任公司', 2]]

/** An enterprise of the development zone: 东阿县鑫源食品有限公司 … */
export function enterpriseName(rng: Random): string {
  return `${rng.weighted(FIRM_PLACES)}${rng.pick(FIRM_WORDS)}${rng.weighted(FIRM_TRADES)}${rng.weighted(FIRM_FORMS)}`
}

// --- unified social credit codes (统一社会信用代码, GB 32100-2015) ------------------------------

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

/** The 9-character organization code (GB 11714): 8 characters and its check character. */
function organizationCode(body8: string): string {
  const sum = [...body8].reduce((acc, ch, i) => acc + CREDIT_CHARS.indexOf(ch) * (ORG_WEIGHTS[i] as number), 0)
  const c = 11 - (sum % 11)
  return body8 + (c === 10 ? 'X' : c === 11 ? '0' : String(c))
}

/**
 * An 18-character unified social credit code with valid check characters: registering authority
 * and kind ('11' government body, '91' enterprise), the county's administrative code, the
 * organization code, and the GB 32100 check character.
 */
export function creditCode(rng: Random, kind: '11' | '91', areaCode: string): string {
  let body = ''
  for (let i = 0; i < 8; i++) body += i === 0 && kind === '91' ? rng.pick(['M', 'M', 'M', '3', '6', '7']) : rng.pick([...CREDIT_CHARS.slice(0, i < 2 ? 31 : 10)])
  const first17 = kind + areaCode + organizationCode(body)
  const sum = [...first17].reduce((acc, ch, i) => acc + CREDIT_CHARS.indexOf(ch) * (CREDIT_WEIGHTS[i] as number), 0)
  const check = (31 - (sum % 31)) % 31
  return first17 + CREDIT_CHARS[check]
}

/** Does a code carry valid GB 32100 check characters? (Tests and the generator's own checks.) */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false
  const sum = [...code.slice(0, 17)].reduce((acc, ch, i) => acc + CREDIT_CHARS.indexOf(ch) * (CREDIT_WEIGHTS[i] as number), 0)
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] === code[17]
}
