import { Type, type Static } from 'typebox'
import { registerErrors } from '../../server/errors.js'
import { durationUnits } from './working-time.js'

registerErrors({
  calendar_not_found: { status: 404, en: 'That county has no calendar of its own; it uses the default calendar.', zh: '该县没有单独的工作日历,使用默认工作日历。' },
  invalid_calendar_year: { status: 400, en: 'The calendar keeps years from 2000 to 2100.', zh: '工作日历仅支持 2000 至 2100 年。' },
  calendar_year_not_found: { status: 404, en: 'The calendar has no schedule for that year.', zh: '该工作日历没有该年度的节假日安排。' },
  calendar_override_exists: { status: 409, en: 'That county already has its own calendar.', zh: '该县已有单独的工作日历。' },
  not_a_county: { status: 400, en: 'A calendar of its own can only belong to a county.', zh: '只有县级单位可以设置单独的工作日历。' },
  invalid_working_hours: { status: 400, en: 'The working hours are not valid: each interval must end after it starts, intervals must not overlap, and the week needs some working time.', zh: '工作时间无效:每个时段须结束晚于开始、时段不得重叠,且每周须有工作时间。' },
  invalid_calendar_period: { status: 400, en: 'A holiday or adjusted working day is not valid; see details.', zh: '节假日或调休上班日无效,请查看详情。' },
  invalid_duration: { status: 400, en: 'The duration is not valid: a positive amount, and a whole number of working days.', zh: '时长无效:须为正数,工作日须为整数。' },
})

export const ClockTime = Type.String({ pattern: '^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'Local time HH:MM (Asia/Shanghai); 24:00 ends a day' })
export const TimeRangeSchema = Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false })
const DayHours = Type.Array(TimeRangeSchema, { maxItems: 8 })

export const WeeklyHoursSchema = Type.Object({
  mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours,
}, { additionalProperties: false, description: 'Working intervals [start, end) per weekday' })

const DateText = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

export const PeriodSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 40, description: 'e.g. 春节, 春节调休上班' }),
  startDate: DateText,
  endDate: DateText,
}, { additionalProperties: false })
export type PeriodInput = Static<typeof PeriodSchema>

export const DurationUnitSchema = Type.Enum(durationUnits, { description: 'hours: natural hours; working_hours / working_days: on the working calendar' })
export const DurationSchema = Type.Object({
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 10000 }),
  unit: DurationUnitSchema,
}, { additionalProperties: false, description: 'A time allowance with its unit' })

export const CalendarYearView = Type.Object({
  year: Type.Integer(),
  source: Type.Union([Type.String(), Type.Null()], { description: 'The notice the schedule comes from' }),
  holidays: Type.Array(PeriodSchema),
  workdays: Type.Array(PeriodSchema, { description: 'Adjusted working days (调休上班)' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type CalendarYearView = Static<typeof CalendarYearView>

export const CalendarView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  countyUnitId: Type.Union([Type.Integer(), Type.Null()], { description: 'null: the default calendar of the deployment' }),
  ownCalendar: Type.Boolean({ description: 'True when the asked county has a calendar of its own' }),
  timeZone: Type.Literal('Asia/Shanghai'),
  weeklyHours: WeeklyHoursSchema,
  adjustedWorkdayHours: Type.Array(TimeRangeSchema, { description: 'Hours of an adjusted working day' }),
  years: Type.Array(CalendarYearView),
  overrides: Type.Array(Type.Object({ countyUnitId: Type.Integer(), countyName: Type.String() }), { description: 'Counties with a calendar of their own' }),
  revision: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type CalendarView = Static<typeof CalendarView>

export const CountyQuery = Type.Object({
  countyId: Type.Optional(Type.Integer({ minimum: 1, description: "A county with its own calendar; omitted: the default calendar" })),
})
export type CountyQuery = Static<typeof CountyQuery>

export const YearParams = Type.Object({ year: Type.Integer({ minimum: 1, maximum: 9999, description: 'A year from 2000 to 2100' }) })
export const CountyParams = Type.Object({ countyId: Type.Integer({ minimum: 1 }) })

export const SetYearInput = Type.Object({
  source: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  holidays: Type.Array(PeriodSchema, { maxItems: 40 }),
  workdays: Type.Array(PeriodSchema, { maxItems: 40, description: 'Adjusted working days (调休上班)' }),
}, { additionalProperties: false })
export type SetYearInput = Static<typeof SetYearInput>

export const SetHoursInput = Type.Object({
  weeklyHours: WeeklyHoursSchema,
  adjustedWorkdayHours: Type.Array(TimeRangeSchema, { minItems: 1, maxItems: 8 }),
}, { additionalProperties: false })
export type SetHoursInput = Static<typeof SetHoursInput>

export const CreateOverrideInput = Type.Object({
  countyId: Type.Integer({ minimum: 1, description: 'The county; its calendar starts as a copy of the default' }),
}, { additionalProperties: false })
export type CreateOverrideInput = Static<typeof CreateOverrideInput>

export const PreviewQuery = Type.Object({
  start: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 10000 }),
  unit: DurationUnitSchema,
  countyId: Type.Optional(Type.Integer({ minimum: 1 })),
})
export type PreviewQuery = Static<typeof PreviewQuery>

export const PreviewView = Type.Object({
  start: Type.String({ format: 'date-time' }),
  amount: Type.Number(),
  unit: DurationUnitSchema,
  dueAt: Type.String({ format: 'date-time' }),
  workingMinutes: Type.Number({ description: 'Working minutes from start to dueAt' }),
  calendarMinutes: Type.Number({ description: 'Natural minutes from start to dueAt' }),
  calendarId: Type.Integer(),
})
export type PreviewView = Static<typeof PreviewView>
