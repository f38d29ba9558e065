import { Type } from 'typebox'

/** The one error shape, documented on every operation. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable snake_case code' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorBody', description: 'Every failure has this shape' },
)

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
export const Ok = Type.Object({ ok: Type.Literal(true) })
