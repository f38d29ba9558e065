/**
 * The frame every restructuring wizard shares: the setup steps the wizard brings, then the preview
 * (POST …/preview, which writes nothing), then the confirmation, which sends the preview's planHash
 * back so exactly the reviewed plan runs. If the data changed in between (409 restructure_plan_changed)
 * the preview is computed again and the person reviews it once more.
 */
import { useState, type ReactNode } from 'react'
import { Alert, Button, DatePicker, Flex, Form, Input, Result, Space, Steps, Tag, Typography, type FormInstance } from 'antd'
import { Link } from 'react-router-dom'
import type { Dayjs } from 'dayjs'
import { ApiError } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from './ErrorAlert'
import { PlanView } from './PlanView'
import { shanghaiToday } from './meta'
import type { RestructureOp } from './restructureApi'
import type { RestructurePlan, RestructureResult } from './types'

export interface WizardStep {
  title: string
  content: ReactNode
  /** Besides the form's own rules: a message that keeps the person on this step, or null. */
  check?: () => string | null
}

export interface CommonValues {
  effectiveDate?: Dayjs | null
  note?: string
}

/** effectiveDate and note, as every operation accepts them. */
export function commonBody(values: CommonValues): { effectiveDate?: string; note?: string } {
  return {
    effectiveDate: values.effectiveDate ? values.effectiveDate.format('YYYY-MM-DD') : undefined,
    note: values.note?.trim() || undefined,
  }
}

/** The effective date and note fields, for the last setup step of each wizard. */
export function CommonFields() {
  const { t } = useI18n()
  return (
    <>
      <Form.Item name="effectiveDate" label={t('units.wizard.effectiveDate')} extra={t('units.wizard.effectiveDateHelp')}>
        <DatePicker style={{ width: 200 }} data-testid="wizard-effective-date" />
      </Form.Item>
      <Form.Item name="note" label={t('units.wizard.note')}>
        <Input.TextArea rows={2} maxLength={1000} showCount placeholder={t('units.wizard.notePlaceholder')} data-testid="wizard-note" />
      </Form.Item>
    </>
  )
}

export const commonInitialValues = (): CommonValues => ({ effectiveDate: shanghaiToday() })

interface Props<B> {
  form: FormInstance
  op: RestructureOp<B>
  steps: WizardStep[]
  /** The request body from the form; called after the setup steps validate. */
  body: () => B
  /** The unit to open in the tree after success. */
  resultUnitId: (result: RestructureResult) => number | null
  initialValues?: object
}

