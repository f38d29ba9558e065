/**
 * Background jobs (imports, large exports) as the browser sees them: poll one until it finishes,
 * and download a file the server sends (a template, an error report, an export) under its own name.
 */
import { api, unwrap, type ApiResult } from '../../api/client'

export type JobView = ApiResult<'/api/jobs/{id}', 'get'>

export const isFinished = (job: JobView): boolean => job.status === 'done' || job.status === 'failed'

/** The file name from Content-Disposition (the UTF-8 form first, so Chinese names survive). */
export function fileNameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? ''
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header)
  if (utf8?.[1]) {
    try {
      return decodeURIComponent(utf8[1])
    } catch {
      // A malformed name: fall through to the plain one.
    }
  }
  const plain = /filename="([^"]+)"/i.exec(header)
  return plain?.[1] ?? fallback
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Awaits a download call (`parseAs: 'blob'`) and saves what it returned. */
export async function download(pending: Promise<{ data?: unknown; response: Response }>, fallbackName: string): Promise<string> {
  const { data, response } = await pending
  const blob = data instanceof Blob ? data : await response.blob()
  const name = fileNameOf(response, fallbackName)
  saveBlob(blob, name)
  return name
}

export function downloadJobOutput(job: Pick<JobView, 'id' | 'outputName'>): Promise<string> {
  return download(api.GET('/api/jobs/{id}/output', { params: { path: { id: job.id } }, parseAs: 'blob' }), job.outputName ?? `job-${job.id}.xlsx`)
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = window.setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      window.clearTimeout(timer)
      resolve()
    })
  })

/**
 * Polls a job until it is done or failed, reporting each state; stops early (returning the last
 * state) when `signal` aborts. Polls quickly at first, then every 1.5 s for long jobs.
 */
export async function waitForJob(id: number, onUpdate: (job: JobView) => void, signal?: AbortSignal): Promise<JobView> {
  let delay = 400
  for (;;) {
    const job = await unwrap(api.GET('/api/jobs/{id}', { params: { path: { id } } }))
    onUpdate(job)
    if (isFinished(job) || signal?.aborted) return job
    await sleep(delay, signal)
    if (signal?.aborted) return job
    delay = Math.min(delay * 1.5, 1500)
  }
}
