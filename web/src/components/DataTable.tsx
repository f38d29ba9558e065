/**
 * DataTable: an antd Table over a server-paged list (`{ items, total }`) whose page, page size,
 * sort and filters live in the URL query string, with an "Export to Excel" of every filtered row.
 *
 * Usage (one table per page; the page owns its filter controls):
 *
 *   const [filters, setFilters] = useUrlFilters(['q', 'status'] as const)
 *   <DataTable
 *     columns={columns} rowKey="id" filters={filters} exportFileName="accounts"
 *     fetchPage={({ page, pageSize, filters }) => unwrap(api.GET('/api/accounts', { params: { query: { page, pageSize, ...filters } } }))}
 *     toolbar={<Input.Search defaultValue={filters.q} onSearch={(q) => setFilters({ q })} />}
 *   />
 *
 * Columns are antd columns plus `exportTitle` / `exportValue` / `noExport` for the Excel file;
 * a column with `hidden: true` is not shown but is exported (e.g. the before/after of an audit entry).
 * A column with `sorter: true` and a `key` is sorted on the server: `sort` (`?sort=-createdAt`)
 * reaches fetchPage, which must pass it to an API that supports it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type Key, type ReactNode } from 'react'
import { Alert, App, Button, Flex, Modal, Progress, Space, Table, Typography, type TableProps } from 'antd'
import type { ColumnType, SorterResult, TablePaginationConfig } from 'antd/es/table/interface'
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router-dom'
import { errorMessage } from '../api/client'
import { useI18n } from '../app/i18n'
import type { ExcelCell } from './excel'

export interface SortSpec {
  field: string
  order: 'asc' | 'desc'
}

export interface PageRequest<F> {
  page: number
  pageSize: number
  sort: SortSpec | null
  filters: F
}

export interface PageResult<Row> {
  items: Row[]
  total: number
}

export type DataColumn<Row> = ColumnType<Row> & {
  /** Header in the Excel file when `title` is not plain text. */
  exportTitle?: string
  /** The cell written to Excel; by default the value at `dataIndex` (objects as JSON). */
  exportValue?: (row: Row) => ExcelCell
  /** Leave the column out of the export (action buttons, say). */
  noExport?: boolean
}

export type UrlFilters<K extends string> = Partial<Record<K, string>>

/**
 * Filter values kept in the URL query string. Setting a filter (null or '' removes it) goes back
 * to page 1, so a new search never lands on an empty page.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]): [UrlFilters<K>, (patch: Partial<Record<K, string | null>>) => void] {
  const [params, setParams] = useSearchParams()
  const signature = keys.map((k) => `${k}=${params.get(k) ?? ''}`).join('&')
  // Recomputed only when one of our keys changes (the signature), so effects can depend on the object.
  const values = useMemo(() => Object.fromEntries(keys.flatMap((k) => (params.get(k) ? [[k, params.get(k)]] : []))) as UrlFilters<K>, [signature])
  const setFilters = useCallback(
    (patch: Partial<Record<K, string | null>>) => {
      setParams((current) => {
        const next = new URLSearchParams(current)
        for (const [key, value] of Object.entries(patch) as [K, string | null | undefined][]) {
          if (value === null || value === undefined || value === '') next.delete(key)
          else next.set(key, value)
        }
        next.delete('page')
        return next
      })
    },
    [setParams],
  )
  return [values, setFilters]
}

export interface DataTableProps<Row extends object, F> {
  columns: DataColumn<Row>[]
  rowKey: Extract<keyof Row, string> | ((row: Row) => Key)
  /** Current filters (from useUrlFilters); a change reloads from page 1. */
  filters: F
  /** Loads one page; also used, page after page, by the export. */
  fetchPage: (request: PageRequest<F>) => Promise<PageResult<Row>>
  /** Excel file name without extension; the date is appended. */
  exportFileName: string
  /** Filter controls, shown left of the buttons. */
  toolbar?: ReactNode
  /** More buttons (e.g. "New account"), shown right. */
  extra?: ReactNode
  expandable?: TableProps<Row>['expandable']
  /** Change it to reload the current page (after a create or an edit). */
  reloadKey?: number
  defaultPageSize?: number
  /** Rows per request while exporting (the API allows at most 500). */
  exportPageSize?: number
  /** At most this many rows are exported; the user is told when there were more. */
  exportCap?: number
  /** Replaces the built-in export (e.g. a server-side export of the same filters, which can also unmask and audit). */
  exportButton?: ReactNode
}

