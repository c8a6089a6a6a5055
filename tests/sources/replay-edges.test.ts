import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { ArchiveCutError, linesOfPiece, readReplayPieces, type ReplayPiece } from '../../src/sources/replay.js'
import { tempDir } from '../helpers.js'

async function readPieces(file: string, fromLine: number, perPiece: number, maxLineBytes?: number): Promise<ReplayPiece[]> {
  const pieces: ReplayPiece[] = []
  for await (const p of readReplayPieces(file, fromLine, perPiece, maxLineBytes)) pieces.push(p)
  return pieces
}

/** A line of exactly `bytes` bytes (no JSON needed: the reader does not parse). */
const lineOf = (n: number, bytes: number) => `${n}:`.padEnd(bytes, 'x')

describe('reading the edges of a replay archive', () => {
  const tmp = tempDir('stancewatch-reader-edges-')
  afterAll(tmp.cleanup)

  it('skips lines over the cap wherever they fall, measuring each, and keeps every other line', async () => {
    const cap = 1000
    // Around the cap, many times over it (across several reads, which are cap-sized), and at the very start and end.
    const sizes = [5 * cap, 10, cap, cap + 1, 999, 2 * cap + 1, 3, cap - 1, 10 * cap + 7, 1, 500, 501, cap, cap + 2, 40, 7 * cap]
    const lines = Array.from({ length: 400 }, (_, i) => lineOf(i + 1, sizes[i % sizes.length]! + (i % 7)))
    for (const [name, body] of [
      ['ended', lines.join('\n') + '\n'],
      // A file that ends inside a line over the cap: skipped too, however it ends.
      ['unended', lines.join('\n')],
    ] as const) {
      const plain = path.join(tmp.dir, `long-${name}.jsonl`)
      const gz = `${plain}.gz`
      writeFileSync(plain, body)
      writeFileSync(gz, gzipSync(body))
      for (const f of [plain, gz]) {
        for (const [fromLine, perPiece] of [
          [0, 1000],
          [0, 3],
          [37, 5],
          [399, 2],
        ] as const) {
          const pieces = await readPieces(f, fromLine, perPiece, cap)
          const numbered = lines.map((text, i) => ({ line: i + 1, text, bytes: Buffer.byteLength(text) })).filter((l) => l.line > fromLine)
          const where = `${f} from ${fromLine} by ${perPiece}`
          expect(
            pieces.flatMap(linesOfPiece).map(({ line, text }) => ({ line, text })),
            where,
          ).toEqual(numbered.filter((l) => l.bytes <= cap).map(({ line, text }) => ({ line, text })))
          expect(
            pieces.flatMap((p) => p.tooLong ?? []),
            where,
          ).toEqual(numbered.filter((l) => l.bytes > cap).map(({ line, bytes }) => ({ line, bytes })))
          // Pieces still cover every line once, in order, and hold nothing of the lines skipped.
          expect(pieces.map((p) => [p.firstLine, p.lastLine]).flat(), where).toEqual(
            pieces.flatMap((_, k) => [fromLine + 1 + k * perPiece, Math.min(400, fromLine + (k + 1) * perPiece)]),
          )
          for (const p of pieces) expect(p.bytes.byteLength).toBeLessThanOrEqual(perPiece * (cap + 1))
          expect(pieces.some((p) => p.unterminated)).toBe(false)
        }
      }
    }
  })

  it('marks a last line without a line break, so that its reader can tell whether it is complete', async () => {
    const f = path.join(tmp.dir, 'growing.jsonl')
    writeFileSync(f, '{"a":1}\n{"b":2}\n{"c":')
    const pieces = await readPieces(f, 0, 2)
    expect(pieces.map((p) => ({ firstLine: p.firstLine, lastLine: p.lastLine, unterminated: p.unterminated }))).toEqual([
      { firstLine: 1, lastLine: 2, unterminated: undefined },
      { firstLine: 3, lastLine: 3, unterminated: true },
    ])
    expect(linesOfPiece(pieces[1]!).map((l) => l.text)).toEqual(['{"c":'])
    writeFileSync(f, '{"a":1}\n{"b":2}\n')
    expect((await readPieces(f, 0, 2)).map((p) => p.unterminated)).toEqual([undefined])
  })

  it('reads every complete line a truncated .gz still holds, then says where it breaks', async () => {
    // Several MB, so that the break comes many reads in, while the reader is busy with earlier pieces.
    const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ i, text: `第${i}条 ${'x'.repeat(i % 150)}` }))
    const body = lines.join('\n') + '\n'
    for (const level of [0, 6]) {
      const gz = gzipSync(body, { level })
      for (const cut of [0.3, 0.999]) {
        const f = path.join(tmp.dir, `cut-${level}-${cut}.jsonl.gz`)
        const bytes = gz.subarray(0, Math.floor(gz.length * cut))
        writeFileSync(f, bytes)
        // Everything zlib can decompress of it, up to its last line break.
        const readable = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
        const complete = readable.slice(0, readable.lastIndexOf('\n')).split('\n')
        expect(complete.length).toBeGreaterThan(1000)
        const read: string[] = []
        let error: unknown
        try {
          for await (const p of readReplayPieces(f, 0, 1000)) {
            read.push(...linesOfPiece(p).map((l) => l.text))
            // A slow writer: the file is read ahead meanwhile.
            await new Promise((resolve) => setTimeout(resolve, 2))
          }
        } catch (e) {
          error = e
        }
        expect(read).toEqual(complete)
        expect(error).toBeInstanceOf(ArchiveCutError)
        expect((error as ArchiveCutError).lastCompleteLine).toBe(complete.length)
        expect((error as Error).message).toContain(`the replay file ${f} is truncated or corrupt after line ${complete.length} (`)
        // Resuming there reads nothing more, and breaks in the same place.
        await expect(readPieces(f, complete.length, 1000)).rejects.toThrow(`after line ${complete.length} (`)
      }
    }
    const headerOnly = path.join(tmp.dir, 'header.jsonl.gz')
    writeFileSync(headerOnly, gzipSync(body).subarray(0, 5))
    await expect(readPieces(headerOnly, 0, 1000)).rejects.toThrow(ArchiveCutError)
  })
})
