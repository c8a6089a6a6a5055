import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { threadId } from 'node:worker_threads'

/** Inside the package's node_modules, so that the bundle's own imports of packages resolve as the sources' do. */
export const WORKER_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/stancewatch-workers/', import.meta.url))

/**
 * A worker booted from the TypeScript sources through tsx starts a module-hooks thread of its own and
 * compiles each file as it is imported: about 0.3 s, on cores the replay needs, before it prepares
 * anything (bench/ingest: a replay of 100k posts took ~6% longer and ~1 s more CPU). Bundled into one plain
 * module by esbuild (the compiler tsx itself uses), it starts in a few tens of milliseconds; bundling takes
 * ~10 ms (~50 ms for the first in a process), and is done again only when one of its files has changed.
 * Packages stay imports, resolved from the package's node_modules.
 *
 * The bundle is named by its content, so concurrent runs of different sources never load each other's.
 * Null when it cannot be made (esbuild missing, read-only install) or when the code reads `import.meta`,
 * which in a bundle would name the bundle, not its source file: the caller then boots through tsx.
 */
export function bundleWorker(entry: URL): URL | null {
  try {
    const source = fileURLToPath(entry)
    const name = path.basename(source).replace(/\.ts$/, '')
    const manifest = path.join(WORKER_CACHE_DIR, `${name}.json`)
    const cached = upToDate(manifest, source)
    if (cached) return pathToFileURL(cached)
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild')
    const started = Date.now()
    const built = buildSync({
      entryPoints: [source],
      absWorkingDir: path.dirname(source),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      metafile: true,
      write: false,
      logLevel: 'silent',
    })
    const code = built.outputFiles[0]!.text
    if (code.includes('import.meta')) return null
    const file = path.join(WORKER_CACHE_DIR, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
    mkdirSync(WORKER_CACHE_DIR, { recursive: true })
    if (!exists(file)) {
      writeAtomically(file, code)
      removeOlder(name, file)
    }
    const inputs = Object.keys(built.metafile.inputs).map((p): Manifest['inputs'][number] => [path.resolve(path.dirname(source), p), ...stamp(path.resolve(path.dirname(source), p))!])
    // A file saved while esbuild read it may be newer than what was bundled: then record nothing, and bundle again next time.
    if (inputs.every(([, mtimeMs]) => mtimeMs < started - 1000)) writeAtomically(manifest, JSON.stringify({ source, bundle: file, inputs } satisfies Manifest))
    return pathToFileURL(file)
  } catch {
    return null
  }
}

/** What a bundle was made from: every source file with its modification time and size when it was made. */
interface Manifest {
  source: string
  bundle: string
  inputs: [file: string, mtimeMs: number, size: number][]
}

/**
 * The bundle made last time, if none of the files it was made from has changed since: esbuild is not even
 * loaded then (its first build in a process takes ~50 ms, before the worker can start).
 */
function upToDate(manifest: string, source: string): string | null {
  let m: Manifest
  try {
    m = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest
  } catch {
    return null
  }
  if (m.source !== source || !exists(m.bundle)) return null
  for (const [file, mtimeMs, size] of m.inputs) {
    const now = stamp(file)
    if (!now || now[0] !== mtimeMs || now[1] !== size) return null
  }
  return m.bundle
}

function stamp(file: string): [mtimeMs: number, size: number] | null {
  try {
    const st = statSync(file)
    return [st.mtimeMs, st.size]
  } catch {
    return null
  }
}

/** Under a temporary name, then renamed: another run starting the same worker never reads half a file. */
function writeAtomically(file: string, text: string): void {
  // Named by process and thread: two threads of one process (test runners) may write the same file at once.
  const partial = `${file}.${process.pid}-${threadId}.partial`
  writeFileSync(partial, text)
  renameSync(partial, file)
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
