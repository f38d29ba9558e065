/**
 * Demo-like data for the resident registry and import tests: two communities of 铜城街道
 * (吉祥苑社区 and 洛神湖社区) with grids, compounds and buildings, valid identity numbers, residents
 * and households created through the API, and helpers to read downloaded spreadsheets.
 */
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { idCheckChar } from '../../../src/lib/pii.js'
import { createUnit, type ApiSession, type UnitRef } from './api.js'

/** A valid 18-character identity number of someone from 东阿县 (371524) born on `birth` (YYYYMMDD); `seq` 0–999. */
export function idNumber(birth: string, seq: number, male = true): string {
  // The 17th digit is odd for men, even for women.
  const order = String(seq % 100).padStart(2, '0') + String(male ? 1 + 2 * (seq % 5) : 2 * (seq % 5))
  const first17 = `371524${birth}${order}`
  return first17 + idCheckChar(first17)
}

/** The same number with a wrong check character. */
export const badCheck = (id: string): string => id.slice(0, 17) + (id[17] === '0' ? '1' : '0')

export interface County {
  county: UnitRef
  street: UnitRef
  jixiangyuan: UnitRef
  grid: UnitRef
  compound: UnitRef
  building: UnitRef
  luoshenhu: UnitRef
  luoshenhuCompound: UnitRef
}

export async function buildCounty(admin: ApiSession): Promise<County> {
  const county = await createUnit(admin, { parentId: null, type: 'county', name: '东阿县' })
  const street = await createUnit(admin, { parentId: county.id, type: 'subdistrict', name: '铜城街道' })
  const jixiangyuan = await createUnit(admin, { parentId: street.id, type: 'community', name: '吉祥苑社区' })
  const grid = await createUnit(admin, { parentId: jixiangyuan.id, type: 'grid', name: '吉祥苑第一网格' })
  const compound = await createUnit(admin, { parentId: grid.id, type: 'compound', name: '幸福小区' })
  const building = await createUnit(admin, { parentId: compound.id, type: 'building', name: '3号楼' })
  const luoshenhu = await createUnit(admin, { parentId: street.id, type: 'community', name: '洛神湖社区' })
  const luoshenhuCompound = await createUnit(admin, { parentId: luoshenhu.id, type: 'compound', name: '洛神湖小区' })
  return { county, street, jixiangyuan, grid, compound, building, luoshenhu, luoshenhuCompound }
}

export interface PersonRef {
  id: number
  name: string
  idNumber: string
  phone: string | null
  householdId: number | null
}

export async function createResident(
  admin: ApiSession,
  spec: { name: string; unitId?: number; householdId?: number; relation?: string; idNumber: string; phone?: string; room?: string; tagIds?: number[] },
): Promise<PersonRef> {
  const created = await admin.post<{ id: number; householdId: number | null }>('/api/residents', spec)
  return { id: created.id, name: spec.name, idNumber: spec.idNumber, phone: spec.phone ?? null, householdId: created.householdId }
}

/** The rows of the first sheet as text (header first), empty cells as ''. */
export async function readSheet(file: string, sheet = 0): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const ws = workbook.worksheets[sheet]
  if (!ws) throw new Error(`no sheet ${sheet} in ${file}`)
  const width = ws.columnCount
  const rows: string[][] = []
  ws.eachRow((row) => {
    const cells: string[] = []
    for (let c = 1; c <= width; c++) {
      const v = row.getCell(c).value
      cells.push(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
    rows.push(cells)
  })
  return rows
}

/** Picks an option from the antd Select that is open now (a multiple select's list stays open). */
export async function pickOption(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first().click()
}

/**
 * Picks an option of a single select and waits for its list to close. A searched list may be replaced
 * by the server's answer under the click: then the list stays open and the pick is made again. It
 * closes with an animation; the next pick must not land in it.
 */
export async function pickClosingOption(page: Page, text: string | RegExp): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await pickOption(page, text)
    try {
      await expect.poll(() => page.locator('.ant-select-dropdown:visible').count(), { timeout: 5_000 }).toBe(0)
      return
    } catch (err) {
      if (attempt === 3) throw err
    }
  }
}

/** Chooses a unit in a UnitSelect by typing part of its name. */
export async function chooseUnit(page: Page, testId: string, name: string): Promise<void> {
  const select = page.getByTestId(testId)
  // The list is searched on the server after a short pause: pick only once the answer is in, and
  // try again if a late answer replaced the list under the click.
  for (let attempt = 1; ; attempt++) {
    await select.click()
    await select.locator('input').fill(name)
    await page.waitForTimeout(300)
    await select.locator('.anticon-loading').waitFor({ state: 'detached' })
    await pickOption(page, name)
    try {
      await select.filter({ hasText: name }).waitFor({ timeout: 5_000 })
      break
    } catch (err) {
      if (attempt === 3) throw err
    }
  }
  // The choice shows in the select; then its list is closed, so the next click is not caught by it. The
  // list usually closes by itself; Escape only for one still open after a second: an Escape that arrives
  // just after it closed would reach the dialog around the select and close that instead.
  const list = page.locator('.ant-select-dropdown:visible')
  try {
    await list.waitFor({ state: 'hidden', timeout: 1_000 })
  } catch {
    await select.locator('input').press('Escape')
    await list.waitFor({ state: 'hidden' })
  }
}
