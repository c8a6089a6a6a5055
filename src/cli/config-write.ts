import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readEnv } from '../config/env.js'
import { loadConfig, locateProblems } from '../config/load.js'
import { checkSources } from '../config/source-check.js'
import { ConfigError } from '../domain/errors.js'
import type { Io } from './io.js'

/*
 * A change to the config file made by a command (`topic add`, `topic remove`): the new text replaces the
 * file in one rename (a crash leaves the old file or the new one, never half of each), then the file goes
 * through the check `config check` makes. A failing check puts the old text back and throws the problems
 * (exit 2): a command never leaves a config the daemon would refuse.
 */

/** Files the change created beside the config (a seed file), removed again if the check fails. */
export function writeCheckedConfig(io: Io, file: string, text: string, created: string[] = []): void {
  const absolute = path.resolve(file)
  const before = readFileSync(absolute, 'utf8')
  replace(absolute, text)
  try {
    const { config } = loadConfig(absolute)
    const sources = checkSources(config, readEnv(io.env))
    if (sources.problems.length) throw new ConfigError(locateProblems(absolute, sources.problems))
  } catch (e) {
    replace(absolute, before)
    for (const f of created) if (existsSync(f)) rmSync(f)
    if (e instanceof ConfigError) {
      throw new ConfigError([
        ...e.problems.map((p) => ({ ...p, file })),
        {
          file,
          key: '(file)',
          message: 'the change failed the configuration check, so the file was restored as it was',
          fix: 'correct the problems above (or the command line) and run it again',
        },
      ])
    }
    throw e
  }
}

function replace(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}
