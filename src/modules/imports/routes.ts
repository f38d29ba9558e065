import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { App } from '../../server/types.js'
import { AppError } from '../../server/errors.js'
import { JobView } from '../jobs/schema.js'
import { attachmentHeader, XLSX_TYPE } from '../jobs/service.js'
import { xlsxResponse } from '../jobs/routes.js'
import { ImportKindParams, ImportQuery } from './schema.js'
import * as service from './service.js'

const tags = ['imports']

export async function importRoutes(app: App): Promise<void> {
  app.get('/api/imports/templates/:kind', {
    schema: {
      summary: 'Download the .xlsx template (Chinese headers, an example row, a 说明 sheet)', tags, params: ImportKindParams,
      response: { 200: xlsxResponse('The template') },
    },
    config: { action: 'imports.run' },
  }, async (req, reply) => {
    const file = await service.importTemplate(app.db, req.params.kind)
    reply.header('content-type', XLSX_TYPE)
    reply.header('content-disposition', attachmentHeader(service.templateFileName(req.params.kind)))
    return reply.send(file)
  })

  // Multipart is accepted on the upload route only.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: app.config.importMaxBytes, files: 1, fields: 5, parts: 6, fieldSize: 1000 } })
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/api/imports/:kind', {
      schema: {
        summary: 'Upload a filled template (multipart field "file"); the rows are checked and imported by a background job — poll links.self',
        description: 'Refused at once (nothing written): import_not_xlsx, import_bad_headers (details.missing / unexpected / duplicated), ' +
          'import_too_many_rows (counted while streaming; details.limit), import_empty, payload_too_large (file over the upload limit).',
        tags, params: ImportKindParams, querystring: ImportQuery, consumes: ['multipart/form-data'], response: { 202: JobView },
      },
      config: { action: 'imports.run' },
    }, async (req, reply) => {
      if (!req.isMultipart()) throw new AppError('import_file_missing')
      const file = await req.file()
      if (!file) throw new AppError('import_file_missing')
      const job = await service.startImport(app, req.actor, req.params.kind, req.query, { file: file.file, filename: file.filename })
      return reply.status(202).send(job)
    })
  })
}
