/**
 * Up to five photos, each checked here (type, size) and uploaded at once to POST /api/public/uploads,
 * which sniffs the bytes, strips location metadata and answers with a token for the submit.
 * Residents and staff use the same picker; the value is the list of tokens of finished uploads.
 */
import { useEffect, useRef, useState } from 'react'
import { Button, Flex, Image, Spin, Typography } from 'antd'
import { CameraOutlined, CloseOutlined, ExclamationCircleOutlined } from '@ant-design/icons'
import { api, errorMessage, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'

export const MAX_PHOTOS = 5
/** The server's default limit (CHORUS_PHOTO_MAX_BYTES); a larger photo would be refused after a long upload. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024
const TYPES = ['image/jpeg', 'image/png', 'image/webp']

interface Slot {
  key: number
  preview: string
  name: string
  state: 'uploading' | 'done' | 'failed'
  token?: string
  error?: string
}

export function uploadPhoto(file: Blob): Promise<{ token: string }> {
  return unwrap(
    api.POST('/api/public/uploads', {
      // The route takes the raw bytes; the server decides the type from them.
      body: file as unknown as string,
      bodySerializer: (body: unknown) => body as BodyInit,
      headers: { 'content-type': file.type && TYPES.includes(file.type) ? file.type : 'application/octet-stream' },
    }),
  )
}

interface Props {
  onChange: (tokens: string[]) => void
  /** Told whether an upload is still running, so the form can wait for it. */
  onBusyChange?: (busy: boolean) => void
  large?: boolean
  'data-testid'?: string
}

export function PhotoPicker({ onChange, onBusyChange, large = false, ...rest }: Props) {
  const { t } = useI18n()
  const [slots, setSlots] = useState<Slot[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const nextKey = useRef(1)
  const onChangeRef = useRef(onChange)
  onChangeRef.current = onChange
  const onBusyRef = useRef(onBusyChange)
  onBusyRef.current = onBusyChange

  useEffect(() => {
    onChangeRef.current(slots.flatMap((s) => (s.state === 'done' && s.token ? [s.token] : [])))
    onBusyRef.current?.(slots.some((s) => s.state === 'uploading'))
  }, [slots])

  // Previews are object URLs; give them back when the picker goes away.
  const previews = useRef(new Set<string>())
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), [])

  const update = (key: number, patch: Partial<Slot>) => setSlots((list) => list.map((s) => (s.key === key ? { ...s, ...patch } : s)))

  const add = (files: FileList | null) => {
    if (!files) return
    const notes: string[] = []
    const room = MAX_PHOTOS - slots.length
    const chosen = Array.from(files)
    if (chosen.length > room) notes.push(t('requests.photos.tooMany', { max: MAX_PHOTOS }))
    const accepted: { slot: Slot; file: File }[] = []
    for (const file of chosen.slice(0, Math.max(0, room))) {
      if (file.type && !TYPES.includes(file.type)) {
        notes.push(t('requests.photos.badType', { name: file.name }))
        continue
      }
      if (file.size > MAX_PHOTO_BYTES) {
        notes.push(t('requests.photos.tooLarge', { name: file.name, max: Math.round(MAX_PHOTO_BYTES / 1024 / 1024) }))
        continue
      }
      const preview = URL.createObjectURL(file)
      previews.current.add(preview)
      accepted.push({ file, slot: { key: nextKey.current++, preview, name: file.name, state: 'uploading' } })
    }
    setProblem(notes.length ? notes.join(' ') : null)
    if (accepted.length === 0) return
    setSlots((list) => [...list, ...accepted.map((a) => a.slot)])
    for (const { slot, file } of accepted) {
      uploadPhoto(file).then(
        (result) => update(slot.key, { state: 'done', token: result.token }),
        (err: unknown) => update(slot.key, { state: 'failed', error: errorMessage(err) }),
      )
    }
  }

  const remove = (slot: Slot) => {
    URL.revokeObjectURL(slot.preview)
    previews.current.delete(slot.preview)
    setSlots((list) => list.filter((s) => s.key !== slot.key))
  }

  const size = large ? 96 : 80
  return (
    <Flex vertical gap={8} data-testid={rest['data-testid']}>
      <Flex wrap gap={8}>
        {slots.map((slot) => (
          <div key={slot.key} style={{ position: 'relative', width: size, height: size }} data-testid="photo-slot" data-state={slot.state}>
            <Image src={slot.preview} alt={slot.name} width={size} height={size} style={{ objectFit: 'cover', borderRadius: 8 }} />
            {slot.state === 'uploading' && (
              <Flex align="center" justify="center" style={{ position: 'absolute', inset: 0, background: 'rgba(255,255,255,.6)', borderRadius: 8 }}>
                <Spin size="small" />
              </Flex>
            )}
            {slot.state === 'failed' && (
              <Flex vertical align="center" justify="center" title={slot.error} style={{ position: 'absolute', inset: 0, background: 'rgba(255,241,240,.85)', borderRadius: 8, padding: 4, textAlign: 'center' }}>
                <ExclamationCircleOutlined style={{ color: '#cf1322' }} />
                <Typography.Text type="danger" style={{ fontSize: 11, lineHeight: 1.2 }}>{t('requests.photos.failed')}</Typography.Text>
              </Flex>
            )}
            <Button
              size="small"
              shape="circle"
              icon={<CloseOutlined />}
              aria-label={t('requests.photos.remove')}
              onClick={() => remove(slot)}
              style={{ position: 'absolute', top: -8, right: -8 }}
            />
          </div>
        ))}
        {slots.length < MAX_PHOTOS && (
          <Button
            onClick={() => input.current?.click()}
            style={{ width: size, height: size, borderStyle: 'dashed', display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'center', gap: 4 }}
            data-testid="photo-add"
          >
            <CameraOutlined style={{ fontSize: 22 }} />
            <span style={{ fontSize: 12 }}>{t('requests.photos.add', { n: slots.length, max: MAX_PHOTOS })}</span>
          </Button>
        )}
      </Flex>
      <input
        ref={input}
        type="file"
        accept={TYPES.join(',')}
        multiple
        style={{ display: 'none' }}
        onChange={(e) => {
          add(e.target.files)
          e.target.value = ''
        }}
        data-testid="photo-input"
      />
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>{t('requests.photos.hint', { max: MAX_PHOTOS, mb: Math.round(MAX_PHOTO_BYTES / 1024 / 1024) })}</Typography.Text>
      {problem && <Typography.Text type="danger" data-testid="photo-problem">{problem}</Typography.Text>}
      {slots.filter((s) => s.state === 'failed').map((s) => (
        <Typography.Text key={s.key} type="danger" style={{ fontSize: 13 }}>{`${s.name}: ${s.error ?? ''}`}</Typography.Text>
      ))}
    </Flex>
  )
}
