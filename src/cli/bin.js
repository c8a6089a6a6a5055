#!/usr/bin/env node
// The `stancewatch` command. Runs the TypeScript sources directly through tsx, so `npx stancewatch`
// works right after `npm install` with no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
await main()
