import type { Command } from 'commander'
import { loadDotEnv, readEnv } from '../../config/env.js'
import { loadConfig, locateProblems } from '../../config/load.js'
import { checkSources } from '../../config/source-check.js'
import { ConfigError } from '../../domain/errors.js'
import { channelProblem } from '../../notify/channels/index.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'

interface Flags {
  json?: boolean
}

export function registerConfig(program: Command, io: Io): void {
  const config = program.command('config').description('Inspect the configuration')
  config
    .command('check')
    .description('Validate the configuration file and the environment; exit 2 with every problem found')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exit 0 when the daemon can run (warnings, such as an enabled source without credentials, are listed);
exit 2 with every problem otherwise: a mistake in the file, or sources that cannot work (nothing enabled,
none of the enabled sources can run with this environment, a replay archive that does not exist, an output
folder that cannot be written).

Examples:
  $ stancewatch config check
  $ STANCEWATCH_CONFIG=my.yaml stancewatch config check --json`,
    )
    .action((_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      loadDotEnv(io.env, io.cwd)
      const env = readEnv(io.env)
      const file = o.config ?? env.configPath
      const { config } = loadConfig(file)
      const sources = checkSources(config, env)
      if (sources.problems.length) throw new ConfigError(locateProblems(file, sources.problems))
      const credentials = {
        x: Boolean(env.x.bearerToken),
        bluesky: Boolean(env.bluesky.identifier && env.bluesky.appPassword),
      }
      const notify = config.notify.channels.map((c) => ({
        id: c.id,
        type: c.type,
        send: c.send,
        configured: channelProblem(c, env) === null,
        problem: channelProblem(c, env),
      }))
      const assistant = env.llm.baseUrl
        ? []
        : config.topics
            .filter((t) => t.assistant.enabled)
            .map((t) => `topic ${t.id} enables the assistant but LLM_BASE_URL is not set: \`assist\` will refuse to run`)
      const warnings = [
        ...sources.warnings,
        ...notify.filter((c) => c.problem).map((c) => `notify channel ${c.id} is not configured: ${c.problem}`),
        ...assistant,
      ]
      if (o.json) {
        printJson(io, {
          ok: true,
          file,
          timezone: config.timezone,
          topics: config.topics.map((t) => ({ id: t.id, rules: t.keywords.length, labels: t.stance.labels.map((l) => l.id) })),
          sources: config.sources.enabled,
          credentials,
          notify,
          warnings,
        })
        return
      }
      println(io, `${file}: ok${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`)
      println(
        io,
        `  time zone ${config.timezone}; ${config.topics.length} topic(s): ${config.topics.map((t) => `${t.id} (${t.keywords.length} keyword rules, labels ${t.stance.labels.map((l) => l.id).join('/')})`).join(', ')}`,
      )
      println(io, `  sources enabled: ${config.sources.enabled.join(', ')}`)
      println(
        io,
        `  credentials: X ${credentials.x ? 'set' : 'not set (X_BEARER_TOKEN)'}, Bluesky ${credentials.bluesky ? 'set' : 'not set (BSKY_IDENTIFIER, BSKY_APP_PASSWORD)'}`,
      )
      println(io, `  notify: ${notify.map((c) => `${c.id} (${c.type}) ${c.problem ?? 'ok'}`).join('; ') || 'no channels'}`)
      for (const w of warnings) println(io, `  warning: ${w}`)
    })
}
