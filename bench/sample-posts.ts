import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'

const SAMPLE = path.join(import.meta.dirname, '../config/sample/sample.jsonl.gz')
/** The sample spans 17 days; each copy is moved on by this much, so copies follow each other in time. */
const COPY_SHIFT_MS = 17 * 86_400_000
const ISO = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)"/g

/**
 * The bundled sample's X pages and Bluesky search pages, copied `copies` times. Copy k is the same
 * conversation k × 17 days later: times moved on, X ids re-derived from the moved times (snowflakes),
 * Bluesky record keys suffixed. The result reads like one long archive collected in time order.
 */
export function samplePayloads(copies: number): unknown[] {
  const lines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n')
  const pages = lines.filter((l) => l.startsWith('{"data"') || l.startsWith('{"posts"'))
  const out: unknown[] = []
  for (let k = 0; k < copies; k++) {
    const shift = k * COPY_SHIFT_MS
    const shifted =
      k === 0
        ? pages
        : pages.map((l) =>
            l
              .replace(ISO, (_, iso: string) => `"${new Date(Date.parse(iso) + shift).toISOString()}"`)
              .replace(/"(\d{18,19})"/g, (_, id: string) => `"${BigInt(id) + (BigInt(shift) << 22n)}"`)
              .replace(/(app\.bsky\.feed\.post\/[a-z2-7]{13})/g, `$1k${k}`),
          )
    for (const l of shifted) {
      try {
        out.push(JSON.parse(l))
      } catch {
        // The sample holds one deliberately truncated line.
      }
    }
  }
  return out
}