const PAGE_SIZES = [10, 20, 50, 100]

function positiveInt(raw: string | null, fallback: number): number {
  const value = Number(raw)
  return Number.isInteger(value) && value > 0 ? value : fallback
}

function parseSort(raw: string | null): SortSpec | null {
  if (!raw) return null
  return raw.startsWith('-') ? { field: raw.slice(1), order: 'desc' } : { field: raw, order: 'asc' }
}

function valueAt(row: object, dataIndex: ColumnType<object>['dataIndex']): unknown {
  const path = Array.isArray(dataIndex) ? (dataIndex as readonly (string | number)[]) : dataIndex === undefined ? [] : [dataIndex as string | number]
  let value: unknown = row
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string | number, unknown>)[step]
  }
  return path.length ? value : undefined
}

function toCell(value: unknown): ExcelCell {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

export function DataTable<Row extends object, F>(props: DataTableProps<Row, F>) {
  const { columns, rowKey, filters, fetchPage, exportFileName, toolbar, extra, expandable, reloadKey = 0, exportButton } = props
  const { defaultPageSize = 20, exportPageSize = 500, exportCap = 20_000 } = props
  const { t } = useI18n()
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const page = positiveInt(params.get('page'), 1)
  const pageSize = positiveInt(params.get('pageSize'), defaultPageSize)
  const sortParam = params.get('sort')
  const sort = useMemo(() => parseSort(sortParam), [sortParam])

  const [data, setData] = useState<PageResult<Row>>({ items: [], total: 0 })
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [manualReload, setManualReload] = useState(0)
  // The latest fetchPage, so a new function identity on each render does not refetch.
  const fetchRef = useRef(fetchPage)
  fetchRef.current = fetchPage

  const requestKey = JSON.stringify({ page, pageSize, sort, filters, reloadKey, manualReload })
  useEffect(() => {
    let current = true
    setLoading(true)
    fetchRef.current({ page, pageSize, sort, filters }).then(
      (result) => {
        if (!current) return
        setData(result)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setData({ items: [], total: 0 })
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
    // requestKey stands for every input of the request.
  }, [requestKey])

  const onChange: TableProps<Row>['onChange'] = (pagination: TablePaginationConfig, _filters, sorter) => {
    const first: SorterResult<Row> | undefined = Array.isArray(sorter) ? sorter[0] : sorter
    const field = first?.order ? String(first.columnKey ?? first.field ?? '') : ''
    setParams((currentParams) => {
      const next = new URLSearchParams(currentParams)
      const nextSize = pagination.pageSize ?? pageSize
      const nextSort = field ? (first?.order === 'descend' ? `-${field}` : field) : ''
      // A new page size or sort starts again from page 1.
      const nextPage = nextSize !== pageSize || nextSort !== (sortParam ?? '') ? 1 : (pagination.current ?? 1)
      if (nextPage > 1) next.set('page', String(nextPage))
      else next.delete('page')
      if (nextSize !== defaultPageSize) next.set('pageSize', String(nextSize))
      else next.delete('pageSize')
      if (nextSort) next.set('sort', nextSort)
      else next.delete('sort')
      return next
    })
  }

  const shownColumns = useMemo(
    () =>
      columns.map((c) => {
        if (!c.sorter) return c
        const key = String(c.key ?? '')
        return { ...c, sortOrder: sort && sort.field === key ? (sort.order === 'desc' ? ('descend' as const) : ('ascend' as const)) : null }
      }),
    [columns, sort],
  )

  // --- export ---------------------------------------------------------------------------------
  const [exporting, setExporting] = useState<{ done: number; total: number } | null>(null)
  const cancelExport = useRef(false)

  const exportAll = async () => {
    cancelExport.current = false
    setExporting({ done: 0, total: data.total })
    try {
      const rows: Row[] = []
      let total = Number.POSITIVE_INFINITY
      for (let p = 1; rows.length < Math.min(total, exportCap); p++) {
        const result = await fetchRef.current({ page: p, pageSize: exportPageSize, sort, filters })
        if (cancelExport.current) return
        total = result.total
        rows.push(...result.items)
        setExporting({ done: Math.min(rows.length, exportCap), total: Math.min(total, exportCap) })
        if (result.items.length === 0) break
      }
      if (rows.length === 0) {
        void message.info(t('table.exportEmpty'))
        return
      }
      const exported = rows.slice(0, exportCap)
      const wanted = columns.filter((c) => !c.noExport && (c.exportValue || c.dataIndex !== undefined))
      const header = wanted.map((c) => c.exportTitle ?? (typeof c.title === 'string' ? c.title : String(c.key ?? '')))
      const body = exported.map((row) => wanted.map((c) => (c.exportValue ? c.exportValue(row) : toCell(valueAt(row, c.dataIndex as ColumnType<object>['dataIndex'])))))
      const { downloadWorkbook } = await import('./excel')
      if (cancelExport.current) return
      await downloadWorkbook(exportFileName, header, body)
      if (total > exportCap) void message.warning(t('table.exportCapped', { count: exportCap }))
      else void message.success(t('table.exportDone', { count: exported.length }))
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setExporting(null)
    }
  }

  return (
    <Flex vertical gap={12}>
      <Flex wrap justify="space-between" align="flex-start" gap={8}>
        <Flex wrap gap={8} align="center" style={{ flex: '1 1 320px', minWidth: 0 }}>
          {toolbar}
        </Flex>
        <Space wrap>
          {extra}
          <Button icon={<ReloadOutlined />} onClick={() => setManualReload((n) => n + 1)} aria-label={t('table.refresh')} />
          {exportButton ?? (
            <Button icon={<DownloadOutlined />} onClick={() => void exportAll()} disabled={exporting !== null || data.total === 0} data-testid="export-excel">
              {t('table.export')}
            </Button>
          )}
        </Space>
      </Flex>
      {error && (
        <Alert
          type="error"
          showIcon
          title={t('common.loadFailed')}
          description={error}
          action={<Button size="small" onClick={() => setManualReload((n) => n + 1)}>{t('common.retry')}</Button>}
        />
      )}
      <Table<Row>
        columns={shownColumns}
        rowKey={rowKey}
        dataSource={data.items}
        loading={loading}
        expandable={expandable}
        onChange={onChange}
        scroll={{ x: 'max-content' }}
        size="middle"
        pagination={{
          current: page,
          pageSize,
          total: data.total,
          showSizeChanger: true,
          pageSizeOptions: PAGE_SIZES,
          showTotal: (total) => t('common.total', { total }),
          responsive: true,
        }}
      />
      <Modal open={exporting !== null} title={t('table.exporting')} closable={false} mask={{ closable: false }} footer={[
        <Button key="cancel" onClick={() => { cancelExport.current = true; setExporting(null) }}>{t('common.cancel')}</Button>,
      ]}>
        <Progress percent={exporting && exporting.total > 0 ? Math.floor((exporting.done / exporting.total) * 100) : 0} status="active" />
        <Typography.Text type="secondary">{t('table.exportProgress', { done: exporting?.done ?? 0, total: exporting?.total ?? 0 })}</Typography.Text>
      </Modal>
    </Flex>
  )
}
