import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Start a worker thread on a module of ours, given relative to the caller (`new URL('./x.js', import.meta.url)`
 * style, without extension). Run from the TypeScript sources (tsx), the worker boots through tsx; a compiled
 * build starts the .js directly.
 */
export function startWorker(base: string, callerUrl: string, options: WorkerOptions): Worker {
  const fromSources = callerUrl.endsWith('.ts')
  const entry = new URL(`${base}.${fromSources ? 'ts' : 'js'}`, callerUrl)
  if (!fromSources) return new Worker(entry, options)
  return new Worker(new URL('./boot.mjs', import.meta.url), { ...options, workerData: { ...(options.workerData as object), entry: entry.href } })
}
