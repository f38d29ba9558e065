import type { ReactNode } from 'react'
import { BorderInnerOutlined, DeleteOutlined, EditOutlined, ForkOutlined, HomeFilled, MergeCellsOutlined, SwapOutlined } from '@ant-design/icons'
import type { MessageKey } from '../../app/i18n'
import type { RestructureSlug } from './restructureApi'

export const restructureInfo: Record<RestructureSlug, { title: MessageKey; description: MessageKey; icon: ReactNode }> = {
  'merge-villages': { title: 'units.op.merge-villages', description: 'units.op.merge-villages.desc', icon: <HomeFilled /> },
  'redivide-grids': { title: 'units.op.redivide-grids', description: 'units.op.redivide-grids.desc', icon: <BorderInnerOutlined /> },
  'merge-grids': { title: 'units.op.merge-grids', description: 'units.op.merge-grids.desc', icon: <MergeCellsOutlined /> },
  move: { title: 'units.op.move', description: 'units.op.move.desc', icon: <SwapOutlined /> },
  rename: { title: 'units.op.rename', description: 'units.op.rename.desc', icon: <EditOutlined /> },
  archive: { title: 'units.op.archive', description: 'units.op.archive.desc', icon: <DeleteOutlined /> },
  split: { title: 'units.op.split', description: 'units.op.split.desc', icon: <ForkOutlined /> },
}
