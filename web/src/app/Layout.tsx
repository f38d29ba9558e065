import { useState } from 'react'
import { Avatar, Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, Segmented, Typography, type MenuProps } from 'antd'
import { KeyOutlined, LogoutOutlined, MenuFoldOutlined, MenuOutlined, MenuUnfoldOutlined, UserOutlined } from '@ant-design/icons'
import { Link, Outlet, useLocation } from 'react-router-dom'
import { useAuth } from './auth'
import { useI18n, type Lang } from './i18n'
import { entryForLocation, navEntries } from './nav'
import { ChangePasswordDialog } from './ChangePasswordDialog'
import { NotificationBell } from '../pages/requests/NotificationBell'

const { Header, Sider, Content } = Layout

function Brand({ compact }: { compact: boolean }) {
  const { t } = useI18n()
  return (
    <Link to="/" style={{ display: 'flex', alignItems: 'center', gap: 10, minWidth: 0, color: 'inherit' }}>
      <img src="/favicon.svg" alt="" width={28} height={28} style={{ flex: 'none' }} />
      <Typography.Text strong ellipsis style={{ fontSize: 16 }} data-testid="app-name">
        {t('app.name')}
      </Typography.Text>
      {!compact && (
        <Typography.Text type="secondary" ellipsis>
          {t('app.tagline')}
        </Typography.Text>
      )}
    </Link>
  )
}

/** The shell around every page: header (brand, language, user menu), side menu, content. */
export function AppLayout() {
  const { me, can, logout } = useAuth()
  const { t, lang, setLang } = useI18n()
  const screens = Grid.useBreakpoint()
  // Until the first measurement `md` is undefined; treat that as desktop to avoid a flash of the phone layout.
  const phone = screens.md === false
  const [collapsed, setCollapsed] = useState(false)
  const [drawerOpen, setDrawerOpen] = useState(false)
  const [passwordOpen, setPasswordOpen] = useState(false)
  const location = useLocation()

  const visible = navEntries.filter((e) => e.inMenu !== false && (e.action === null || can(e.action)))
  const selected = entryForLocation(location.pathname)?.path
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={selected ? [selected] : []}
      items={visible.map((e) => ({ key: e.path, icon: e.icon, label: <Link to={e.path}>{t(e.label)}</Link> }))}
      onClick={() => setDrawerOpen(false)}
      style={{ borderInlineEnd: 'none' }}
      data-testid="side-menu"
    />
  )

  const userItems: MenuProps['items'] = [
    { key: 'password', icon: <KeyOutlined />, label: t('user.changePassword') },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('user.logout') },
  ]
  const onUserMenu: MenuProps['onClick'] = ({ key }) => {
    if (key === 'password') setPasswordOpen(true)
    // Once logged out, RequireAuth sends the browser to the login page.
    if (key === 'logout') void logout()
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ position: 'sticky', top: 0, zIndex: 10, borderBottom: '1px solid #f0f0f0' }}>
        <Flex align="center" justify="space-between" gap={12} style={{ height: '100%' }}>
          <Flex align="center" gap={8} style={{ minWidth: 0 }}>
            {phone ? (
              <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.toggleMenu')} onClick={() => setDrawerOpen(true)} data-testid="menu-toggle" />
            ) : (
              <Button
                type="text"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                aria-label={t('nav.toggleMenu')}
                onClick={() => setCollapsed((c) => !c)}
                data-testid="menu-toggle"
              />
            )}
            <Brand compact={phone || screens.lg === false} />
          </Flex>
          <Flex align="center" gap={phone ? 4 : 16} style={{ flex: 'none' }}>
            <NotificationBell />
            <Segmented<Lang>
              size="small"
              value={lang}
              onChange={setLang}
              options={[
                { label: t('lang.zh'), value: 'zh' },
                { label: t('lang.en'), value: 'en' },
              ]}
              aria-label={t('lang.switch')}
              data-testid="lang-switch"
            />
            <Dropdown menu={{ items: userItems, onClick: onUserMenu }} trigger={['click']} placement="bottomRight">
              <Button type="text" aria-label={t('user.menu')} data-testid="user-menu" style={{ paddingInline: 4 }}>
                <Avatar size="small" icon={<UserOutlined />} style={{ backgroundColor: '#c8102e' }} />
                {!phone && <span style={{ maxWidth: 160, overflow: 'hidden', textOverflow: 'ellipsis' }}>{me?.displayName}</span>}
              </Button>
            </Dropdown>
          </Flex>
        </Flex>
      </Header>
      <Layout>
        {!phone && (
          <Sider
            theme="light"
            width={220}
            collapsedWidth={64}
            breakpoint="lg"
            collapsible
            trigger={null}
            collapsed={collapsed}
            onCollapse={setCollapsed}
            style={{ borderInlineEnd: '1px solid #f0f0f0' }}
          >
            {menu}
          </Sider>
        )}
        <Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
          <Outlet />
        </Content>
      </Layout>
      {phone && (
        <Drawer placement="left" open={drawerOpen} onClose={() => setDrawerOpen(false)} size={260} title={t('app.name')} styles={{ body: { padding: 0 } }}>
          {menu}
        </Drawer>
      )}
      <ChangePasswordDialog
        open={passwordOpen || me?.mustChangePassword === true}
        forced={me?.mustChangePassword === true}
        onClose={() => setPasswordOpen(false)}
      />
    </Layout>
  )
}
