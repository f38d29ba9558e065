import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { App } from '../types.js'

export const requestLang = (req: FastifyRequest): 'zh' | 'en' => {
  const header = req.headers['accept-language']
  return typeof header === 'string' && /^\s*en/i.test(header) ? 'en' : 'zh'
}

/** Maps Fastify's own failures (parsing, validation, limits) to stable codes. */
function fromFastifyError(err: FastifyError): AppError | null {
  if (err.validation) {
    const details = err.validation.map((v) => {
      const params = v.params as { missingProperty?: string; additionalProperty?: string }
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
      const field = [path, params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.')
      return { in: err.validationContext ?? 'body', field: field || null, problem: v.keyword, message: v.message ?? '' }
    })
    return new AppError('validation_failed', details)
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('empty_body')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'validation_failed')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError('payload_too_large')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type')
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return new AppError('invalid_json')
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 404) return new AppError('not_found')
    if (err.statusCode === 413) return new AppError('payload_too_large')
    if (err.statusCode === 415) return new AppError('unsupported_media_type')
    if (err.statusCode === 429) return new AppError('rate_limited')
    return new AppError('validation_failed', { message: err.message })
  }
  return null
}

export function sendError(req: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  return reply.status(error.status).type('application/json; charset=utf-8').send({
    error: { code: error.code, message: error.messageIn(requestLang(req)), details: error.details ?? undefined, requestId: req.id },
  })
}

export function registerErrorHandling(app: App): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = err instanceof AppError ? err : fromFastifyError(err)
    if (known) {
      if (known.status >= 500) req.log.error({ err }, 'request failed')
      return sendError(req, reply, known)
    }
    // The cause stays in the log with the request id; the client gets a generic message.
    req.log.error({ err }, 'unexpected error')
    return sendError(req, reply, new AppError('internal_error'))
  })

}
