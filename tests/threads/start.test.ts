import { describe, expect, it } from 'vitest'
import { withoutTsx } from '../../src/threads/start.js'

describe('starting a worker from the sources', () => {
  it('drops the flags that load tsx (boot.mjs registers it) and keeps every other flag', () => {
    const tsxCli = ['--require', '/app/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs']
    expect(withoutTsx([...tsxCli, '--max-old-space-size=4096'])).toEqual(['--max-old-space-size=4096'])
    expect(withoutTsx(['--import=tsx', '--enable-source-maps', '--import', './other-hook.mjs'])).toEqual(['--enable-source-maps', '--import', './other-hook.mjs'])
    expect(withoutTsx(['-r', 'C:\\app\\node_modules\\tsx\\dist\\preflight.cjs', '--cpu-prof'])).toEqual(['--cpu-prof'])
    expect(withoutTsx([])).toEqual([])
  })
})
