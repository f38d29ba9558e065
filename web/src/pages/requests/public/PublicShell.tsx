/**
 * The frame of the resident's phone pages (no login, no side menu): a red band with the service's
 * name, the page in one narrow column with large text, and a language switch.
 */
import type { ReactNode } from 'react'
import { Button, ConfigProvider, Flex, Typography } from 'antd'
import { useI18n } from '../../../app/i18n'

export function PublicShell({ title, subtitle, children }: { title?: ReactNode; subtitle?: ReactNode; children: ReactNode }) {
  const { t, lang, setLang } = useI18n()
  return (
    // Larger type everywhere: many residents are elderly and read on a small phone.
    <ConfigProvider theme={{ token: { fontSize: 16, fontSizeLG: 18, controlHeight: 40, controlHeightLG: 48 } }}>
      <div style={{ minHeight: '100vh', background: '#f5f5f5' }}>
        <header style={{ background: 'linear-gradient(135deg, #c8102e, #a50d26)', color: '#fff', padding: '14px 16px 18px' }}>
          <Flex justify="space-between" align="center" style={{ maxWidth: 560, margin: '0 auto' }}>
            <Flex align="center" gap={8} style={{ minWidth: 0 }}>
              <img src="/favicon.svg" alt="" width={24} height={24} style={{ background: '#fff', borderRadius: 6, padding: 2 }} />
              <span style={{ fontSize: 15, opacity: 0.95 }}>{t('requests.public.brand')}</span>
            </Flex>
            <Button
              type="text"
              size="small"
              onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
              style={{ color: '#fff' }}
              aria-label={t('lang.switch')}
              data-testid="public-lang"
            >
              {lang === 'zh' ? 'EN' : '中文'}
            </Button>
          </Flex>
          {(title || subtitle) && (
            <div style={{ maxWidth: 560, margin: '10px auto 0' }}>
              {title && (
                <Typography.Title level={3} style={{ color: '#fff', margin: 0, fontSize: 24, lineHeight: 1.3 }} data-testid="public-title">
                  {title}
                </Typography.Title>
              )}
              {subtitle && <div style={{ color: 'rgba(255,255,255,.85)', fontSize: 14, marginTop: 4 }}>{subtitle}</div>}
            </div>
          )}
        </header>
        <main style={{ maxWidth: 560, margin: '0 auto', padding: '12px 12px 40px' }}>{children}</main>
      </div>
    </ConfigProvider>
  )
}
