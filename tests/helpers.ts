import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { readEnv } from '../src/config/env.js'
import { createContext, type AppContext } from '../src/context.js'
import { runCli } from '../src/cli/run.js'
import type { Io } from '../src/cli/io.js'
import { silentLogger } from '../src/logger.js'
import type { Db } from '../src/store/db.js'
import { saveActiveModel } from '../src/store/models.js'

export const ROOT = path.resolve(import.meta.dirname, '..')
export const CONFIG = path.join(ROOT, 'config/stancewatch.yaml')

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'stancewatch-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A context over a real, migrated in-memory SQLite database and the shipped config. */
export function testContext(opts: { now?: Date; configPath?: string; dbPath?: string; env?: NodeJS.ProcessEnv } = {}): AppContext {
  return createContext({
    env: readEnv(opts.env ?? {}),
    log: silentLogger,
    configPath: opts.configPath ?? CONFIG,
    dbPath: opts.dbPath ?? ':memory:',
    now: opts.now ? () => opts.now! : undefined,
  })
}

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Run the CLI in-process with captured output, as the binary would. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { ...env },
    cwd,
  }
  const code = await runCli(args, io)
  return { code, stdout, stderr }
}

/**
 * The shipped config with some keys replaced, written into `dir` (seeds path made absolute, archives and
 * digests kept inside `dir` so tests never write into the repository).
 */
export function writeTestConfig(dir: string, edit: (config: Record<string, any>) => void = () => {}, name = 'config.yaml'): string {
  const config = parseYaml(readFileSync(CONFIG, 'utf8')) as Record<string, any>
  config.topics[0].stance.seeds = path.join(ROOT, 'config/seeds/china-ai-fund.jsonl')
  config.sources = { ...(config.sources ?? {}), archive_dir: path.join(dir, 'archive') }
  config.digest.out_dir = path.join(dir, 'digests')
  edit(config)
  const file = path.join(dir, name)
  writeFileSync(file, stringifyYaml(config))
  return file
}

/** A stand-in active model for a topic, for tests that store classifications by hand: its id. */
export function saveStubModel(db: Db, topicId: string, version = 'test@1'): number {
  return saveActiveModel(db, {
    topicId,
    version,
    algorithm: 'test',
    params: '{}',
    metrics: null,
    trainingSize: 0,
    trainedAt: 0,
    weights: Buffer.alloc(0),
  })
}
