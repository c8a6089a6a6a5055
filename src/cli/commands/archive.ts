import path from 'node:path'
import type { Command } from 'commander'
import { loadDotEnv, readEnv } from '../../config/env.js'
import { loadConfig } from '../../config/load.js'
import { rotateArchives, type RotateResult } from '../../jobs/rotate-archives.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'

interface Flags {
  dryRun?: boolean
  json?: boolean
}

export function registerArchive(program: Command, io: Io): void {
  const archive = program
    .command('archive')
    .description('Manage the archive of raw pages the collectors keep (sources.archive_dir)')
    .addHelpText(
      'after',
      `
Examples:
  $ stancewatch archive rotate --dry-run`,
    )
  archive
    .command('rotate')
    .description('Gzip old daily archive files and delete those past the retention, as the daemon does once a day')
    .option('--dry-run', 'list what would be compressed and deleted, changing nothing')
    .option('--json', 'print {dir, dry_run, compressed, deleted, errors} as JSON')
    .addHelpText(
      'after',
      `
Daily files (<source>-YYYY-MM-DD.jsonl, UTC days) at least sources.archive_compress_after_days old become
.jsonl.gz (replay reads them as they are); today's and yesterday's are never touched. Files more than
sources.archive_retention_days old are deleted, compressed or not (0: never). A file that cannot be
handled is left as it was and named; the command then exits 1.

Examples:
  $ stancewatch archive rotate --dry-run
  $ stancewatch archive rotate --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      loadDotEnv(io.env, io.cwd)
      const { config } = loadConfig(o.config ?? readEnv(io.env).configPath)
      const { archive_dir: dir, archive_compress_after_days: compressAfterDays, archive_retention_days: retentionDays } = config.sources
      const r: RotateResult = dir
        ? await rotateArchives(path.resolve(io.cwd, dir), Date.now(), { compressAfterDays, retentionDays, dryRun: o.dryRun })
        : { compressed: [], deleted: [], errors: [] }
      const failed = r.errors.length ? `${r.errors.length} archive file(s) could not be rotated, left as they were:` : null
      if (o.json) {
        if (failed) throw new Error(`${failed} ${r.errors.join('; ')} (compressed ${r.compressed.length}, deleted ${r.deleted.length})`)
        return printJson(io, { dir, dry_run: Boolean(o.dryRun), ...r })
      }
      if (!dir) return println(io, 'the archive is off (sources.archive_dir: null): nothing to rotate')
      const verb = o.dryRun ? 'would be ' : ''
      println(
        io,
        `${dir}: ${r.compressed.length} file(s) ${verb}compressed, ${r.deleted.length} ${verb}deleted (compress after ${compressAfterDays} days, ${retentionDays ? `keep ${retentionDays} days` : 'keep forever'})`,
      )
      for (const f of r.compressed) println(io, `  ${o.dryRun ? 'would compress' : 'compressed'} ${path.basename(f)}`)
      for (const f of r.deleted) println(io, `  ${o.dryRun ? 'would delete' : 'deleted'} ${path.basename(f)}`)
      if (failed) throw new Error(`${failed}\n  ${r.errors.join('\n  ')}`)
    })
}
