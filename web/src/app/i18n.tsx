/**
 * Languages: Chinese by default, English on request, the choice kept in localStorage. Every
 * string the UI shows is a key here with both languages; `t('key', { n: 3 })` fills `{n}`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import timezone from 'dayjs/plugin/timezone'
import 'dayjs/locale/zh-cn'
import type { ConfigProviderProps } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import { setApiLanguage, type Role, type UnitSummary } from '../api/client'
import { residentsMessages } from '../pages/residents/messages'
import { importsMessages } from '../pages/imports/messages'
import { unitsMessages } from '../pages/units/messages'
import { partyMessages } from '../pages/party/messages'
import { requestsMessages } from '../pages/requests/messages'
import { boardMessages } from '../pages/board/messages'
import { open311Messages } from '../pages/open311/messages'
import { homeMessages } from '../pages/home/messages'

dayjs.extend(utc)
dayjs.extend(timezone)

export type Lang = 'zh' | 'en'
type Locale = NonNullable<ConfigProviderProps['locale']>
export const LANG_STORAGE_KEY = 'chorus.lang'
/** The county's clock: every time on screen is Beijing time, wherever the browser is. */
export const TIME_ZONE = 'Asia/Shanghai'

const zh = {
  'app.name': '东阿县 Chorus',
  'app.tagline': '基层党建大合唱',
  'app.loading': '正在加载…',
  'common.search': '搜索',
  'common.reset': '重置',
  'common.all': '全部',
  'common.cancel': '取消',
  'common.ok': '确定',
  'common.save': '保存',
  'common.close': '关闭',
  'common.actions': '操作',
  'common.retry': '重试',
  'common.none': '无',
  'common.yes': '是',
  'common.no': '否',
  'common.loadFailed': '加载失败',
  'common.total': '共 {total} 条',
  'lang.switch': '语言',
  'lang.zh': '中文',
  'lang.en': 'English',
  'nav.toggleMenu': '菜单',
  'nav.home': '首页',
  'nav.accounts': '账号管理',
  'nav.audit': '审计日志',
  'user.menu': '用户菜单',
  'user.changePassword': '修改密码',
  'user.logout': '退出登录',
  'user.loggedOut': '已退出登录',
  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.usernameRequired': '请输入用户名',
  'login.passwordRequired': '请输入密码',
  'login.sessionEnded': '登录已失效，请重新登录。',
  'login.footer': '基层党建与基层治理平台',
  'password.title': '修改密码',
  'password.mustChange': '首次登录或密码被重置后，请先设置新密码。',
  'password.current': '当前密码',
  'password.new': '新密码',
  'password.confirm': '确认新密码',
  'password.rule': '至少 10 个字符，且不能与用户名相同。',
  'password.tooShort': '新密码至少 10 个字符',
  'password.mismatch': '两次输入的新密码不一致',
  'password.changed': '密码已修改，其他设备上的登录已退出。',
  'home.welcome': '欢迎，{name}',
  'home.grants': '您的角色',
  'home.noGrants': '您的账号还没有任何角色授权，请联系管理员分配。',
  'home.pages': '您可以使用的功能',
  'home.noPages': '当前角色还没有可用的功能页面。',
  'home.wholeDeployment': '全部单位',
  'error.403.title': '没有权限',
  'error.403.body': '您的角色没有访问此页面的权限。如需使用，请联系管理员授权。',
  'error.404.title': '页面不存在',
  'error.404.body': '您访问的地址不存在，可能已被移动或输入有误。',
  'error.backHome': '返回首页',
  'table.export': '导出 Excel',
  'table.exporting': '正在导出…',
  'table.exportProgress': '已读取 {done} / {total} 条',
  'table.exportDone': '已导出 {count} 条',
  'table.exportCapped': '只导出了前 {count} 条；请缩小筛选范围后再导出其余数据。',
  'table.exportEmpty': '没有可导出的数据',
  'table.refresh': '刷新',
  'accounts.title': '账号管理',
  'accounts.searchPlaceholder': '用户名或姓名',
  'accounts.role': '角色',
  'accounts.status': '状态',
  'accounts.username': '用户名',
  'accounts.displayName': '姓名',
  'accounts.grants': '授权',
  'accounts.lastLoginAt': '最近登录',
  'accounts.createdAt': '创建时间',
  'accounts.never': '从未登录',
  'accounts.status.active': '正常',
  'accounts.status.disabled': '已停用',
  'accounts.locked': '已锁定',
  'accounts.mustChange': '待改密',
  'accounts.create': '新建账号',
  'accounts.created': '账号 {username} 已创建，首次登录须修改密码。',
  'accounts.initialPassword': '初始密码',
  'accounts.usernameRule': '2–64 位字母、数字或 _ . -',
  'accounts.addGrant': '添加授权',
  'accounts.removeGrant': '删除此授权',
  'accounts.grantRole': '角色',
  'accounts.grantUnit': '单位',
  'accounts.grantsRequired': '请至少添加一项授权',
  'accounts.roleRequired': '请选择角色',
  'accounts.unitRequired': '请选择单位',
  'accounts.editGrants': '修改授权',
  'accounts.grantsSaved': '授权已保存',
  'accounts.resetPassword': '重置密码',
  'accounts.resetDone': '{username} 的密码已重置，下次登录须修改密码。',
  'accounts.disable': '停用',
  'accounts.enable': '启用',
  'accounts.disableConfirm': '停用账号 {username}？该账号将无法登录。',
  'accounts.enableConfirm': '重新启用账号 {username}？',
  'accounts.disabledDone': '账号已停用',
  'accounts.enabledDone': '账号已启用',
  'accounts.noGrants': '无授权',
  'unit.searchPlaceholder': '输入单位名称搜索',
  'unit.none': '没有匹配的单位',
  'unit.wholeDeployment': '全部单位（整个平台）',
  'audit.title': '审计日志',
  'audit.at': '时间',
  'audit.actor': '操作人',
  'audit.action': '操作',
  'audit.entity': '对象',
  'audit.entityType': '对象类型',
  'audit.entityId': '对象编号',
  'audit.ip': 'IP',
  'audit.reason': '事由',
  'audit.requestId': '请求编号',
  'audit.timeRange': '时间范围',
  'audit.actorPlaceholder': '操作人用户名',
  'audit.actionPlaceholder': '操作，或前缀如 accounts',
  'audit.before': '变更前',
  'audit.after': '变更后',
  'audit.system': '系统',
  'audit.noChange': '此条记录没有数据变更。',
  ...residentsMessages.zh,
  ...importsMessages.zh,
  ...unitsMessages.zh,
  ...partyMessages.zh,
  ...requestsMessages.zh,
  ...boardMessages.zh,
  ...open311Messages.zh,
  ...homeMessages.zh,
} as const

