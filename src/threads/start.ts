import { Worker, type WorkerOptions } from 'node:worker_threads'
import { bundleWorker } from './bundle.js'

/**
 * Start a worker thread on a module of ours, given relative to the caller (`new URL('./x.js', import.meta.url)`
 * style, without extension). A compiled build starts the .js directly. Run from the TypeScript sources, the
 * worker starts from its module graph bundled into one plain module (see bundle.ts), or, if that cannot be
 * done, boots through tsx.
 */
export function startWorker(base: string, callerUrl: string, options: WorkerOptions): Worker {
  const fromSources = callerUrl.endsWith('.ts')
  const entry = new URL(`${base}.${fromSources ? 'ts' : 'js'}`, callerUrl)
  if (!fromSources) return new Worker(entry, options)
  const bundled = bundleWorker(entry)
  if (bundled) return startBundled(bundled, options)
  return new Worker(new URL('./boot.mjs', import.meta.url), { ...options, workerData: { ...(options.workerData as object), entry: entry.href } })
}

/** A bundle needs no tsx loader: the worker gets the process's flags without it, when it can. */
function startBundled(bundle: URL, options: WorkerOptions): Worker {
  const execArgv = options.execArgv ?? process.execArgv
  const kept = withoutTsx(execArgv)
  if (kept.length === execArgv.length) return new Worker(bundle, options)
  try {
    return new Worker(bundle, { ...options, execArgv: kept })
  } catch (e) {
    // Flags given explicitly must all be valid in a worker; inherited ones need not (--max-old-space-size,
    // --single-threaded-gc): then let the worker inherit them, tsx loader and all.
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || options.execArgv) throw e
    return new Worker(bundle, options)
  }
}

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader'])

/**
 * The process's Node flags minus a tsx loader (`tsx`, `node --import tsx`): a bundled worker has no
 * TypeScript to load, and the loader would start a module-hooks thread for nothing. Other flags (profiling,
 * inspection) still reach the worker.
 */
export function withoutTsx(execArgv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    if (!LOADER_FLAGS.has(flag)) {
      out.push(arg)
      continue
    }
    // `--import tsx` or `--import=tsx`: the value is the next argument or after the '='.
    const value = eq < 0 ? execArgv[++i] : arg.slice(eq + 1)
    if (value !== undefined && /(^|[/\\])tsx([/\\@]|$)/.test(value)) continue
    out.push(arg)
    if (eq < 0 && value !== undefined) out.push(value)
  }
  return out
}
