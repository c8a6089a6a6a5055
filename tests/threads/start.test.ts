import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { bundleWorker, WORKER_CACHE_DIR } from '../../src/threads/bundle.js'
import { startWorker, withoutTsx } from '../../src/threads/start.js'

function firstMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', (m: T) => {
      void w.terminate()
      resolve(m)
    })
    w.once('error', reject)
  })
}

describe('workers started from the TypeScript sources', () => {
  it('run bundled into one module, with our code and packages, and no tsx loader', async () => {
    const w = startWorker('../fixtures/workers/echo-worker', import.meta.url, { workerData: { text: 'ＤｅｅｐＳｅｅｋ' }, execArgv: ['--import', 'tsx', '--trace-warnings'] })
    const got = await firstMessage<{ folded: string; yaml: string; execArgv: string[] }>(w)
    expect(got.folded).toBe('deepseek')
    expect(got.yaml).toBe('ok: true\n')
    expect(got.execArgv).toEqual(['--trace-warnings'])
  })

  it('inherit the flags of a process started with ones a worker may not be given explicitly', async () => {
    const before = process.execArgv
    // As if run as `node --import tsx --max-old-space-size=4096 …`: explicitly, a worker refuses the second flag.
    process.execArgv = ['--import', 'tsx', '--max-old-space-size=4096']
    try {
      const w = startWorker('../fixtures/workers/echo-worker', import.meta.url, { workerData: { text: 'H20' } })
      expect((await firstMessage<{ folded: string }>(w)).folded).toBe('h20')
    } finally {
      process.execArgv = before
    }
  })

  it('keep one bundle per version of a worker, named by its content, outside the sources', () => {
    const entry = new URL('../fixtures/workers/echo-worker.ts', import.meta.url)
    const a = bundleWorker(entry)!
    const b = bundleWorker(entry)!
    expect(a.href).toBe(b.href)
    const file = fileURLToPath(a)
    expect(file.startsWith(WORKER_CACHE_DIR)).toBe(true)
    expect(file).toMatch(/echo-worker-[0-9a-f]{16}\.mjs$/)
    expect(existsSync(file)).toBe(true)
    expect(statSync(file).size).toBe(Buffer.byteLength(readFileSync(file, 'utf8')))
    expect(readFileSync(file, 'utf8')).not.toContain('import.meta')
  })

  it('bundle again only when a file the bundle was made from has changed', () => {
    const entry = new URL('../fixtures/workers/echo-worker.ts', import.meta.url)
    const bundle = fileURLToPath(bundleWorker(entry)!)
    const manifestFile = path.join(WORKER_CACHE_DIR, 'echo-worker.json')
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { bundle: string; inputs: [string, number, number][] }
    const fold = fileURLToPath(new URL('../../src/text/fold.ts', import.meta.url))
    expect(manifest.inputs.map(([f]) => f)).toEqual(expect.arrayContaining([fileURLToPath(entry), fold]))
    // Unchanged files: the recorded bundle is used as it is (here a copy, to tell it apart from a new build).
    const copy = path.join(WORKER_CACHE_DIR, 'echo-worker-copy.mjs')
    copyFileSync(bundle, copy)
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, bundle: copy }))
    expect(fileURLToPath(bundleWorker(entry)!)).toBe(copy)
    // One of them changed since (its recorded time differs): bundled again.
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, bundle: copy, inputs: manifest.inputs.map(([f, t, n]) => [f, f === fold ? t - 1000 : t, n]) }))
    expect(fileURLToPath(bundleWorker(entry)!)).toBe(bundle)
    rmSync(copy)
  })

  it('boot through tsx when the code reads import.meta, which a bundle would change', async () => {
    const entry = new URL('../fixtures/workers/where-worker.ts', import.meta.url)
    expect(bundleWorker(entry)).toBeNull()
    const w = startWorker('../fixtures/workers/where-worker', import.meta.url, {})
    expect(await firstMessage<string>(w)).toBe(entry.href)
  })
})

describe('withoutTsx', () => {
  it('drops a tsx loader in any of its spellings and keeps every other flag', () => {
    expect(withoutTsx(['--import', 'tsx', '--cpu-prof'])).toEqual(['--cpu-prof'])
    expect(withoutTsx(['--import=tsx/esm', '--max-old-space-size=512'])).toEqual(['--max-old-space-size=512'])
    expect(withoutTsx(['--require', '/app/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs'])).toEqual([])
    expect(withoutTsx(['--import', './telemetry.mjs', '--inspect'])).toEqual(['--import', './telemetry.mjs', '--inspect'])
    expect(withoutTsx(['--loader', 'tsxish-loader'])).toEqual(['--loader', 'tsxish-loader'])
  })
})
