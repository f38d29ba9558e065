import { idCheckChar } from '../lib/pii.js'
import { givenName, surname } from './names.js'
import type { Random } from './random.js'

/**
 * Households and people, pure: names, ages in realistic household shapes, identity numbers with the
 * GB 11643 check character (birth date and gender inside them agree with the person), mobile numbers,
 * and care tags at rates close to a Shandong county's (an ageing population: about a quarter 60+).
 */

export type Gender = 'male' | 'female'
export type Relation = 'head' | 'spouse' | 'child' | 'parent'

export interface PersonDraft {
  name: string
  gender: Gender
  birthDate: string
  age: number
  idNumber: string
  phone: string | null
  ethnicity: string
  relation: Relation
  /** Care tag codes (person_tag.code). */
  tags: string[]
}

export interface HouseholdDraft {
  room: string
  persons: PersonDraft[]
}

type Shape = 'single_elderly' | 'elderly_couple' | 'nuclear' | 'three_generations' | 'young_couple' | 'single_adult'

const SHAPES: Record<'urban' | 'rural', readonly (readonly [Shape, number])[]> = {
  urban: [['single_elderly', 7], ['elderly_couple', 13], ['nuclear', 46], ['three_generations', 14], ['young_couple', 10], ['single_adult', 10]],
  rural: [['single_elderly', 10], ['elderly_couple', 18], ['nuclear', 36], ['three_generations', 24], ['young_couple', 5], ['single_adult', 7]],
}

