import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { linesOfPiece, readReplayFile, readReplayPieces, type ReplayPiece } from '../../src/sources/replay.js'
import { tempDir } from '../helpers.js'

async function readAll(file: string, fromLine = 0): Promise<{ line: number; text: string }[]> {
  const out: { line: number; text: string }[] = []
  for await (const { line, text } of readReplayFile(file, fromLine)) out.push({ line, text })
  return out
}

describe('reading a replay archive', () => {
  const tmp = tempDir('stancewatch-reader-')
  afterAll(tmp.cleanup)

  it('splits at LF and CRLF, keeps line numbers across blank lines, and reads a last line without a line break', async () => {
    const f = path.join(tmp.dir, 'mixed.jsonl')
    writeFileSync(f, '{"a":1}\r\n\n  \n{"b":"x\\ny"}\n{"c":3}')
    expect(await readAll(f)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":"x\\ny"}' },
      { line: 5, text: '{"c":3}' },
    ])
    expect(await readAll(f, 4)).toEqual([{ line: 5, text: '{"c":3}' }])
  })

  it('never cuts a character or a line where the 1 MB reads meet, gzipped or not', async () => {
    // Lines of Chinese, emoji and accents (2- to 4-byte UTF-8) until well past two read boundaries.
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i, text: `第${i}条 国家AI基金 🚀 défense ${'字'.repeat(i % 97)}` }))
    const body = lines.join('\n') + '\n'
    expect(Buffer.byteLength(body)).toBeGreaterThan(2.5 * (1 << 20))
    const plain = path.join(tmp.dir, 'big.jsonl')
    const gz = path.join(tmp.dir, 'big.jsonl.gz')
    writeFileSync(plain, body)
    writeFileSync(gz, gzipSync(body))
    for (const f of [plain, gz]) {
      const read = await readAll(f)
      expect(read.map((r) => r.text)).toEqual(lines)
      expect(read.at(-1)!.line).toBe(20_000)
    }
  })

  it('cuts pieces of whole, numbered lines from any line on, each in memory of its own', async () => {
    // Over 2 MB of 2- to 4-byte characters, with blank lines and CRLF endings, a byte-order mark, and no line break at the end.
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 500 === 7 ? '' : JSON.stringify({ i, text: `第${i}条 🚀 défense ${'字'.repeat(i % 89)}` })))
    const body =
      '\uFEFF' +
      lines
        .map((l, i) => (i % 3 === 0 ? `${l}\r\n` : `${l}\n`))
        .join('')
        .replace(/\n$/, '')
    const plain = path.join(tmp.dir, 'pieces.jsonl')
    const gz = path.join(tmp.dir, 'pieces.jsonl.gz')
    writeFileSync(plain, body)
    writeFileSync(gz, gzipSync(body))
    for (const f of [plain, gz]) {
      for (const [fromLine, perPiece] of [
        [0, 1000],
        [12_345, 7],
        [19_999, 1000],
        [20_000, 3],
      ] as const) {
        const pieces: ReplayPiece[] = []
        for await (const p of readReplayPieces(f, fromLine, perPiece)) pieces.push(p)
        const expected = lines.map((text, i) => ({ line: i + 1, text })).filter((l) => l.line > fromLine && l.text !== '')
        const read = pieces.flatMap(linesOfPiece)
        expect(
          read.map(({ line, text }) => ({ line, text })),
          `${f} from ${fromLine}`,
        ).toEqual(expected)
        // Each line's bytes as read, without line break, CR or byte-order mark: the payload as received.
        for (const l of read) expect(Buffer.from(l.bytes).toString('utf8')).toBe(l.text)
        expect(pieces.length).toBe(Math.ceil((20_000 - fromLine) / perPiece))
        pieces.forEach((p, k) => {
          expect(p.firstLine).toBe(fromLine + 1 + k * perPiece)
          expect(p.lastLine).toBe(Math.min(20_000, p.firstLine + perPiece - 1))
          // Transferable without taking anything else along.
          expect(p.bytes.byteOffset === 0 && p.bytes.byteLength === p.bytes.buffer.byteLength).toBe(true)
        })
      }
    }
  })

  it('says which file it cannot read', async () => {
    await expect(readAll(path.join(tmp.dir, 'missing.jsonl'))).rejects.toThrow(/missing\.jsonl/)
  })
})