export type MessageKey = keyof typeof zh

const en: Record<MessageKey, string> = {
  'app.name': 'Dong\'e Chorus',
  'app.tagline': 'Grassroots party building, in chorus',
  'app.loading': 'Loading…',
  'common.search': 'Search',
  'common.reset': 'Reset',
  'common.all': 'All',
  'common.cancel': 'Cancel',
  'common.ok': 'OK',
  'common.save': 'Save',
  'common.close': 'Close',
  'common.actions': 'Actions',
  'common.retry': 'Retry',
  'common.none': 'None',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.loadFailed': 'Could not load',
  'common.total': '{total} in all',
  'lang.switch': 'Language',
  'lang.zh': '中文',
  'lang.en': 'English',
  'nav.toggleMenu': 'Menu',
  'nav.home': 'Home',
  'nav.accounts': 'Accounts',
  'nav.audit': 'Audit log',
  'user.menu': 'User menu',
  'user.changePassword': 'Change password',
  'user.logout': 'Log out',
  'user.loggedOut': 'You have logged out',
  'login.title': 'Log in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.usernameRequired': 'Enter your username',
  'login.passwordRequired': 'Enter your password',
  'login.sessionEnded': 'Your session has ended; log in again.',
  'login.footer': 'Grassroots party building and governance',
  'password.title': 'Change password',
  'password.mustChange': 'Set a new password before you continue (first login or after a reset).',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.confirm': 'Repeat the new password',
  'password.rule': 'At least 10 characters, and not the username.',
  'password.tooShort': 'The new password needs at least 10 characters',
  'password.mismatch': 'The two new passwords differ',
  'password.changed': 'Password changed; sessions on other devices have ended.',
  'home.welcome': 'Welcome, {name}',
  'home.grants': 'Your roles',
  'home.noGrants': 'Your account has no role yet; ask an administrator to grant one.',
  'home.pages': 'What you can use',
  'home.noPages': 'Your roles have no pages yet.',
  'home.wholeDeployment': 'all units',
  'error.403.title': 'No permission',
  'error.403.body': 'Your roles do not allow this page. Ask an administrator if you need it.',
  'error.404.title': 'Page not found',
  'error.404.body': 'There is no page at this address; it may have moved or been mistyped.',
  'error.backHome': 'Back to home',
  'table.export': 'Export to Excel',
  'table.exporting': 'Exporting…',
  'table.exportProgress': '{done} of {total} rows read',
  'table.exportDone': '{count} rows exported',
  'table.exportCapped': 'Only the first {count} rows were exported; narrow the filters to export the rest.',
  'table.exportEmpty': 'Nothing to export',
  'table.refresh': 'Refresh',
  'accounts.title': 'Accounts',
  'accounts.searchPlaceholder': 'Username or name',
  'accounts.role': 'Role',
  'accounts.status': 'Status',
  'accounts.username': 'Username',
  'accounts.displayName': 'Name',
  'accounts.grants': 'Grants',
  'accounts.lastLoginAt': 'Last login',
  'accounts.createdAt': 'Created',
  'accounts.never': 'Never',
  'accounts.status.active': 'Active',
  'accounts.status.disabled': 'Disabled',
  'accounts.locked': 'Locked',
  'accounts.mustChange': 'New password due',
  'accounts.create': 'New account',
  'accounts.created': 'Account {username} created; it must change its password at first login.',
  'accounts.initialPassword': 'Initial password',
  'accounts.usernameRule': '2–64 letters, digits or _ . -',
  'accounts.addGrant': 'Add grant',
  'accounts.removeGrant': 'Remove this grant',
  'accounts.grantRole': 'Role',
  'accounts.grantUnit': 'Unit',
  'accounts.grantsRequired': 'Add at least one grant',
  'accounts.roleRequired': 'Choose a role',
  'accounts.unitRequired': 'Choose a unit',
  'accounts.editGrants': 'Edit grants',
  'accounts.grantsSaved': 'Grants saved',
  'accounts.resetPassword': 'Reset password',
  'accounts.resetDone': 'Password of {username} reset; it must be changed at the next login.',
  'accounts.disable': 'Disable',
  'accounts.enable': 'Enable',
  'accounts.disableConfirm': 'Disable account {username}? It will no longer be able to log in.',
  'accounts.enableConfirm': 'Enable account {username} again?',
  'accounts.disabledDone': 'Account disabled',
  'accounts.enabledDone': 'Account enabled',
  'accounts.noGrants': 'No grants',
  'unit.searchPlaceholder': 'Type to search units',
  'unit.none': 'No matching unit',
  'unit.wholeDeployment': 'All units (the whole deployment)',
  'audit.title': 'Audit log',
  'audit.at': 'Time',
  'audit.actor': 'Actor',
  'audit.action': 'Action',
  'audit.entity': 'Entity',
  'audit.entityType': 'Entity type',
  'audit.entityId': 'Entity id',
  'audit.ip': 'IP',
  'audit.reason': 'Reason',
  'audit.requestId': 'Request id',
  'audit.timeRange': 'Time range',
  'audit.actorPlaceholder': 'Actor username',
  'audit.actionPlaceholder': 'Action, or a prefix like accounts',
  'audit.before': 'Before',
  'audit.after': 'After',
  'audit.system': 'System',
  'audit.noChange': 'This entry records no data change.',
  ...residentsMessages.en,
  ...importsMessages.en,
  ...unitsMessages.en,
  ...partyMessages.en,
  ...requestsMessages.en,
  ...boardMessages.en,
  ...open311Messages.en,
  ...homeMessages.en,
}

