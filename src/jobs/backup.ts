import { closeSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { InputError, UsageError } from '../domain/errors.js'
import { backupDatabase, finishAndCheckCopy, openExistingDb } from '../store/backup.js'
import type { Progress } from '../domain/progress.js'

export interface BackupOptions {
  /** Replace FILE if it exists. */
  force?: boolean
  /** integrity_check (reads every index in full) instead of quick_check. */
  fullCheck?: boolean
  pagesPerStep?: number
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
}

export interface BackupResult {
  database: string
  file: string
  bytes: number
  posts: number
  tables: number
  check: 'quick_check' | 'integrity_check'
  restarts: number
  ms: number
}

/**
 * A consistent copy of the database at `dbFile` in `target`, while other processes keep writing. The copy
 * is made beside the target under a temporary name and renamed only once complete, synced and checked, so
 * `target` is either the previous file or a whole, good backup, never half of one.
 */
export async function backup(dbFile: string, target: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const started = performance.now()
  const file = path.resolve(target)
  const dir = path.dirname(file)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`cannot write the backup ${target}: the folder ${dir} does not exist`)
  if (existsSync(file)) {
    if (existsSync(dbFile) && realpathSync(dbFile) === realpathSync(file)) throw new UsageError(`${target} is the database itself; name another file`)
    if (statSync(file).isDirectory()) throw new InputError(`cannot write the backup ${target}: it is a folder; name a file in it`)
    if (!opts.force) throw new UsageError(`${target} already exists; choose another name or add --force to replace it`)
  }

  const db = openExistingDb(dbFile)
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`)
  try {
    const copied = await backupDatabase(db, temp, {
      pagesPerStep: opts.pagesPerStep,
      signal: opts.signal,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ label: 'backup', done: p.copiedBytes, total: p.totalBytes })),
    })
    const checked = finishAndCheckCopy(temp, opts.fullCheck ?? false)
    if (checked.problems.length) throw new Error(`the copy failed its check (${checked.problems.slice(0, 5).join('; ')}); ${target} was not written`)
    syncFile(temp)
    // A journal left beside an older FILE would be applied to the new one when it is opened.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
    renameSync(temp, file)
    syncFile(dir)
    return {
      database: dbFile,
      file: target,
      bytes: statSync(file).size,
      posts: checked.posts,
      tables: checked.tables.length,
      check: opts.fullCheck ? 'integrity_check' : 'quick_check',
      restarts: copied.restarts,
      ms: Math.round(performance.now() - started),
    }
  } finally {
    db.close()
    for (const f of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`]) rmSync(f, { force: true })
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
