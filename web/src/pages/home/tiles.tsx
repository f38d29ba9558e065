/**
 * The pieces of the workbench: a loader hook that keeps loading / error / data apart, and the
 * count tile — a number that opens the list behind it, a skeleton while it loads, the reason in
 * words when it could not load (never an empty tile).
 */
import { useEffect, useState, type ReactNode } from 'react'
import { Card, Skeleton, Tooltip, Typography } from 'antd'
import { Link } from 'react-router-dom'
import { errorMessage } from '../../api/client'
import { useI18n } from '../../app/i18n'

export type Loaded<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ok'; data: T }

/** Runs `load` whenever a dependency changes; an answer that arrives after the next change is dropped. */
export function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' })
  useEffect(() => {
    let current = true
    setState({ status: 'loading' })
    load().then(
      (data) => current && setState({ status: 'ok', data }),
      (error: unknown) => current && setState({ status: 'error', message: errorMessage(error) }),
    )
    return () => {
      current = false
    }
  }, deps)
  return state
}

export const mapLoaded = <T, U>(state: Loaded<T>, f: (data: T) => U): Loaded<U> => (state.status === 'ok' ? { status: 'ok', data: f(state.data) } : state)

export type Tone = 'default' | 'warning' | 'danger' | 'success'
const toneColor: Record<Tone, string | undefined> = { default: undefined, warning: '#d46b08', danger: '#cf1322', success: '#389e0d' }

interface TileProps {
  label: string
  /** What the number counts, in a sentence (a tooltip on the label). */
  hint?: string
  value: Loaded<number | string>
  /** The list behind the number. */
  to: string
  /** The colour of the number when it is not zero. */
  tone?: Tone
  /** A line under the number (e.g. "counted among the first 100"). */
  note?: ReactNode
  testId: string
}

export function CountTile({ label, hint, value, to, tone = 'default', note, testId }: TileProps) {
  const { t } = useI18n()
  const shown = value.status === 'ok' ? value.data : null
  const zero = shown === 0 || shown === '0'
  return (
    <Link to={to} data-testid={testId} data-value={shown ?? undefined} aria-busy={value.status === 'loading'} style={{ display: 'block', height: '100%' }}>
      <Card hoverable size="small" style={{ height: '100%' }} styles={{ body: { padding: '10px 12px' } }}>
        <Tooltip title={hint}>
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>{label}</Typography.Text>
        </Tooltip>
        <div style={{ minHeight: 36, display: 'flex', alignItems: 'center' }}>
          {value.status === 'loading' && <Skeleton.Button active size="small" style={{ width: 56 }} />}
          {value.status === 'error' && (
            <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="tile-error">{t('home.loadFailed', { message: value.message })}</Typography.Text>
          )}
          {value.status === 'ok' && (
            <span style={{ fontSize: 26, fontWeight: 600, lineHeight: 1.3, color: zero ? undefined : toneColor[tone] }} data-testid="tile-value">{value.data}</span>
          )}
        </div>
        {note && value.status === 'ok' && <Typography.Text type="secondary" style={{ fontSize: 11 }}>{note}</Typography.Text>}
      </Card>
    </Link>
  )
}

/** Tiles side by side: as many as fit (two on a phone), each at least 128 px wide. */
export function TileGrid({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(128px, 1fr))', gap: 12 }} data-testid={testId}>
      {children}
    </div>
  )
}
