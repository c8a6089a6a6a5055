import type { Command } from 'commander'
import { loadDotEnv, readEnv } from '../../config/env.js'
import { backup, type BackupResult } from '../../jobs/backup.js'
import { printJson, println, type Io } from '../io.js'
import { abortOnSignals, optionsOf } from '../options.js'
import { progressBar } from '../progress.js'

interface Flags {
  force?: boolean
  fullCheck?: boolean
  json?: boolean
}

export function registerBackup(program: Command, io: Io): void {
  program
    .command('backup')
    .description('Copy the database to FILE, consistently, while the daemon keeps writing; check the copy')
    .argument('<file>', 'where to write the copy (a new file, in an existing folder)')
    .option('--force', 'replace FILE if it exists')
    .option('--full-check', 'check the copy with PRAGMA integrity_check (every index in full) instead of quick_check')
    .option('--json', 'print {database, file, bytes, posts, tables, check, restarts, ms} as JSON')
    .addHelpText(
      'after',
      `
Uses SQLite's online backup: the copy is one moment of the database even while \`stancewatch start\`
writes to it, and the daemon is never blocked. The copy is written beside FILE under a temporary name and
renamed to FILE only once complete, synced to disk and checked, so FILE is never half a backup. It needs
no configuration, only the database (--db or STANCEWATCH_DB). The copy is a single file (no -wal beside
it); see "Backup and restore" in the README to restore it.

Examples:
  $ stancewatch backup backups/stancewatch-$(date +%F).sqlite
  $ stancewatch --db /var/lib/stancewatch/stancewatch.sqlite backup /srv/backup/sw.sqlite --force --json
  $ stancewatch backup nightly.sqlite --full-check`,
    )
    .action(async (target: string, _: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      loadDotEnv(io.env, io.cwd)
      const database = o.db ?? readEnv(io.env).dbPath
      const bar = progressBar(io, 'bytes')
      const signals = abortOnSignals()
      try {
        const r = await backup(database, target, { force: o.force, fullCheck: o.fullCheck, signal: signals.signal, onProgress: bar.update })
        bar.stop()
        if (o.json) printJson(io, r)
        else println(io, describe(r))
      } finally {
        bar.stop()
        signals.dispose()
      }
    })
}

function describe(r: BackupResult): string {
  return `${r.file}: ${megabytes(r.bytes)}, ${r.posts} posts, ${r.tables} tables, ${r.check} ok, in ${(r.ms / 1000).toFixed(1)} s (from ${r.database})`
}

function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(0)} kB` : `${(bytes / 1e6).toFixed(1)} MB`
}
