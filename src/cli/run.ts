import { Command, CommanderError } from 'commander'
import { ConfigError, ReportedFailure, UserError } from '../domain/errors.js'
import { scrubSecrets } from '../util/secrets.js'
import { registerCommands } from './commands/index.js'
import type { Io } from './io.js'

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/**
 * Run one command line. The one place that turns outcomes into exit codes: 0 ok, 1 failure,
 * 2 usage, configuration or input error. Never calls process.exit, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = await buildProgram(io, commandOf(argv))
  // `--format json` (stance) promises one JSON document as much as `--json` does, failures included.
  const wantsJson = argv.includes('--json') || argv.some((a, i) => a === '--format=json' || ((a === '--format' || a === '-f') && argv[i + 1] === 'json'))
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return EXIT.ok
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok
      if (wantsJson) io.stdout(`${JSON.stringify({ error: { kind: 'usage', message: e.message.replace(/^error: /, '') } })}\n`)
      return EXIT.usage
    }
    const err = e instanceof Error ? e : new Error(String(e))
    const message = scrubSecrets(err.message)
    if (err instanceof UserError) {
      io.stderr(`stancewatch: ${err instanceof ConfigError ? 'configuration error:\n' : ''}${message}\n`)
      if (wantsJson) io.stdout(`${JSON.stringify({ error: { kind: err.name, message, ...(err instanceof ConfigError ? { problems: err.problems } : {}) } })}\n`)
      return EXIT.usage
    }
    if (err instanceof ReportedFailure) {
      io.stderr(`stancewatch: failed: ${message}\n`)
      return EXIT.failure
    }
    io.stderr(
      `stancewatch: failed: ${message}\n${io.env.STANCEWATCH_DEBUG ? `${scrubSecrets(err.stack ?? '')}\n` : '(set STANCEWATCH_DEBUG=1 to see the stack trace)\n'}`,
    )
    if (wantsJson) io.stdout(`${JSON.stringify({ error: { kind: 'failure', message } })}\n`)
    return EXIT.failure
  }
}

/** Global options that take a value: what follows them is not the command. */
const VALUE_OPTIONS = new Set(['-c', '--config', '--db', '--log-level'])

/** The command a command line names (its first word that is neither an option nor an option's value). */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (VALUE_OPTIONS.has(a)) i++
    else if (!a.startsWith('-')) return a
  }
  return undefined
}

export async function buildProgram(io: Io, command?: string): Promise<Command> {
  const program = new Command('stancewatch')
    .description('Watch how people on X and Bluesky react to a news article and its subjects: collect, classify stance, report, alert.')
    .option('-c, --config <file>', 'configuration file (default: $STANCEWATCH_CONFIG or config/stancewatch.yaml)')
    .option('--db <file>', 'SQLite database (default: $STANCEWATCH_DB or db/stancewatch.sqlite)')
    .option('--log-level <level>', 'log level on stderr: fatal, error, warn, info, debug, trace, silent')
    .option('-v, --verbose', 'log progress on stderr (same as --log-level info)')
    .option('--wait', 'when another process (the daemon) is running the same job, wait for it instead of refusing')
    .option('--pretty', 'readable log lines (the default when stderr is a terminal; or STANCEWATCH_LOG_FORMAT=pretty)')
    .option('--no-pretty', 'JSON log lines, one object per line (the default otherwise; or STANCEWATCH_LOG_FORMAT=json)')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) })
    .exitOverride()
  await registerCommands(program, io, command)
  for (const cmd of program.commands) applyOutput(cmd, io)
  program.addHelpText(
    'after',
    `
Examples:
  $ stancewatch demo                                   # the whole pipeline on the bundled sample
  $ stancewatch collect --source replay --file archive.jsonl
  $ stancewatch stance --from 2025-07-10 --to 2025-07-26 --bucket day
  $ stancewatch digest --date 2025-07-16 --out digests/
  $ stancewatch <command> --help                       # options and examples of one command

Output: results on stdout; logs on stderr, readable on a terminal and JSON lines otherwise (services,
pipes, files). Secrets are removed from logs in both forms.

Exit codes: 0 ok, 1 failure, 2 usage, configuration or input error.`,
  )
  return program
}

/** Subcommands inherit output routing and exit behaviour, recursively. */
function applyOutput(cmd: Command, io: Io): void {
  cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) }).exitOverride()
  cmd.showHelpAfterError('(run with --help for usage and examples)')
  for (const sub of cmd.commands) applyOutput(sub, io)
}