export function Wizard<B extends object>({ form, op, steps, body, resultUnitId, initialValues }: Props<B>) {
  const { t } = useI18n()
  const [current, setCurrent] = useState(0)
  const [plan, setPlan] = useState<RestructurePlan | null>(null)
  const [sent, setSent] = useState<B | null>(null)
  const [result, setResult] = useState<RestructureResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [stepProblem, setStepProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [replanned, setReplanned] = useState(false)
  const previewIndex = steps.length
  const doneIndex = steps.length + 1

  const validateStep = async (): Promise<boolean> => {
    setStepProblem(null)
    try {
      await form.validateFields()
    } catch {
      return false
    }
    const problem = steps[current]?.check?.() ?? null
    setStepProblem(problem)
    return problem === null
  }

  const runPreview = async (request: B) => {
    setBusy(true)
    setError(null)
    try {
      const next = await op.preview(request)
      setPlan(next)
      setSent(request)
      setCurrent(previewIndex)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const next = async () => {
    if (!(await validateStep())) return
    if (current === steps.length - 1) {
      setReplanned(false)
      await runPreview(body())
    } else setCurrent(current + 1)
  }

  const confirm = async () => {
    if (!plan || !sent) return
    setBusy(true)
    setError(null)
    try {
      const done = await op.execute({ ...sent, planHash: plan.planHash })
      setResult(done)
      setCurrent(doneIndex)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'restructure_plan_changed') {
        // Someone changed the data since the preview: show the new plan and ask again.
        try {
          setPlan(await op.preview(sent))
          setReplanned(true)
        } catch (again) {
          setError(again)
        }
      } else setError(err)
    } finally {
      setBusy(false)
    }
  }

  const restart = () => {
    setCurrent(0)
    setPlan(null)
    setSent(null)
    setResult(null)
    setError(null)
    setReplanned(false)
    form.resetFields()
  }

  // Once shown, the step's problem follows the data (an assignment made outside the form clears it).
  const shownProblem = stepProblem !== null && current < steps.length ? (steps[current]?.check?.() ?? null) : null
  const items = [...steps.map((s) => ({ title: s.title })), { title: t('units.wizard.preview') }, { title: t('units.wizard.done') }]
  const target = result ? resultUnitId(result) : null

  return (
    <Flex vertical gap={20}>
      <Steps current={current} status={current === doneIndex ? 'finish' : 'process'} items={items} size="small" responsive data-testid="wizard-steps" />
      {/* The form stays mounted (hidden) after the setup steps, so its values survive going back. */}
      <div hidden={current >= previewIndex}>
        <Form form={form} initialValues={initialValues} layout="vertical" requiredMark="optional" style={{ maxWidth: 960 }} onValuesChange={() => setStepProblem(null)}>
          {steps[Math.min(current, steps.length - 1)]?.content}
        </Form>
      </div>
      {current === previewIndex && plan && (
        <>
          <Alert type="info" showIcon title={t('units.wizard.reviewHint')} />
          {replanned && <Alert type="warning" showIcon title={t('units.wizard.planChanged')} data-testid="plan-changed" />}
          <PlanView plan={plan} />
        </>
      )}
      {current === doneIndex && result && (
        <Result
          status="success"
          title={t('units.wizard.successTitle')}
          subTitle={result.event.title}
          data-testid="wizard-result"
          extra={
            <Flex vertical align="center" gap={12}>
              <Space wrap>
                {target !== null && (
                  <Link to={`/units?unit=${target}`} data-testid="result-open-unit">
                    <Button type="primary">{t('units.wizard.openInTree')}</Button>
                  </Link>
                )}
                <Link to={`/units/events?event=${result.event.id}`}>
                  <Button>{t('units.wizard.openEvent')}</Button>
                </Link>
                <Button onClick={restart}>{t('units.wizard.again')}</Button>
              </Space>
              {result.createdUnits.length > 0 && (
                <Flex wrap gap={6} justify="center">
                  <Typography.Text type="secondary">{t('units.wizard.createdUnits')}:</Typography.Text>
                  {result.createdUnits.map((c) => {
                    const spec = result.plan.created.find((p) => p.ref === c.ref)
                    return (
                      <Link key={c.id} to={`/units?unit=${c.id}`}>
                        <Tag color="green">{spec?.name ?? c.ref}</Tag>
                      </Link>
                    )
                  })}
                </Flex>
              )}
              {result.createdPartyOrgs.length > 0 && (
                <Typography.Text type="secondary">{t('units.wizard.createdOrgs', { n: result.createdPartyOrgs.length })}</Typography.Text>
              )}
            </Flex>
          }
        />
      )}
      {shownProblem && <Alert type="error" showIcon title={shownProblem} data-testid="wizard-step-problem" />}
      {error !== null && <ErrorAlert error={error} testId="wizard-error" />}
      {current < doneIndex && (
        <Flex gap={8} wrap>
          {current > 0 && (
            <Button onClick={() => { setError(null); setStepProblem(null); setCurrent(current - 1) }} disabled={busy} data-testid="wizard-back">
              {t('units.wizard.back')}
            </Button>
          )}
          {current < previewIndex && (
            <Button type="primary" onClick={() => void next()} loading={busy} data-testid="wizard-next">
              {current === steps.length - 1 ? t('units.wizard.toPreview') : t('units.wizard.next')}
            </Button>
          )}
          {current === previewIndex && (
            <Button type="primary" danger onClick={() => void confirm()} loading={busy} data-testid="wizard-confirm">
              {t('units.wizard.confirm')}
            </Button>
          )}
        </Flex>
      )}
    </Flex>
  )
}
