/** All timestamps travel as ISO 8601 UTC strings; display is Asia/Shanghai in the web app. */
let lastMs = -1
let lastIso = ''
/** Now as an ISO string; made once per millisecond (a surge asks for it many times in one). */
export function nowIso(): string {
  const ms = Date.now()
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString()
    lastMs = ms
  }
  return lastIso
}
export const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString()
export const isBefore = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b)

const shanghaiDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
/** The calendar date (YYYY-MM-DD) in Asia/Shanghai of an instant. */
export const shanghaiDay = (iso: string | Date): string => shanghaiDate.format(typeof iso === 'string' ? new Date(iso) : iso)
