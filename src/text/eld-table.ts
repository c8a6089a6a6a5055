import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** What stancewatch uses of an eld instance. */
export interface Eld {
  detect(text: string): { language: string; getScores(): Record<string, number> }
}

const require = createRequire(import.meta.url)
const STATIC_ENTRY = fileURLToPath(import.meta.resolve('eld/extrasmall'))
/** eld's package folder: its exports map names only the entries, and the table and detector are inside. */
const ELD_DIR = path.resolve(path.dirname(STATIC_ENTRY), '../..')
/** The table as JSON, beside this module: written into dist/ by the build (`npm run build`, `npm install`). */
const TABLE = fileURLToPath(new URL('./eld-extrasmall.json', import.meta.url))

function eldVersion(): string {
  return (JSON.parse(readFileSync(path.join(ELD_DIR, 'package.json'), 'utf8')) as { version: string }).version
}

/** Write eld's smallest table as JSON beside this module; the build runs it once (`write-eld-table.ts`). */
export function writeEldTable(): string {
  const { ngramsData } = require(path.join(ELD_DIR, 'src/ngrams/extrasmall.js')) as { ngramsData: unknown }
  writeFileSync(TABLE, JSON.stringify({ eld: eldVersion(), data: ngramsData }))
  return TABLE
}

/**
 * eld with its smallest table. eld ships the table as a 950 KB object literal in an ES module, and parsing
 * that costs ~90 MB of memory that is never given back (the Jetstream consumer's peak rose from ~160 to
 * 225–300 MB); the same table through JSON.parse costs ~30 MB. So the build writes it as JSON, and this reads
 * it into eld's own detector (the same code and data: the answers are the same, `tests/text/eld-table.test.ts`).
 * Without the JSON (running the sources through tsx) or for another eld version, eld's own entry is used.
 */
export function loadEld(): Eld {
  if (existsSync(TABLE)) {
    const table = JSON.parse(readFileSync(TABLE, 'utf8')) as { eld: string; data: unknown }
    if (table.eld === eldVersion()) {
      const { createEld } = require(path.join(ELD_DIR, 'src/languageDetector.js')) as {
        createEld: () => { instance: Eld; loadData: (data: unknown) => string }
      }
      const { instance, loadData } = createEld()
      if (loadData(table.data)) return instance
    }
  }
  // eld ships ES modules only; require() of an ES module is synchronous on Node ≥ 20.19 (the engines floor).
  return (require(STATIC_ENTRY) as { eld: Eld }).eld
}

/** Whether `loadEld` reads the JSON table (the compiled build) rather than eld's module. */
export function eldTableWritten(): boolean {
  return existsSync(TABLE)
}
