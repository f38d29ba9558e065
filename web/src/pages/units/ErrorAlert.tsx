import { Alert, Typography } from 'antd'
import { ApiError, errorMessage } from '../../api/client'
import { useI18n } from '../../app/i18n'

interface Named {
  name?: unknown
}

const namesOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'object' && v !== null && typeof (v as Named).name === 'string' ? String((v as Named).name) : '')).filter(Boolean) : []

/** The server's details as short lines a person can act on (which field, which units are left over). */
export function detailLines(error: unknown, t: ReturnType<typeof useI18n>['t']): string[] {
  if (!(error instanceof ApiError) || error.details === null || error.details === undefined) return []
  const details = error.details
  if (Array.isArray(details)) {
    return details.flatMap((d: unknown) => {
      if (typeof d !== 'object' || d === null) return []
      const { field, problem } = d as { field?: unknown; problem?: unknown }
      return [[field, problem].filter((x) => typeof x === 'string' && x).join(': ')].filter(Boolean)
    })
  }
  if (typeof details !== 'object') return []
  const d = details as Record<string, unknown>
  const lines: string[] = []
  const unassigned = namesOf(d.unassigned)
  if (unassigned.length) lines.push(t('units.error.unassigned', { names: unassigned.join('、') }))
  const children = namesOf(d.children)
  if (children.length) lines.push(t('units.error.children', { names: children.join('、') }))
  if (typeof d.problem === 'string') lines.push(d.problem)
  if (typeof d.expected === 'string') lines.push(t('units.error.expected', { expected: d.expected }))
  return lines
}

/** An API failure in words: the server's message, then what its details say. */
export function ErrorAlert({ error, title, testId = 'error-alert' }: { error: unknown; title?: string; testId?: string }) {
  const { t } = useI18n()
  const lines = detailLines(error, t)
  const message = errorMessage(error)
  return (
    <Alert
      type="error"
      showIcon
      title={title ?? message}
      description={
        title || lines.length ? (
          <>
            {title && <div>{message}</div>}
            {lines.map((line) => (
              <div key={line}>
                <Typography.Text type="secondary">{line}</Typography.Text>
              </div>
            ))}
          </>
        ) : undefined
      }
      data-testid={testId}
    />
  )
}