const messages: Record<Lang, Record<MessageKey, string>> = { zh, en }

const roleNames: Record<Lang, Record<Role, string>> = {
  zh: {
    county_admin: '县级管理员',
    org_dept: '县委组织部',
    town_admin: '镇（街道）管理员',
    community_worker: '社区（村）工作者',
    grid_worker: '网格员',
    agency_staff: '机关工作人员',
    enterprise_officer: '红帮办专员',
    enterprise_user: '企业用户',
    property_staff: '物业人员',
    auditor: '审计员',
  },
  en: {
    county_admin: 'County administrator',
    org_dept: 'Organization department',
    town_admin: 'Town / sub-district administrator',
    community_worker: 'Community / village worker',
    grid_worker: 'Grid worker',
    agency_staff: 'Agency staff',
    enterprise_officer: 'Enterprise service officer',
    enterprise_user: 'Enterprise user',
    property_staff: 'Property staff',
    auditor: 'Auditor',
  },
}

/** Every role, in the order the server lists them (the Record above guarantees none is missing). */
export const ROLES = Object.keys(roleNames.zh) as Role[]

type UnitType = UnitSummary['type']
const unitTypeNames: Record<Lang, Record<UnitType, string>> = {
  zh: {
    county: '县', town: '镇', subdistrict: '街道', village: '村', new_village: '新村', community: '社区', grid: '网格',
    compound: '小区', building: '楼院', agency: '机关', park: '园区', enterprise: '企业',
  },
  en: {
    county: 'County', town: 'Town', subdistrict: 'Sub-district', village: 'Village', new_village: 'New village', community: 'Community',
    grid: 'Grid', compound: 'Compound', building: 'Building', agency: 'Agency', park: 'Park', enterprise: 'Enterprise',
  },
}

