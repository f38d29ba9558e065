import type { ReactNode } from 'react'
import { Card, Grid } from 'antd'

/** The frame of a page: a titled card, with tighter padding on phones. */
export function PageCard({ title, extra, children }: { title: ReactNode; extra?: ReactNode; children: ReactNode }) {
  const phone = Grid.useBreakpoint().md === false
  return (
    <Card title={title} extra={extra} styles={{ body: { padding: phone ? 12 : 24 }, header: phone ? { paddingInline: 12 } : undefined }}>
      {children}
    </Card>
  )
}
