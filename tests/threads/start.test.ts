import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { startWorker } from '../../src/threads/start.js'

function firstMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', (m: T) => {
      void w.terminate()
      resolve(m)
    })
    w.once('error', reject)
  })
}

describe('starting a worker thread', () => {
  it('from the compiled build: the .js beside the caller, directly', async () => {
    // As dist/jobs/replay-chunks.js starts dist/jobs/replay-worker.js.
    const caller = new URL('../fixtures/workers/caller.js', import.meta.url).href
    const w = startWorker('./plain-worker', caller, { workerData: { n: 1 } })
    const got = await firstMessage<{ url: string; data: unknown }>(w)
    expect(got.url).toBe(new URL('../fixtures/workers/plain-worker.js', import.meta.url).href)
    expect(got.data).toEqual({ n: 1 })
  })

  it('from the TypeScript sources (tests, npm run dev): the .ts through tsx, with our code and packages', async () => {
    const w = startWorker('../fixtures/workers/echo-worker', import.meta.url, { workerData: { text: 'ＤｅｅｐＳｅｅｋ' } })
    const got = await firstMessage<{ folded: string; yaml: string }>(w)
    expect(got.folded).toBe('deepseek')
    expect(got.yaml).toBe('ok: true\n')
  })

  it('from the sources, a worker reading import.meta sees its own source file', async () => {
    const w = startWorker('../fixtures/workers/where-worker', import.meta.url, {})
    expect(await firstMessage<string>(w)).toBe(new URL('../fixtures/workers/where-worker.ts', import.meta.url).href)
  })
})
