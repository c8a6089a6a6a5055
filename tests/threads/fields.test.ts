import { describe, expect, it } from 'vitest'
import { FieldReader, FieldWriter } from '../../src/threads/fields.js'

describe('fields sent between threads as one string and one buffer of numbers', () => {
  it('come back in order: strings in any script, empty and null ones, lists, and numbers including NaN', () => {
    const out = new FieldWriter()
    out.str('DeepSeek 开源模型').str('').str(null).strs(['a', 'データ', '']).num(3.5).num(Number.NaN).num(-0).str('<b>&amp;</b>\u0000\n')
    const { strings, fields } = out.done()
    const back = new FieldReader(strings, structuredClone(fields))
    expect([back.str(), back.str(), back.str(), back.strs(), back.num(), back.numOrNull(), back.num(), back.str()]).toEqual([
      'DeepSeek 开源模型',
      '',
      null,
      ['a', 'データ', ''],
      3.5,
      null,
      -0,
      '<b>&amp;</b>\u0000\n',
    ])
  })

  it('hold more numbers than the first buffer has room for, in a buffer of their own', () => {
    const out = new FieldWriter()
    for (let i = 0; i < 40_000; i++) out.num(i).str(String(i))
    const { strings, fields } = out.done()
    expect(fields.length).toBe(80_000)
    expect(fields.buffer.byteLength).toBe(80_000 * 8)
    const back = new FieldReader(strings, fields)
    for (let i = 0; i < 40_000; i++) expect([back.num(), back.str()]).toEqual([i, String(i)])
  })
})
