import { useEffect, useState, type DependencyList } from 'react'
import { Button, Result, Spin } from 'antd'
import { Link } from 'react-router-dom'
import { ApiError, errorMessage } from '../../api/client'
import { useI18n } from '../../app/i18n'

export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  reload: () => void
  /** Replaces the data after a write that returned the new state. */
  set: (data: T) => void
}

/** Loads one record; a new `deps` value or `reload()` loads it again. */
export function useRecord<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let current = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState({ data: null, error, loading: false }),
    )
    return () => {
      current = false
    }
    // `deps` names what the record depends on; `load` is a new closure on every render.
  }, [...deps, tick])
  return { ...state, reload: () => setTick((n) => n + 1), set: (data: T) => setState({ data, error: null, loading: false }) }
}

/**
 * Why a record cannot be shown, in words: outside the user's area (403: "无权查看"), gone (404), or
 * another failure with the server's message and a retry. Never a blank page.
 */
export function RecordError({ error, backTo, backLabel, onRetry }: { error: unknown; backTo: string; backLabel: string; onRetry: () => void }) {
  const { t } = useI18n()
  const back = (
    <Link to={backTo} key="back">
      <Button type="primary">{backLabel}</Button>
    </Link>
  )
  if (error instanceof ApiError && error.status === 403) {
    return <Result status="403" title={t('residents.forbidden.title')} subTitle={`${t('residents.forbidden.body')} ${error.message}`} extra={back} data-testid="record-forbidden" />
  }
  if (error instanceof ApiError && error.status === 404) {
    return <Result status="404" title={t('residents.notFound.title')} subTitle={error.message} extra={back} data-testid="record-not-found" />
  }
  return (
    <Result
      status="error"
      title={t('common.loadFailed')}
      subTitle={errorMessage(error)}
      extra={[
        <Button key="retry" onClick={onRetry}>
          {t('common.retry')}
        </Button>,
        back,
      ]}
      data-testid="record-error"
    />
  )
}

export function RecordLoading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
    </div>
  )
}
