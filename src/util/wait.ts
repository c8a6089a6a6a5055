/** Resolves after `ms`, or rejects as soon as the signal aborts (a stop request must not wait out a rate limit). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StoppedError())
    const t = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.max(0, ms),
    )
    const onAbort = () => {
      clearTimeout(t)
      reject(new StoppedError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s… capped, each randomised so clients do not retry in step. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** The work was asked to stop (SIGINT/SIGTERM): what is stored stays consistent, the run ends as partial. */
export class StoppedError extends Error {
  override name = 'StoppedError'
  constructor() {
    super('stopped on request')
  }
}
