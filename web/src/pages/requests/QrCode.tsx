/**
 * A QR code drawn as one SVG path (crisp at any print size), generated in the browser by the
 * `qrcode` package — no network service sees the addresses.
 */
import { useMemo } from 'react'
import { create } from 'qrcode'

export function QrCode({ text, size, 'data-testid': testId }: { text: string; size: number | string; 'data-testid'?: string }) {
  const { path, count } = useMemo(() => {
    // Level M survives a scratched or partly covered poster and keeps the modules large.
    const { modules } = create(text, { errorCorrectionLevel: 'M' })
    const n = modules.size
    let d = ''
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) if (modules.data[row * n + col]) d += `M${col + 4} ${row + 4}h1v1h-1z`
    }
    // Four modules of quiet zone on every side, as scanners expect.
    return { path: d, count: n + 8 }
  }, [text])
  return (
    <svg
      viewBox={`0 0 ${count} ${count}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
      role="img"
      aria-label={text}
      data-testid={testId}
      data-text={text}
      style={{ display: 'block' }}
    >
      <rect width={count} height={count} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}