/** Where people who moved in (流动人口) were registered: nearby counties and cities. */
const OTHER_AREAS = ['371502', '371521', '371522', '371525', '371526', '371581', '370923', '410928']
const MOBILE_PREFIXES = ['130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157', '158', '159', '166', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189', '199']

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

export class PeopleFactory {
  private idNumbers = new Set<string>()
  private phones = new Set<string>()
  private readonly asOfYear: number
  private readonly asOfDayOfYear: number

  /** `asOf` (YYYY-MM-DD): the day ages are counted on; no birth date lies after it. */
  constructor(private readonly rng: Random, readonly areaCode: string, readonly asOf: string) {
    this.asOfYear = Number(asOf.slice(0, 4))
    const start = Date.UTC(this.asOfYear, 0, 1)
    this.asOfDayOfYear = Math.round((Date.parse(`${asOf}T00:00:00Z`) - start) / 86_400_000)
  }

  /** A birth date for someone exactly `age` years old on asOf. */
  private birthDate(age: number): string {
    // Born between (asOf − age − 1 year, asOf − age]: pick the day inside that year of life.
    const back = this.rng.int(0, 364)
    const date = new Date(Date.UTC(this.asOfYear - age, 0, 1) + (this.asOfDayOfYear - back) * 86_400_000)
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  }

  private idNumber(birthDate: string, gender: Gender, area: string): string {
    for (;;) {
      const seq = this.rng.int(0, 99) * 10 + (gender === 'male' ? this.rng.pick([1, 3, 5, 7, 9]) : this.rng.pick([0, 2, 4, 6, 8]))
      const first17 = `${area}${birthDate.replaceAll('-', '')}${pad(seq, 3)}`
      if (this.idNumbers.has(first17)) continue
      this.idNumbers.add(first17)
      return first17 + idCheckChar(first17)
    }
  }

  private phone(): string {
    for (;;) {
      const phone = this.rng.pick(MOBILE_PREFIXES) + pad(this.rng.int(0, 99_999_999), 8)
      if (this.phones.has(phone)) continue
      this.phones.add(phone)
      return phone
    }
  }

  private person(family: string | null, gender: Gender, age: number, relation: Relation, area: string, ethnicity: string): PersonDraft {
    const birthDate = this.birthDate(age)
    const hasPhone = age >= 18 && (age < 70 ? this.rng.chance(0.96) : age < 80 ? this.rng.chance(0.6) : this.rng.chance(0.25))
    return {
      name: (family ?? surname(this.rng)) + givenName(this.rng, gender), gender, birthDate, age,
      idNumber: this.idNumber(birthDate, gender, area), phone: hasPhone ? this.phone() : null, ethnicity, relation, tags: [],
    }
  }

  /** One household living at `room`, in town (urban) or in a village. */
  household(room: string, setting: 'urban' | 'rural'): HouseholdDraft {
    const rng = this.rng
    const shape = rng.weighted(SHAPES[setting])
    const floating = setting === 'urban' && shape !== 'single_elderly' && shape !== 'elderly_couple' && rng.chance(0.06)
    const area = floating ? rng.pick(OTHER_AREAS) : this.areaCode
    const ethnicity = rng.chance(0.008) ? '回族' : '汉族'
    const family = surname(rng)
    const persons: PersonDraft[] = []
    const add = (gender: Gender, age: number, relation: Relation, ownFamily: boolean) =>
      persons.push(this.person(ownFamily ? family : null, gender, age, relation, area, ethnicity))
    const spouseAge = (headAge: number) => Math.max(20, headAge + rng.int(-5, 2))
    const children = (parentAge: number, count: number) => {
      for (let i = 0; i < count; i++) {
        const age = parentAge - rng.int(23, 34) - i * rng.int(2, 5)
        if (age >= 0) add(rng.chance(0.52) ? 'male' : 'female', age, 'child', true)
      }
    }

    switch (shape) {
      case 'single_elderly':
        add(rng.chance(0.62) ? 'female' : 'male', rng.around(75, 7, 60, 96), 'head', true)
        break
      case 'elderly_couple': {
        const age = rng.around(70, 6, 60, 92)
        add('male', age, 'head', true)
        add('female', Math.max(58, spouseAge(age)), 'spouse', false)
        break
      }
      case 'nuclear': {
        const age = rng.around(42, 7, 27, 60)
        add(rng.chance(0.88) ? 'male' : 'female', age, 'head', true)
        add(persons[0]!.gender === 'male' ? 'female' : 'male', spouseAge(age), 'spouse', false)
        children(age, rng.weighted(setting === 'rural' ? [[1, 35], [2, 55], [3, 10]] : [[1, 50], [2, 45], [3, 5]]))
        break
      }
      case 'three_generations': {
        const age = rng.around(45, 6, 30, 60)
        add('male', age, 'head', true)
        add('female', spouseAge(age), 'spouse', false)
        children(age, rng.weighted([[1, 45], [2, 50], [3, 5]]))
        const parentAge = Math.min(96, age + rng.int(24, 32))
        if (rng.chance(0.6)) {
          add('male', parentAge, 'parent', true)
          add('female', Math.min(96, spouseAge(parentAge)), 'parent', false)
        } else {
          add(rng.chance(0.7) ? 'female' : 'male', parentAge, 'parent', true)
        }
        break
      }
      case 'young_couple': {
        const age = rng.around(28, 3, 22, 36)
        add('male', age, 'head', true)
        add('female', Math.max(20, spouseAge(age)), 'spouse', false)
        break
      }
      case 'single_adult':
        add(rng.chance(0.55) ? 'male' : 'female', rng.around(36, 11, 19, 59), 'head', true)
        break
    }
    this.tag(persons, shape, setting, floating)
    return { room, persons }
  }

  private tag(persons: PersonDraft[], shape: Shape, setting: 'urban' | 'rural', floating: boolean): void {
    const rng = this.rng
    const lowIncome = rng.chance(setting === 'rural' ? 0.045 : 0.018)
    const parentsAway = setting === 'rural' && shape === 'three_generations' && rng.chance(0.25)
    for (const p of persons) {
      if (shape === 'single_elderly' && p.age >= 60) p.tags.push('living_alone_elderly')
      if (shape === 'elderly_couple') p.tags.push('empty_nest_elderly')
      if (p.age >= 80) p.tags.push('advanced_age')
      if (rng.chance(p.age >= 60 ? 0.1 : 0.035)) p.tags.push('disabled')
      if (lowIncome) p.tags.push('subsistence_allowance')
      if (setting === 'rural' && shape === 'single_elderly' && rng.chance(0.08)) p.tags.push('extreme_poverty')
      if (parentsAway && p.relation === 'child' && p.age < 16) p.tags.push('left_behind_child')
      if (p.gender === 'male' && p.age >= 25 && p.age <= 80 && rng.chance(0.03)) p.tags.push('veteran')
      if (p.tags.includes('veteran') && rng.chance(0.15)) p.tags.push('priority_care')
      if (floating) p.tags.push('floating_population')
    }
  }
}

/** A room in a building: 2单元502. */
export const apartment = (entrance: number, floor: number, door: number): string => `${entrance}单元${floor}${pad(door)}`

/** A house in a village: 前街12号. */
export const farmhouse = (rng: Random, n: number): string => `${rng.pick(['前街', '后街', '中心街', '东街', '西街', '南街', '北街', '新村路'])}${n}号`
