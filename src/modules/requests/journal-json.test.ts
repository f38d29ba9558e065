import { describe, expect, it } from 'vitest'
import type { ItemClocks } from './deadlines.js'
import { journalCommandJson, submitAnswerJson, type JournalCommand, type Told } from './journal-json.js'
import type { SubmitResult } from './schema.js'

// Texts JSON must escape, and some it must not.
const awkward = ['', '楼道灯不亮,请尽快维修', 'say "hi"\\ now', 'line\nbreak\ttab\r\u0000\u001f', '\u2028\u2029', '😀 emoji', '\ud800 lone surrogate', '</script>']

describe('the QR submit\'s JSON texts', () => {
  it('write a command exactly as JSON.stringify does, for every kind of value', () => {
    const clocks: ItemClocks[] = [
      { priority: 'general', response: { amount: 2, unit: 'working_hours' }, resolution: { amount: 7, unit: 'working_days' } },
      { priority: 'emergency', response: null, resolution: null },
    ]
    const studios = [null, { id: 3, name: '李代表"工作室"' }]
    const tolds: Told[] = [
      { title: '水电维修', responseDueAt: '2026-12-01T02:30:00.000Z', resolutionDueAt: '2026-12-09T09:30:00.000Z' },
      { title: 'free "text"\n', responseDueAt: null, resolutionDueAt: null },
    ]
    let checked = 0
    for (const text of awkward) {
      for (const studio of studios) {
        for (const [i, told] of tolds.entries()) {
          const command: JournalCommand & { clocks: ItemClocks; told: Told } = {
            studio, itemId: i === 0 ? 12 : null, title: i === 0 ? null : text, description: text || '描述', address: i === 0 ? null : text,
            photoTokens: i === 0 ? [] : ['tok-a', text], phoneEnc: i === 0 ? 'v1.abc.def.ghi' : null, phoneMasked: i === 0 ? '138****8000' : null,
            contactName: i === 0 ? text : null, anonymous: i !== 0, locationName: text || '吉祥苑1号小区', clocks: clocks[i]!, told,
          }
          expect(journalCommandJson(command)).toBe(JSON.stringify(command))
          // Twice: the second time the studio's and the clocks' texts are the ones made the first time.
          expect(journalCommandJson(command)).toBe(JSON.stringify(command))
          checked++
        }
      }
    }
    expect(checked).toBe(awkward.length * 4)
  })

  it('write an answer exactly as JSON.stringify does', () => {
    for (const text of awkward) {
      for (const dues of [['2026-12-01T02:30:00.000Z', '2026-12-09T09:30:00.000Z'], [null, null]] as const) {
        const answer: SubmitResult = {
          trackingCode: 'AaIsurXuMYwmoIQVI8-g3RHUJNg', trackingUrl: `https://chorus.example.gov.cn/${text}/track/AaIsurXuMYwmoIQVI8-g3RHUJNg`, status: 'submitted',
          title: text, locationName: text, submittedAt: '2026-11-30T13:52:43.502Z', responseDueAt: dues[0], resolutionDueAt: dues[1],
        }
        expect(submitAnswerJson(answer)).toBe(JSON.stringify(answer))
      }
    }
  })
})
