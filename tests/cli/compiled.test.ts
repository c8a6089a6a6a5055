import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { samplePayloads } from '../../bench/sample-posts.js'
import { BIN, DIST } from '../compiled.js'
import { ROOT, tempDir, writeTestConfig } from '../helpers.js'

const run = promisify(execFile)
const PRODUCTION = path.join(ROOT, 'tests/fixtures/production-install.mjs')

/** Every .ts under src/, relative to it. */
function sources(dir = path.join(ROOT, 'src'), rel = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return sources(path.join(dir, e.name), path.join(rel, e.name))
    return e.name.endsWith('.ts') ? [path.join(rel, e.name)] : []
  })
}

/** The packages a compiled file loads: imports, dynamic imports and requires (a template's fixed start included). */
function packagesOf(code: string): string[] {
  const specifiers = ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName)
  for (const m of code.matchAll(/(?:require|\))\(\s*['"`]([^'"`$]+)/g)) specifiers.push(m[1]!)
  return specifiers
    .filter((s) => !/^(\.|\/|file:|data:)/.test(s))
    .map((s) => (s.startsWith('node:') ? s : s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!))
}

describe('the compiled build, as npm install makes it (dist/)', () => {
  const tmp = tempDir('stancewatch-compiled-')
  afterAll(tmp.cleanup)

  it('has every source compiled, and loads nothing but Node, its own files and the dependencies', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules])
    for (const src of sources()) {
      const file = path.join(DIST, src.replace(/\.ts$/, '.js'))
      expect(existsSync(file), file).toBe(true)
      for (const p of packagesOf(readFileSync(file, 'utf8')))
        expect(allowed.has(p.replace(/^node:/, '')) || p.startsWith('node:'), `${src} loads ${p}`).toBe(true)
    }
  })

  it('runs without any devDependency: a large replay on worker threads, with background checkpoints', async () => {
    // The check itself: under the preload, a devDependency cannot be loaded (here tsx, which booted workers from the sources).
    await expect(run(process.execPath, ['--import', PRODUCTION, '--input-type=module', '-e', "await import('tsx/esm/api')"])).rejects.toMatchObject({
      stderr: expect.stringContaining("Cannot find package 'tsx'"),
    })

    // Three copies of the sample: over the size at which a replay parses on worker threads and checkpoints on another.
    const archive = path.join(tmp.dir, 'big.jsonl')
    writeFileSync(
      archive,
      samplePayloads(3)
        .map((p) => JSON.stringify(p))
        .join('\n') + '\n',
    )
    const env = {
      PATH: process.env.PATH,
      HOME: tmp.dir,
      STANCEWATCH_CONFIG: writeTestConfig(tmp.dir),
      STANCEWATCH_DB: path.join(tmp.dir, 'replay.sqlite'),
      STANCEWATCH_LOG_FORMAT: 'json',
    }
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', PRODUCTION, BIN, '--log-level', 'info', 'collect', '--source', 'replay', '--file', archive, '--json'],
      { cwd: tmp.dir, env },
    )
    const result = JSON.parse(stdout) as { status: string; stats: { newPosts: number } }
    expect(result.status, stderr).toBe('ok')
    expect(result.stats.newPosts).toBeGreaterThan(6000)
    // A background checkpoint thread that could not start says so (and the writer carries on alone).
    expect(stderr).not.toContain('background checkpoints stopped')
  })
})
