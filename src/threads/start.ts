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
  return new Worker(new URL('./boot.mjs', import.meta.url), {
    ...options,
    // Started by the tsx command, this process's flags load tsx too, and a worker inherits them: boot.mjs
    // registering it again on top made each worker start ~0.1 s later.
    execArgv: options.execArgv ?? withoutTsx(process.execArgv),
    workerData: { ...(options.workerData as object), entry: entry.href },
  })
}

/** Node flags minus any `--require`/`--import` of tsx (as `--flag value` or `--flag=value`). */
export function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = []
  const isTsx = (v: string | undefined) => v !== undefined && /[\\/]tsx[\\/]|^tsx(?:[\\/]|$)/.test(v)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if ((a === '--require' || a === '-r' || a === '--import' || a === '--loader' || a === '--experimental-loader') && isTsx(argv[i + 1])) {
      i++
      continue
    }
    const eq = /^(--require|--import|--loader|--experimental-loader)=(.*)$/.exec(a)
    if (eq && isTsx(eq[2])) continue
    out.push(a)
  }
  return out
}
