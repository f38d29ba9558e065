import { Type, type Static } from 'typebox'
import { registerErrors } from '../../server/errors.js'

export const importKinds = ['units', 'residents', 'members'] as const
export type ImportKind = (typeof importKinds)[number]
export const importModes = ['valid_rows', 'all_or_nothing'] as const
export type ImportMode = (typeof importModes)[number]

registerErrors({
  import_not_xlsx: {
    status: 400,
    en: 'The file is not an Excel workbook (.xlsx). Save it as "Excel Workbook (*.xlsx)" and upload it again.',
    zh: '文件不是 Excel 工作簿(.xlsx)。请另存为“Excel 工作簿(*.xlsx)”后重新上传。',
  },
  import_bad_headers: {
    status: 400,
    en: 'The first row of the sheet does not match the template: see which columns are missing or unexpected. Download the template and copy your data into it.',
    zh: '表头与模板不一致:请查看缺少或多余的列。建议下载模板并将数据复制到模板中。',
  },
  import_too_many_rows: {
    status: 400,
    en: 'The file has more rows than one import may hold; split it into several files.',
    zh: '文件行数超过单次导入上限,请拆分为多个文件分批导入。',
  },
  import_empty: { status: 400, en: 'The sheet has a header but no data rows.', zh: '工作表只有表头,没有数据行。' },
  import_file_missing: { status: 400, en: 'Send the spreadsheet as the multipart field "file".', zh: '请以 multipart 字段 file 上传表格文件。' },
  import_unit_invalid: {
    status: 400,
    en: 'Choose a target unit that can hold this kind of data.',
    zh: '所选导入单位不能接收此类数据,请重新选择。',
  },
})

export const ImportKindParams = Type.Object({ kind: Type.Enum(importKinds, { description: 'units | residents (with households) | members (party members)' }) })
export type ImportKindParams = Static<typeof ImportKindParams>

export const ImportQuery = Type.Object({
  mode: Type.Enum(importModes, { description: 'valid_rows: write the good rows and report the bad; all_or_nothing: write nothing if any row is bad' }),
  unitId: Type.Integer({ minimum: 1, description: 'The unit the data belongs to: every row must lie inside its subtree' }),
})
export type ImportQuery = Static<typeof ImportQuery>
