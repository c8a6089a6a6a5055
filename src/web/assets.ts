import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** web/ at the package root (the client script and styles), whether running from src/ or dist/. */
const CLIENT_DIR = fileURLToPath(new URL('../../web/', import.meta.url))
const require = createRequire(import.meta.url)

export interface Asset {
  type: string
  body: Buffer
}

/**
 * Every file the pages load, by the path they load it from: our client and uPlot, served from
 * node_modules. Nothing else is served, so no path from a request ever reaches the file system.
 */
const FILES: Record<string, { file: () => string; type: string }> = {
  '/assets/dashboard.js': { file: () => `${CLIENT_DIR}dashboard.js`, type: 'text/javascript; charset=utf-8' },
  '/assets/dashboard.css': { file: () => `${CLIENT_DIR}dashboard.css`, type: 'text/css; charset=utf-8' },
  '/assets/uPlot.min.js': { file: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
}

const cache = new Map<string, Asset>()

export function asset(path: string): Asset | null {
  const f = FILES[path]
  if (!f) return null
  let a = cache.get(path)
  if (!a) cache.set(path, (a = { type: f.type, body: readFileSync(f.file()) }))
  return a
}
