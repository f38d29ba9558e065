import { Button, Result } from 'antd'
import { Link } from 'react-router-dom'
import { useI18n } from '../../app/i18n'

/** Shown in place of a page whose action none of the account's grants allow. */
export default function ForbiddenPage() {
  const { t } = useI18n()
  return (
    <Result
      status="403"
      title={t('error.403.title')}
      subTitle={t('error.403.body')}
      extra={
        <Link to="/">
          <Button type="primary">{t('error.backHome')}</Button>
        </Link>
      }
      data-testid="page-403"
    />
  )
}
