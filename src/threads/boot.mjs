// Starts a TypeScript worker when stancewatch runs from its sources (tsx); see start.ts.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
