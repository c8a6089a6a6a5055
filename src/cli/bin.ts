#!/usr/bin/env node
// The `stancewatch` command, compiled to dist/cli/bin.js by `npm install` (the `prepare` script) or
// `npm run build`. `npm run dev -- <args>` runs this file from the sources through tsx instead.
import { EARLY_SIGHUP, type EarlySighup } from './early-sighup.js'

// A SIGHUP means "re-read the config" to the daemon (`start`) and must never kill it, even while it loads,
// before its own handler exists (Node exits on SIGHUP while nothing listens). Noted from the first moment,
// before the rest of the program is loaded; main() hands the default back to every other command
// (src/cli/early-sighup.ts).
const hup: EarlySighup = { count: 0, listener: () => void hup.count++ }
;(globalThis as Record<symbol, unknown>)[EARLY_SIGHUP] = hup
process.on('SIGHUP', hup.listener)

const { main } = await import('./main.js')
await main()
