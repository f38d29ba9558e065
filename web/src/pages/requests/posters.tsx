/**
 * QR posters: which places of a unit get one (the unit alone, or its compounds, buildings, grids
 * and representatives' studios), and the A4 sheet itself. The poster encodes `/r/<code>` at the
 * deployment's public address (CHORUS_PUBLIC_URL, from /api/meta), or, when none is set, at the
 * address the page is opened at.
 */
import type { CSSProperties } from 'react'
import { api, unwrap, type ApiResult } from '../../api/client'
import { deploymentMeta } from '../../app/deployment'
import { useI18n } from '../../app/i18n'
import { qrUrl } from './model'
import { QrCode } from './QrCode'

type TreeNode = ApiResult<'/api/units/tree', 'get'>['items'][number]
export type UnitType = TreeNode['type']

export const POSTER_KINDS = ['compound', 'building', 'grid', 'community', 'studio'] as const
export type PosterKind = (typeof POSTER_KINDS)[number]
const KIND_TYPES: Record<Exclude<PosterKind, 'studio'>, UnitType[]> = {
  compound: ['compound'], building: ['building'], grid: ['grid'], community: ['community', 'village', 'new_village'],
}
export const DEFAULT_KINDS: PosterKind[] = ['compound', 'building', 'grid', 'studio']

export interface PosterTarget {
  key: string
  code: string
  name: string
  /** A unit type, or 'studio'. */
  kind: UnitType | 'studio'
  /** Names above the place, from the county down. */
  trail: string[]
}

export interface PosterSet {
  root: { id: number; name: string; type: UnitType }
  /** Where the codes point: the public address when one is configured, else this page's. */
  origin: string
  /** True when `origin` is the configured public address. */
  publicOrigin: boolean
  /** The deployment's name, printed at the foot of each poster. */
  title: { zh: string; en: string }
  posters: PosterTarget[]
  /** Places that would get a poster but have no code yet (a QR code needs one). */
  missingCode: { id: number; name: string }[]
  truncated: boolean
  /** Why studios could not be listed (no party.read there), if they were asked for. */
  studiosError: string | null
}

/** The posters of a unit: itself only (`scope: 'unit'`), or the chosen kinds of place in its subtree. */
export async function loadPosters(unitId: number, scope: 'unit' | 'subtree', kinds: PosterKind[]): Promise<PosterSet> {
  const [ancestors, tree, meta] = await Promise.all([
    unwrap(api.GET('/api/units/{id}/ancestors', { params: { path: { id: unitId } } })),
    unwrap(api.GET('/api/units/tree', { params: { query: { rootId: unitId, levels: scope === 'unit' ? 0 : 4 } } })),
    deploymentMeta(),
  ])
  const byId = new Map(tree.items.map((n) => [n.id, n]))
  const root = byId.get(unitId) ?? tree.items[0]
  if (!root) throw new Error('unit not found')
  const above = ancestors.items.slice(0, -1).map((a) => a.name)
  const trailOf = (node: TreeNode): string[] => {
    const names: string[] = []
    for (let p = node.parentId === null ? undefined : byId.get(node.parentId); p; p = p.parentId === null ? undefined : byId.get(p.parentId)) names.unshift(p.name)
    return node.id === root.id ? above : [...above, ...names]
  }
  const wanted = new Set<UnitType>(kinds.flatMap((k) => (k === 'studio' ? [] : KIND_TYPES[k])))
  const places = scope === 'unit' ? [root] : tree.items.filter((n) => wanted.has(n.type))
  const posters: PosterTarget[] = []
  const missingCode: PosterSet['missingCode'] = []
  for (const n of places) {
    if (n.code) posters.push({ key: `unit-${n.id}`, code: n.code, name: n.name, kind: n.type, trail: trailOf(n) })
    else missingCode.push({ id: n.id, name: n.name })
  }
  let studiosError: string | null = null
  if (scope === 'subtree' && kinds.includes('studio')) {
    try {
      const studios = await unwrap(api.GET('/api/party/studios', { params: { query: { unitId, pageSize: 100 } } }))
      for (const s of studios.items) {
        const at = byId.get(s.unitId)
        posters.push({ key: `studio-${s.id}`, code: `studio-${s.id}`, name: s.name, kind: 'studio', trail: at ? [...trailOf(at), at.name] : [...above, s.unitName] })
      }
    } catch (err) {
      studiosError = err instanceof Error ? err.message : String(err)
    }
  }
  return {
    root: { id: root.id, name: root.name, type: root.type }, origin: meta.publicUrl ?? window.location.origin, publicOrigin: meta.publicUrl !== null,
    title: meta.title, posters, missingCode, truncated: tree.truncated, studiosError,
  }
}

