import type { Command } from 'commander'
import type { Io } from '../io.js'
import { registerAlerts } from './alerts.js'
import { registerBackfill } from './backfill.js'
import { registerClassify } from './classify.js'
import { registerCollect } from './collect.js'
import { registerConfig } from './config.js'
import { registerDemo } from './demo.js'
import { registerDigest } from './digest.js'
import { registerEval } from './eval.js'
import { registerExplain } from './explain.js'
import { registerExport } from './export.js'
import { registerLabel } from './label.js'
import { registerNotify } from './notify.js'
import { registerRetag } from './retag.js'
import { registerReview } from './review.js'
import { registerStance } from './stance.js'
import { registerStart } from './start.js'
import { registerStatus } from './status.js'

/** Every command, in the order `--help` lists them. */
export function registerCommands(program: Command, io: Io): void {
  registerDemo(program, io)
  registerCollect(program, io)
  registerBackfill(program, io)
  registerClassify(program, io)
  registerLabel(program, io)
  registerReview(program, io)
  registerExplain(program, io)
  registerEval(program, io)
  registerStance(program, io)
  registerDigest(program, io)
  registerExport(program, io)
  registerRetag(program, io)
  registerAlerts(program, io)
  registerNotify(program, io)
  registerStatus(program, io)
  registerStart(program, io)
  registerConfig(program, io)
}
