/**
 * The compiled build (dist/), which the `stancewatch` command runs: tests that start the CLI as a process
 * start it, and benchmarks measure it. Built fresh before they run (tests/global-setup.ts, bench/compiled.ts).
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const ROOT = path.resolve(import.meta.dirname, '..')
export const DIST = path.join(ROOT, 'dist')
/** The command as installed (`bin` in package.json): `node BIN …args`. */
export const BIN = path.join(DIST, 'cli/bin.js')

/**
 * Compile src/ into dist/ as `npm install` and `npm run build` do. Incremental (dist/.tsbuildinfo): a few
 * seconds when nothing changed. A type error fails it, as it would fail `npm install`.
 */
export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'src/tsconfig.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
    // As `npm run build` does: eld's table as JSON beside the compiled detector.
    execFileSync(process.execPath, [path.join(DIST, 'text/write-eld-table.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string }
    throw new Error(`building dist/ (tsc -p src/tsconfig.json, then its eld table) failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e })
  }
}

/**
 * A module of the compiled build, typed as its source: `await importCompiled<typeof import('../src/x.js')>('x.js')`.
 * Its worker threads start from their compiled .js, as the command's do (from the sources they boot through tsx).
 */
export async function importCompiled<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(DIST, file)).href)) as T
}