const antdLocales: Record<Lang, Locale> = { zh: zhCN, en: enUS }
const dayjsLocales: Record<Lang, string> = { zh: 'zh-cn', en: 'en' }

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

interface I18nValue {
  lang: Lang
  setLang: (lang: Lang) => void
  t: Translate
  roleName: (role: Role) => string
  unitTypeName: (type: UnitType) => string
  antdLocale: Locale
}

const I18nContext = createContext<I18nValue | null>(null)

function storedLang(): Lang {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY) === 'en' ? 'en' : 'zh'
  } catch {
    return 'zh'
  }
}

function applyLang(lang: Lang): void {
  setApiLanguage(lang)
  dayjs.locale(dayjsLocales[lang])
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const initial = storedLang()
    applyLang(initial)
    return initial
  })

  useEffect(() => applyLang(lang), [lang])

  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(LANG_STORAGE_KEY, next)
    } catch {
      // Private mode may refuse storage; the choice then lasts for this page only.
    }
    applyLang(next)
    setLangState(next)
  }, [])

  const value = useMemo<I18nValue>(() => {
    const dict = messages[lang]
    return {
      lang,
      setLang,
      t: (key, params) => {
        const text = dict[key]
        return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text
      },
      roleName: (role) => roleNames[lang][role] ?? role,
      unitTypeName: (type) => unitTypeNames[lang][type] ?? type,
      antdLocale: antdLocales[lang],
    }
  }, [lang, setLang])

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext)
  if (!value) throw new Error('useI18n outside I18nProvider')
  return value
}

/** An ISO timestamp as Beijing time, `2026-11-29 21:35`; empty for null. */
export function formatTime(iso: string | null | undefined, withSeconds = false): string {
  if (!iso) return ''
  const time = dayjs(iso)
  return time.isValid() ? time.tz(TIME_ZONE).format(withSeconds ? 'YYYY-MM-DD HH:mm:ss' : 'YYYY-MM-DD HH:mm') : iso
}
