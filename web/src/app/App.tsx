import { App as AntdApp, ConfigProvider } from 'antd'
import { RouterProvider } from 'react-router-dom'
import { AuthProvider } from './auth'
import { I18nProvider, useI18n } from './i18n'
import { router } from './router'
import { theme } from './theme'

function Providers() {
  const { antdLocale } = useI18n()
  return (
    <ConfigProvider locale={antdLocale} theme={theme}>
      <AntdApp>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </AntdApp>
    </ConfigProvider>
  )
}

export function App() {
  return (
    <I18nProvider>
      <Providers />
    </I18nProvider>
  )
}
