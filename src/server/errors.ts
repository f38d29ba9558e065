/**
 * The one error class. Every failure a client sees is `{"error":{"code","message","details"}}`;
 * the code is stable, the message tells a person what to do (Chinese or English by Accept-Language).
 */
export interface ErrorSpec {
  status: number
  en: string
  zh: string
}

export const errorCatalog = {
  // platform
  validation_failed: { status: 400, en: 'Some fields are missing or invalid; see details.', zh: '部分字段缺失或无效,请查看详情。' },
  invalid_json: { status: 400, en: 'The request body is not valid JSON.', zh: '请求内容不是有效的 JSON。' },
  empty_body: { status: 400, en: 'The request body is empty; send a JSON object.', zh: '请求内容为空,请发送 JSON 对象。' },
  unsupported_media_type: { status: 415, en: 'Send the body as application/json.', zh: '请以 application/json 格式发送请求内容。' },
  payload_too_large: { status: 413, en: 'The request body is too large.', zh: '请求内容过大。' },
  route_not_found: { status: 404, en: 'There is no such address in the API.', zh: '接口地址不存在。' },
  not_found: { status: 404, en: 'Not found.', zh: '未找到。' },
  rate_limited: { status: 429, en: 'Too many requests; wait a moment and try again.', zh: '请求过于频繁,请稍后再试。' },
  internal_error: { status: 500, en: 'Something went wrong on our side; try again, and tell the administrator the request id if it persists.', zh: '服务器内部错误,请重试;如持续出现,请将请求编号告知管理员。' },
  database_unavailable: { status: 503, en: 'The database cannot be reached.', zh: '无法连接数据库。' },
  // auth
  unauthenticated: { status: 401, en: 'Log in first.', zh: '请先登录。' },
  session_expired: { status: 401, en: 'Your session has expired; log in again.', zh: '会话已过期,请重新登录。' },
  invalid_credentials: { status: 401, en: 'Wrong username or password.', zh: '用户名或密码错误。' },
  account_locked: { status: 423, en: 'Too many failed logins; the account is locked for 15 minutes.', zh: '登录失败次数过多,账号已锁定 15 分钟。' },
  account_disabled: { status: 403, en: 'This account is disabled; ask an administrator.', zh: '该账号已停用,请联系管理员。' },
  csrf_token_invalid: { status: 403, en: 'The security token is missing or stale; reload the page and try again.', zh: '安全令牌缺失或已失效,请刷新页面后重试。' },
  password_change_required: { status: 403, en: 'Choose a new password first (your password was set by an administrator).', zh: '请先修改密码(当前密码由管理员设置)。' },
  wrong_password: { status: 400, en: 'The current password is wrong.', zh: '当前密码不正确。' },
  password_too_weak: { status: 400, en: 'The password must have at least 10 characters and must not be the username.', zh: '密码至少 10 个字符,且不能与用户名相同。' },
  // access
  forbidden: { status: 403, en: 'You have no permission for this.', zh: '您没有执行此操作的权限。' },
  // accounts
  account_not_found: { status: 404, en: 'No such account.', zh: '账号不存在。' },
  username_taken: { status: 409, en: 'That username is already taken.', zh: '该用户名已被使用。' },
  cannot_disable_self: { status: 400, en: 'You cannot disable your own account.', zh: '不能停用自己的账号。' },
  // units
  unit_not_found: { status: 404, en: 'No such unit.', zh: '单位不存在。' },
  unit_code_taken: { status: 409, en: 'Another unit already has that code.', zh: '该编码已被其他单位使用。' },
  unit_archived: { status: 409, en: 'The unit is archived and cannot be changed.', zh: '该单位已归档,无法修改。' },
  invalid_unit_parent: { status: 400, en: 'That unit cannot be placed under the chosen parent.', zh: '该单位不能放在所选上级之下。' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof errorCatalog
const catalog: Record<string, ErrorSpec> = errorCatalog

/** Modules add their codes at import time; a duplicate code is a programming error. */
export function registerErrors(codes: Record<string, ErrorSpec>): void {
  for (const [code, spec] of Object.entries(codes)) {
    if (catalog[code] && catalog[code] !== spec) throw new Error(`error code ${code} registered twice`)
    catalog[code] = spec
  }
}

export function errorSpec(code: string): ErrorSpec {
  return catalog[code] ?? errorCatalog.internal_error
}

export function allErrorCodes(): string[] {
  return Object.keys(catalog)
}

export class AppError extends Error {
  readonly code: string
  readonly status: number
  readonly details: unknown
  /** Optional message override; by default the catalog message in the caller's language. */
  readonly custom: { en: string; zh: string } | null

  constructor(code: ErrorCode | (string & {}), details?: unknown, custom?: { en: string; zh: string }) {
    const spec = errorSpec(code)
    super(custom?.en ?? spec.en)
    this.name = 'AppError'
    this.code = code
    this.status = spec.status
    this.details = details ?? null
    this.custom = custom ?? null
  }

  messageIn(lang: 'zh' | 'en'): string {
    const spec = errorSpec(this.code)
    return this.custom ? this.custom[lang] : spec[lang]
  }
}
