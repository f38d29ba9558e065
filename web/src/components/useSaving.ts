import { useState } from 'react'

/** A dialog's save: `run(work)` shows it busy while the work runs and keeps the error it threw, for the form to show. */
export function useSaving() {
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = async (work: () => Promise<void>) => {
    setSaving(true)
    setError(null)
    try {
      await work()
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }
  return { saving, error, setError, run }
}
