/** Progress of a demo generation: one event when a phase starts, advances, and ends. */
export interface ProgressEvent {
  /** Stable phase code (units, party, residents, …). */
  phase: string
  /** 单位 / units … */
  label: string
  step: number
  steps: number
  done: number
  total: number
  /** A short note on what the numbers count (e.g. "people"). */
  unit: string
  state: 'start' | 'progress' | 'end'
  /** Milliseconds since the phase started (on progress and end). */
  ms: number
}

export type ProgressListener = (event: ProgressEvent) => void

const fmt = (n: number): string => n.toLocaleString('en-US')

/**
 * Console lines for the CLI and the server's first start: a line per phase with counts and percent;
 * long phases also print every tenth of the way.
 */
export function consoleProgress(write: (line: string) => void = (line) => console.log(line)): ProgressListener {
  let lastTenth = -1
  return (e) => {
    const head = `  [演示县 demo ${e.step}/${e.steps}] ${e.label}`
    if (e.state === 'start') {
      lastTenth = -1
      return
    }
    const pct = e.total > 0 ? Math.floor((e.done / e.total) * 100) : 100
    if (e.state === 'progress') {
      const tenth = Math.floor(pct / 10)
      if (tenth === lastTenth || tenth >= 10) return
      lastTenth = tenth
      write(`${head}  ${fmt(e.done)}/${fmt(e.total)} ${e.unit} (${pct}%)`)
      return
    }
    write(`${head}  ${fmt(e.done)} ${e.unit} (100%)  ${(e.ms / 1000).toFixed(1)} s`)
  }
}
