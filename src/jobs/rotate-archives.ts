import { createReadStream, createWriteStream } from 'node:fs'
import { open, readdir, rename, rm, stat, utimes } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'

export interface RotateOptions {
  /** Daily files this many UTC days old or more are gzipped; never less than 2 (yesterday's may still grow). */
  compressAfterDays: number
  /** Files (compressed or not) more than this many days old are deleted; 0 keeps them forever. */
  retentionDays: number
  /** Report what would be done, doing nothing. */
  dryRun?: boolean
}

export interface RotateResult {
  /** Paths of the daily files now gzipped (each replaced by `<file>.gz`). */
  compressed: string[]
  deleted: string[]
  /** One line per file that could not be handled; that file is left as it was. */
  errors: string[]
}

const DAY_MS = 86_400_000
/** Today's file is still written, and yesterday's can be, by a page that arrived just before midnight. */
const MIN_COMPRESS_AGE = 2
const DAILY = /^(.+)-(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/
/** Our own temporary files, left behind only if a rotation was killed mid-file. */
const TEMP = /^\..+\.jsonl\.gz\.[\w-]+\.tmp$/

/**
 * Compress and expire the daily archive files (`<source>-YYYY-MM-DD.jsonl`, UTC days) in `dir`. A file
 * is compressed into a temporary file that is synced and renamed to `.jsonl.gz` before the original is
 * deleted, so a crash at any point leaves the day readable. Failures are reported per file, never thrown:
 * one unreadable file must not stop the rest.
 */
export async function rotateArchives(dir: string, nowMs: number, opts: RotateOptions): Promise<RotateResult> {
  const result: RotateResult = { compressed: [], deleted: [], errors: [] }
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') result.errors.push(`${dir}: ${(e as Error).message}`)
    return result
  }
  const present = new Set(names)
  const today = Math.floor(nowMs / DAY_MS)
  const compressAfter = Math.max(MIN_COMPRESS_AGE, opts.compressAfterDays)
  for (const name of names.sort()) {
    const file = path.join(dir, name)
    try {
      if (TEMP.test(name)) {
        if (nowMs - (await stat(file)).mtimeMs > DAY_MS) {
          if (!opts.dryRun) await rm(file)
          result.deleted.push(file)
        }
        continue
      }
      const m = DAILY.exec(name)
      const day = m ? Date.parse(`${m[2]}T00:00:00Z`) : NaN
      if (!m || Number.isNaN(day)) continue
      const age = today - day / DAY_MS
      if (opts.retentionDays > 0 && age > opts.retentionDays) {
        if (!opts.dryRun) await rm(file)
        result.deleted.push(file)
      } else if (!m[3] && age >= compressAfter) {
        if (!opts.dryRun) {
          if (present.has(`${name}.gz`)) await dropIfCompressed(file)
          else await compress(file)
        }
        result.compressed.push(file)
      }
    } catch (e) {
      result.errors.push(`${file}: ${(e as Error).message}`)
    }
  }
  return result
}

async function compress(file: string): Promise<void> {
  const before = await stat(file)
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.gz.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`)
  try {
    const input = createReadStream(file)
    await pipeline(input, createGzip(), createWriteStream(temp, { flags: 'wx' }))
    const after = await stat(file)
    if (input.bytesRead !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
      throw new Error('it changed while being compressed; left as it is')
    await utimes(temp, before.atime, before.mtime)
    await sync(temp)
    await rename(temp, `${file}.gz`)
    await sync(path.dirname(file))
  } catch (e) {
    await rm(temp, { force: true })
    throw e
  }
  await rm(file)
}

/** Both a day's file and its `.gz`: a rotation stopped after the rename. Drop the original only if the `.gz` holds all of it. */
async function dropIfCompressed(file: string): Promise<void> {
  let bytes = 0
  await pipeline(
    createReadStream(`${file}.gz`),
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length
        done()
      },
    }),
  )
  const size = (await stat(file)).size
  if (bytes !== size) throw new Error(`${path.basename(file)}.gz already exists and holds ${bytes} bytes, not ${size}; both left as they are`)
  await rm(file)
}

async function sync(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
