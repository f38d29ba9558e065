/**
 * Chromium through playwright-core, one browser per test file and a fresh context (cookies,
 * localStorage) per page. `launch()` gives the browser its own temporary user-data-dir, removed on close.
 */
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { ApiSession } from './api.js'
import { startServer, type RunningServer } from './server.js'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const DESKTOP = { width: 1366, height: 860 }
export const PHONE = { width: 390, height: 844 }

export interface OpenedPage {
  page: Page
  context: BrowserContext
  /** Uncaught exceptions and console errors seen so far (expected failed API calls excluded). */
  problems: string[]
}

export interface E2E {
  server: RunningServer
  browser: Browser
  baseUrl: string
  /** A logged-in API session of the administrator, for setting up data. */
  admin: ApiSession
  openPage(options?: { viewport?: { width: number; height: number }; lang?: 'zh' | 'en' }): Promise<OpenedPage>
  close(): Promise<void>
}

// A 4xx from the API is how the app learns it must show the login page or the server's message;
// Chromium logs each such response as a console error, which is not a fault of the page. 5xx stay problems.
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4\d\d/

export async function startE2E(): Promise<E2E> {
  const server = await startServer()
  let browser: Browser | null = null
  const contexts: BrowserContext[] = []
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS })
    const admin = await ApiSession.admin(server.baseUrl)
    const opened = browser
    return {
      server,
      browser: opened,
      baseUrl: server.baseUrl,
      admin,
      async openPage(options = {}) {
        const context = await opened.newContext({
          baseURL: server.baseUrl,
          viewport: options.viewport ?? DESKTOP,
          locale: 'zh-CN',
          // Not Beijing: times on screen must still be Asia/Shanghai.
          timezoneId: 'UTC',
          acceptDownloads: true,
          deviceScaleFactor: 1,
          isMobile: false,
        })
        contexts.push(context)
        if (options.lang) {
          await context.addInitScript(`try { localStorage.setItem('chorus.lang', ${JSON.stringify(options.lang)}) } catch {}`)
        }
        const page = await context.newPage()
        page.setDefaultTimeout(30_000)
        const problems: string[] = []
        page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
        page.on('console', (msg) => {
          if (msg.type() === 'error' && !EXPECTED_CONSOLE.test(msg.text())) problems.push(`console: ${msg.text()}`)
        })
        return { page, context, problems }
      },
      async close() {
        for (const context of contexts) await context.close().catch(() => undefined)
        await opened.close().catch(() => undefined)
        await server.stop()
      },
    }
  } catch (err) {
    await browser?.close().catch(() => undefined)
    await server.stop()
    throw err
  }
}

/** Logs in through the login form and waits for the shell. */
export async function loginInBrowser(page: Page, username: string, password: string): Promise<void> {
  if (!page.url().includes('/login')) await page.goto('/login')
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('app-name').waitFor()
}

/** Saves a screenshot when E2E_SCREENSHOTS names a directory (used to review the layout by eye). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS
  if (!dir) return
  fs.mkdirSync(dir, { recursive: true })
  // Let antd's transitions settle so the picture shows the resting state.
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true })
}
