import { Button, Result } from 'antd'
import { Link } from 'react-router-dom'
import { useI18n } from '../../app/i18n'

export default function NotFoundPage() {
  const { t } = useI18n()
  return (
    <Result
      status="404"
      title={t('error.404.title')}
      subTitle={t('error.404.body')}
      extra={
        <Link to="/">
          <Button type="primary">{t('error.backHome')}</Button>
        </Link>
      }
      data-testid="page-404"
    />
  )
}
