/** How units look on screen: an icon and a tag colour per type, and the tag itself. */
import type { ReactNode } from 'react'
import { Tag } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import {
  ApartmentOutlined, BankOutlined, BlockOutlined, BorderInnerOutlined, BuildOutlined, ClusterOutlined, EnvironmentOutlined, GlobalOutlined,
  HomeFilled, HomeOutlined, ShopOutlined, TeamOutlined,
} from '@ant-design/icons'
import { useI18n } from '../../app/i18n'
import type { UnitType } from './types'

export const unitTypeIcon: Record<UnitType, ReactNode> = {
  county: <GlobalOutlined />,
  town: <EnvironmentOutlined />,
  subdistrict: <ApartmentOutlined />,
  village: <HomeOutlined />,
  new_village: <HomeFilled />,
  community: <TeamOutlined />,
  grid: <BorderInnerOutlined />,
  compound: <BlockOutlined />,
  building: <BuildOutlined />,
  agency: <BankOutlined />,
  park: <ClusterOutlined />,
  enterprise: <ShopOutlined />,
}

export const unitTypeColor: Record<UnitType, string> = {
  county: 'red',
  town: 'volcano',
  subdistrict: 'orange',
  village: 'green',
  new_village: 'lime',
  community: 'blue',
  grid: 'cyan',
  compound: 'geekblue',
  building: 'purple',
  agency: 'magenta',
  park: 'gold',
  enterprise: 'default',
}

export function UnitTypeTag({ type }: { type: UnitType }) {
  const { unitTypeName } = useI18n()
  return (
    <Tag color={unitTypeColor[type]} icon={unitTypeIcon[type]} style={{ marginInlineEnd: 0 }}>
      {unitTypeName(type)}
    </Tag>
  )
}

/** 姜楼镇 / 陈店新村 / 网格: the ancestors' names then the unit's, for telling two 第一网格 apart. */
export const unitPathText = (ancestorNames: string[], name: string): string => [...ancestorNames, name].join(' / ')

/** Today in Beijing, YYYY-MM-DD. */
export function todayInShanghai(): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date())
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** Today in Beijing as a date-picker value (the browser may sit in another time zone). */
export const shanghaiToday = (): Dayjs => dayjs(todayInShanghai())

/** For date pickers: days after today in Beijing cannot be chosen. */
export const afterShanghaiToday = (day: Dayjs): boolean => day.format('YYYY-MM-DD') > todayInShanghai()
