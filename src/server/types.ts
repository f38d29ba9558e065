import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import type { PiiCipher } from '../lib/pii.js'
import type { Db, DbHandle } from '../db/connect.js'
import type { Actor } from '../modules/access/service.js'
import type { RouteAction } from '../modules/access/roles.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    dbHandle: DbHandle
    config: Config
    /** Encrypts, hashes and decrypts personal information. */
    pii: PiiCipher
  }
  interface FastifyRequest {
    actor: Actor
    /**
     * DbHandle.dataVersion() as read once for this request when its session was answered from memory,
     * so later reads of the same request (the case lists) reuse it instead of asking the database again;
     * null otherwise.
     */
    dataVersion: string | null
  }
  interface FastifyContextConfig {
    /** What the route does, checked against the caller's grants before the handler runs. */
    action?: RouteAction
    /** Routes that authenticate themselves (Open311 api_key) skip the CSRF check. */
    csrfExempt?: boolean
    /** Reachable while the account must still change its password (me, change password, logout). */
    beforePasswordChange?: boolean
  }
}

/** The Fastify instance every module registers its routes on. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/** A module is a named function that registers its routes (and nothing else) on the app. */
export interface Module {
  name: string
  register(app: App): void | Promise<void>
}
