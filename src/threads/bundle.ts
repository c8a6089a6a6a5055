import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Inside the package's node_modules, so that the bundle's own imports of packages resolve as the sources' do. */
export const WORKER_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/stancewatch-workers/', import.meta.url))

/**
 * A worker booted from the TypeScript sources through tsx starts a module-hooks thread of its own and
 * compiles each file as it is imported: about 0.3 s, on cores the replay needs, before it prepares
 * anything (bench/ingest: a replay of 100k posts took ~6% longer and ~1 s more CPU). Bundled into one plain
 * module by esbuild (the compiler tsx itself uses), it starts in a few tens of milliseconds; bundling takes
 * ~10 ms (~50 ms for the first in a process). Packages stay imports, resolved from the package's node_modules.
 *
 * The bundle is named by its content, so concurrent runs of different sources never load each other's.
 * Null when it cannot be made (esbuild missing, read-only install) or when the code reads `import.meta`,
 * which in a bundle would name the bundle, not its source file: the caller then boots through tsx.
 */
export function bundleWorker(entry: URL): URL | null {
  try {
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild')
    const built = buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    })
    const code = built.outputFiles[0]!.text
    if (code.includes('import.meta')) return null
    const name = path.basename(fileURLToPath(entry)).replace(/\.ts$/, '')
    const file = path.join(WORKER_CACHE_DIR, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
    if (!exists(file)) {
      mkdirSync(WORKER_CACHE_DIR, { recursive: true })
      // Written under a temporary name and renamed: another run starting the same worker never reads half a file.
      const partial = `${file}.${process.pid}.partial`
      writeFileSync(partial, code)
      renameSync(partial, file)
      removeOlder(name, file)
    }
    return pathToFileURL(file)
  } catch {
    return null
  }
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** Bundles of earlier versions of the same worker: a run still using one rebuilds it if it must start another. */
function removeOlder(name: string, keep: string): void {
  for (const f of readdirSync(WORKER_CACHE_DIR)) {
    if (f.startsWith(`${name}-`) && f.endsWith('.mjs') && path.join(WORKER_CACHE_DIR, f) !== keep) rmSync(path.join(WORKER_CACHE_DIR, f), { force: true })
  }
}
