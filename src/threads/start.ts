import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Start a worker thread on a module of ours, given relative to the caller without its extension
 * (`startWorker('./replay-worker', import.meta.url, …)`). The compiled build (dist/, what `npm install`
 * builds and the command runs) starts the worker's .js directly. Run from the TypeScript sources (vitest,
 * `npm run dev`), the caller is a .ts file: the worker then boots through tsx (dev-boot.mjs), a development
 * fallback that costs each worker a few tenths of a second; the compiled build never loads it, nor tsx.
 */
export function startWorker(base: string, callerUrl: string, options: WorkerOptions): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`${base}.js`, callerUrl), options)
  const entry = new URL(`${base}.ts`, callerUrl)
  return new Worker(new URL('./dev-boot.mjs', import.meta.url), { ...options, workerData: { ...(options.workerData as object), entry: entry.href } })
}
