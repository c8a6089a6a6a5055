import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'

const SAMPLE = path.join(import.meta.dirname, '../config/sample/sample.jsonl.gz')

/**
 * The bundled sample's X pages and Bluesky search pages, copied `copies` times with every id rewritten so
 * each copy is new posts: realistic payloads at any volume.
 */
export function samplePayloads(copies: number): unknown[] {
  const lines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n')
  const pages = lines.filter((l) => l.startsWith('{"data"') || l.startsWith('{"posts"'))
  const out: unknown[] = []
  for (let k = 0; k < copies; k++) {
    for (const l of pages) {
      // Tweet ids get a distinct prefix digit run; Bluesky rkeys a suffix. Text and shape are untouched.
      const rewritten = k === 0 ? l : l.replace(/"(\d{18,19})"/g, (_, id: string) => `"${BigInt(id) + BigInt(k) * 1_000_000_007n}"`).replace(/(app\.bsky\.feed\.post\/[a-z2-7]{13})/g, `$1k${k}`)
      try {
        out.push(JSON.parse(rewritten))
      } catch {
        // The sample holds one deliberately truncated line.
      }
    }
  }
  return out
}
