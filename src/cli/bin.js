#!/usr/bin/env node
// The `stancewatch` command. Runs the TypeScript sources directly through tsx, so `npx stancewatch`
// works right after `npm install` with no build step.
import { register } from 'tsx/esm/api'

// A SIGHUP means "re-read the config" to the daemon (`start`) and must never kill it, even while it loads,
// before its own handler exists (Node exits on SIGHUP while nothing listens). Noted from the first moment;
// main() hands the default back to every other command (src/cli/early-sighup.ts).
const hup = { count: 0, listener: () => void hup.count++ }
globalThis[Symbol.for('stancewatch.early-sighup')] = hup
process.on('SIGHUP', hup.listener)

register()
const { main } = await import('./main.ts')
await main()
