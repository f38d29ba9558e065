import type { CalendarPeriod, TimeRange, WeeklyHours } from './working-time.js'

/**
 * The State Council General Office's holiday schedules, as published. The migration
 * 2026-11-30-01-catalog-calendar seeds the default calendar with a frozen copy of the same data;
 * calendar.test.ts checks that the two agree.
 */
export interface OfficialSchedule {
  year: number
  source: string
  periods: CalendarPeriod[]
}

const holiday = (name: string, startDate: string, endDate = startDate): CalendarPeriod => ({ kind: 'holiday', name, startDate, endDate })
const workday = (name: string, date: string): CalendarPeriod => ({ kind: 'workday', name, startDate: date, endDate: date })

export const officialSchedules: OfficialSchedule[] = [
  {
    year: 2025,
    // 国办发明电〔2024〕12号, 2024-11-12 (新华社 11月12日电): the first schedule under the
    // 《全国年节及纪念日放假办法》 as revised in November 2024 (春节 and 劳动节 one day longer).
    source: '国务院办公厅关于2025年部分节假日安排的通知(国办发明电〔2024〕12号,2024年11月12日)',
    periods: [
      holiday('元旦', '2025-01-01'),
      workday('春节调休上班', '2025-01-26'),
      holiday('春节', '2025-01-28', '2025-02-04'),
      workday('春节调休上班', '2025-02-08'),
      holiday('清明节', '2025-04-04', '2025-04-06'),
      workday('劳动节调休上班', '2025-04-27'),
      holiday('劳动节', '2025-05-01', '2025-05-05'),
      holiday('端午节', '2025-05-31', '2025-06-02'),
      workday('国庆节、中秋节调休上班', '2025-09-28'),
      holiday('国庆节、中秋节', '2025-10-01', '2025-10-08'),
      workday('国庆节、中秋节调休上班', '2025-10-11'),
    ],
  },
  {
    year: 2026,
    // Published 2025-11-04 (新华社 11月4日电).
    source: '国务院办公厅关于2026年部分节假日安排的通知(2025年11月4日)',
    periods: [
      holiday('元旦', '2026-01-01', '2026-01-03'),
      workday('元旦调休上班', '2026-01-04'),
      workday('春节调休上班', '2026-02-14'),
      holiday('春节', '2026-02-15', '2026-02-23'),
      workday('春节调休上班', '2026-02-28'),
      holiday('清明节', '2026-04-04', '2026-04-06'),
      holiday('劳动节', '2026-05-01', '2026-05-05'),
      workday('劳动节调休上班', '2026-05-09'),
      holiday('端午节', '2026-06-19', '2026-06-21'),
      workday('国庆节调休上班', '2026-09-20'),
      holiday('中秋节', '2026-09-25', '2026-09-27'),
      holiday('国庆节', '2026-10-01', '2026-10-07'),
      workday('国庆节调休上班', '2026-10-10'),
    ],
  },
]

/** The usual office hours of Chinese government bodies: 08:30–12:00 and 13:30–17:30, Monday to Friday. */
export const standardDayHours: TimeRange[] = [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }]

export const standardWeeklyHours = (): WeeklyHours => ({
  mon: [...standardDayHours], tue: [...standardDayHours], wed: [...standardDayHours], thu: [...standardDayHours], fri: [...standardDayHours],
  sat: [], sun: [],
})
