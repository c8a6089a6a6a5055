import { describe, expect, it } from 'vitest'
import { eld as eldModule } from 'eld/extrasmall'
import { importCompiled } from '../compiled.js'
import { readLangIdSet } from '../../bench/lang-id.bench.js'

/** The compiled build reads eld's table from JSON (less memory): it must answer exactly as eld's own entry. */
describe("eld's table as JSON", () => {
  it('is written beside the compiled detector, and gives the same language and scores as eld for every post', async () => {
    const table = await importCompiled<typeof import('../../src/text/eld-table.js')>('text/eld-table.js')
    expect(table.eldTableWritten()).toBe(true)
    const fromJson = table.loadEld()
    expect(fromJson).not.toBe(eldModule)
    const texts = [...readLangIdSet().map((r) => r.text), 'so proud', 'Das ist eine Verzerrung des Marktes', '', '!!!']
    for (const t of texts) {
      const a = fromJson.detect(t)
      const b = eldModule.detect(t)
      expect(a.language, t).toBe(b.language)
      expect(a.getScores(), t).toEqual(b.getScores())
    }
  })
})
