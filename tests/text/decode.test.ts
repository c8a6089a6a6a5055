import { describe, expect, it } from 'vitest'
import { decodeWindows1252 } from '../../src/text/decode.js'

describe('decodeWindows1252', () => {
  it('maps the whole 0x80–0x9F range as WHATWG windows-1252 does', () => {
    expect(decodeWindows1252(Buffer.from([0x80, 0x85, 0x8a, 0x91, 0x92, 0x96, 0x97, 0x99, 0x9f, 0x81, 0xa0, 0xff]))).toBe('€…Š‘’–—™Ÿ\u0081\u00a0ÿ')
  })
})
