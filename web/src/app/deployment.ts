/**
 * The deployment's name and public address (/api/meta), asked once per page load. Links and QR codes
 * meant for residents use the public address (CHORUS_PUBLIC_URL) when one is set: staff often work from
 * an internal address that residents' phones cannot open.
 */
import { useEffect, useState } from 'react'
import { api, unwrap, type ApiResult } from '../api/client'

export type DeploymentMeta = ApiResult<'/api/meta', 'get'>

let asked: Promise<DeploymentMeta> | null = null

export function deploymentMeta(): Promise<DeploymentMeta> {
  asked ??= unwrap(api.GET('/api/meta')).catch((err: unknown) => {
    asked = null // ask again next time
    throw err
  })
  return asked
}

/** Where residents' links point: the public address when configured, else the address this page is opened at. */
export function usePublicOrigin(): string {
  const [origin, setOrigin] = useState(window.location.origin)
  useEffect(() => {
    let live = true
    deploymentMeta().then((meta) => {
      if (live && meta.publicUrl) setOrigin(meta.publicUrl)
    }, () => undefined)
    return () => {
      live = false
    }
  }, [])
  return origin
}