/** One A4 poster (210 × 297 mm); `scale` shrinks the preview on screen. */
export function PosterSheet({ set, target, scale = 1, style }: { set: PosterSet; target: PosterTarget; scale?: number; style?: CSSProperties }) {
  const { t, lang, unitTypeName } = useI18n()
  const url = qrUrl(target.code, set.origin)
  const kind = target.kind === 'studio' ? t('requests.poster.studio') : unitTypeName(target.kind)
  return (
    <div className="poster-sheet" data-testid="poster-sheet" data-code={target.code} style={{ zoom: scale, ...style }}>
      <div className="poster-band">
        <div style={{ fontSize: '7mm', fontWeight: 700, letterSpacing: '1mm' }}>{t('requests.poster.brand')}</div>
        <div style={{ fontSize: '4mm', opacity: 0.9, marginTop: '1.5mm' }}>{t('requests.poster.tagline')}</div>
      </div>
      <div style={{ padding: '10mm 16mm 0', textAlign: 'center' }}>
        <div style={{ fontSize: '4.2mm', color: '#595959' }}>{target.trail.join(' · ')}</div>
        <div style={{ fontSize: target.name.length > 10 ? '11mm' : '14mm', fontWeight: 800, lineHeight: 1.2, margin: '3mm 0 1mm', color: '#1f1f1f' }} data-testid="poster-name">{target.name}</div>
        <div style={{ display: 'inline-block', fontSize: '4.5mm', color: '#c8102e', border: '0.4mm solid #c8102e', borderRadius: '2mm', padding: '0.5mm 3mm' }}>{kind}</div>
      </div>
      <div style={{ display: 'flex', justifyContent: 'center', margin: '8mm 0 4mm' }}>
        <div style={{ padding: '3mm', border: '0.6mm solid #c8102e', borderRadius: '4mm', background: '#fff' }}>
          <QrCode text={url} size="118mm" data-testid="poster-qr" />
        </div>
      </div>
      <div style={{ textAlign: 'center', fontSize: '9mm', fontWeight: 700, color: '#c8102e', letterSpacing: '0.5mm' }}>{t('requests.poster.instruction')}</div>
      <div style={{ display: 'flex', justifyContent: 'center', gap: '6mm', margin: '6mm 14mm 0', fontSize: '4.6mm', color: '#262626' }}>
        {[t('requests.poster.step1'), t('requests.poster.step2'), t('requests.poster.step3')].map((s, i) => (
          <div key={s} style={{ flex: 1, textAlign: 'center' }}>
            <div style={{ width: '9mm', height: '9mm', lineHeight: '9mm', borderRadius: '50%', background: '#c8102e', color: '#fff', margin: '0 auto 2mm', fontWeight: 700 }}>{i + 1}</div>
            {s}
          </div>
        ))}
      </div>
      <div style={{ position: 'absolute', left: 0, right: 0, bottom: '9mm', textAlign: 'center', fontSize: '3.4mm', color: '#8c8c8c' }}>
        <div style={{ wordBreak: 'break-all', padding: '0 16mm' }}>{url}</div>
        <div style={{ marginTop: '1.5mm' }}>{lang === 'en' ? set.title.en : set.title.zh}</div>
      </div>
    </div>
  )
}

/** The sheet's look, and the print rules: A4, no margins, one poster per page, colours kept. */
export const posterCss = `
.poster-sheet { position: relative; width: 210mm; height: 297mm; box-sizing: border-box; background: #fff; overflow: hidden;
  font-family: 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.poster-band { background: linear-gradient(135deg, #c8102e, #a50d26); color: #fff; text-align: center; padding: 9mm 10mm 7mm; }
@page { size: A4 portrait; margin: 0; }
@media print {
  html, body, #root { background: #fff !important; margin: 0 !important; }
  .poster-toolbar { display: none !important; }
  .poster-list { display: block !important; padding: 0 !important; }
  .poster-sheet { zoom: 1 !important; margin: 0 !important; box-shadow: none !important; break-after: page; page-break-after: always; }
  .poster-sheet:last-child { break-after: auto; page-break-after: auto; }
}
`
