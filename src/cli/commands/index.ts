import type { Command } from 'commander'
import type { Io } from '../io.js'

type Register = (program: Command, io: Io) => void

/**
 * Every command, in the order `--help` lists them, each loaded only when needed: a long-running command
 * (the Jetstream consumer, the daemon) then carries only the modules it uses, not every other command's
 * (tens of MB of resident memory).
 */
const COMMANDS: [names: string[], load: () => Promise<Register>][] = [
  [['demo'], async () => (await import('./demo.js')).registerDemo],
  [['collect'], async () => (await import('./collect.js')).registerCollect],
  [['backfill', 'refresh'], async () => (await import('./backfill.js')).registerBackfill],
  [['classify', 'train'], async () => (await import('./classify.js')).registerClassify],
  [['label'], async () => (await import('./label.js')).registerLabel],
  [['review'], async () => (await import('./review.js')).registerReview],
  [['assist'], async () => (await import('./assist.js')).registerAssist],
  [['explain'], async () => (await import('./explain.js')).registerExplain],
  [['eval'], async () => (await import('./eval.js')).registerEval],
  [['stance'], async () => (await import('./stance.js')).registerStance],
  [['digest'], async () => (await import('./digest.js')).registerDigest],
  [['export'], async () => (await import('./export.js')).registerExport],
  [['retag'], async () => (await import('./retag.js')).registerRetag],
  [['alerts'], async () => (await import('./alerts.js')).registerAlerts],
  [['notify'], async () => (await import('./notify.js')).registerNotify],
  [['status'], async () => (await import('./status.js')).registerStatus],
  [['backup'], async () => (await import('./backup.js')).registerBackup],
  [['archive'], async () => (await import('./archive.js')).registerArchive],
  [['serve'], async () => (await import('./serve.js')).registerServe],
  [['start'], async () => (await import('./start.js')).registerStart],
  [['reload'], async () => (await import('./reload.js')).registerReload],
  [['config'], async () => (await import('./config.js')).registerConfig],
  [['topic'], async () => (await import('./topic.js')).registerTopic],
]

/** Register `only` when it names a command, every command otherwise (help, typos, no command). */
export async function registerCommands(program: Command, io: Io, only?: string): Promise<void> {
  const wanted = COMMANDS.filter(([names]) => only !== undefined && names.includes(only))
  for (const [, load] of wanted.length ? wanted : COMMANDS) (await load())(program, io)
}
