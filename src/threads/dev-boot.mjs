// Development only: boots a TypeScript worker through tsx when stancewatch runs from its sources (vitest,
// `npm run dev`); see start.ts. The compiled build (dist/) never loads this file, nor tsx.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
