/**
 * The three questions (您是否被联系过? 问题解决了吗? 满意度) with a comment: the resident's rating
 * on the tracking page and the staff's phone follow-up (回访) in the detail page.
 */
import { useState } from 'react'
import { Alert, Button, Flex, Input, Radio, Typography } from 'antd'
import { useI18n } from '../../app/i18n'
import { SATISFACTIONS, satisfactionKeys, type RatingInput, type Satisfaction } from './model'

interface Props {
  onSubmit: (answer: RatingInput) => Promise<void>
  /** Bigger controls for the resident's phone. */
  large?: boolean
  submitLabel?: string
  /** "Not solved" reopens the case; the form says so before sending. */
  reopenHint?: string
}

export function RatingForm({ onSubmit, large = false, submitLabel, reopenHint }: Props) {
  const { t } = useI18n()
  const [contacted, setContacted] = useState<boolean | null>(null)
  const [solved, setSolved] = useState<boolean | null>(null)
  const [satisfaction, setSatisfaction] = useState<Satisfaction | null>(null)
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [missing, setMissing] = useState(false)
  const size = large ? 'large' : 'middle'

  const submit = async () => {
    if (contacted === null || solved === null || satisfaction === null) {
      setMissing(true)
      return
    }
    setMissing(false)
    setBusy(true)
    try {
      await onSubmit({ contacted, solved, satisfaction, ...(comment.trim() ? { comment: comment.trim() } : {}) })
    } finally {
      setBusy(false)
    }
  }

  const question = (n: number, text: string) => (
    <Typography.Text strong style={{ fontSize: large ? 17 : 14 }}>{`${n}. ${text}`}</Typography.Text>
  )
  const yesNo = (value: boolean | null, set: (v: boolean) => void, yes: string, no: string, testId: string) => (
    <Radio.Group
      value={value === null ? undefined : value ? 'yes' : 'no'}
      onChange={(e) => set(e.target.value === 'yes')}
      optionType="button"
      buttonStyle="solid"
      size={size}
      options={[{ value: 'yes', label: yes }, { value: 'no', label: no }]}
      data-testid={testId}
    />
  )

  return (
    <Flex vertical gap={large ? 16 : 12} data-testid="rating-form">
      <Flex vertical gap={6}>
        {question(1, t('requests.rating.contacted'))}
        {yesNo(contacted, setContacted, t('requests.rating.contactedYes'), t('requests.rating.contactedNo'), 'rating-contacted')}
      </Flex>
      <Flex vertical gap={6}>
        {question(2, t('requests.rating.solved'))}
        {yesNo(solved, setSolved, t('requests.rating.solvedYes'), t('requests.rating.solvedNo'), 'rating-solved')}
        {solved === false && reopenHint && <Alert type="warning" showIcon title={reopenHint} data-testid="rating-reopen-hint" />}
      </Flex>
      <Flex vertical gap={6}>
        {question(3, t('requests.rating.satisfaction'))}
        <Radio.Group
          value={satisfaction ?? undefined}
          onChange={(e) => setSatisfaction(e.target.value as Satisfaction)}
          optionType="button"
          buttonStyle="solid"
          size={size}
          options={SATISFACTIONS.map((s) => ({ value: s, label: t(satisfactionKeys[s]) }))}
          data-testid="rating-satisfaction"
        />
      </Flex>
      <Flex vertical gap={6}>
        <Typography.Text style={{ fontSize: large ? 16 : 14 }}>{t('requests.rating.comment')}</Typography.Text>
        <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} showCount rows={3} style={large ? { fontSize: 16 } : undefined} data-testid="rating-comment" />
      </Flex>
      {missing && <Typography.Text type="danger">{t('requests.rating.missing')}</Typography.Text>}
      <Button type="primary" size={size} block={large} loading={busy} onClick={() => void submit()} data-testid="rating-submit">
        {submitLabel ?? t('requests.rating.submit')}
      </Button>
    </Flex>
  )
}
