import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram, commandOf } from '../../src/cli/run.js'
import { openDb } from '../../src/store/db.js'
import { migrate } from '../../src/store/migrate.js'
import { BIN } from '../compiled.js'
import { cli, CONFIG, ROOT, tempDir } from '../helpers.js'

const run = promisify(execFile)

describe('CLI exit codes and output', () => {
  const tmp = tempDir()
  const db = path.join(tmp.dir, 'cli.sqlite')
  const base = ['--config', CONFIG, '--db', db]
  afterAll(tmp.cleanup)
  beforeAll(() => {
    const d = openDb(db)
    migrate(d)
    d.close()
  })

  it('exits 0 with help on stdout, examples included, for every command', async () => {
    const top = await cli(['--help'])
    expect(top.code).toBe(0)
    expect(top.stdout).toContain('Examples:')
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help')
    expect(commands).toEqual(
      expect.arrayContaining(['demo', 'collect', 'classify', 'train', 'stance', 'digest', 'export', 'alerts', 'status', 'start', 'config']),
    )
    for (const c of commands) {
      const r = await cli([c, '--help'])
      expect(r.code, c).toBe(0)
      expect(r.stdout, c).toMatch(/Examples:|Commands:/)
    }
    for (const sub of [
      ['alerts', 'check'],
      ['alerts', 'list'],
      ['config', 'check'],
    ]) {
      const r = await cli([...sub, '--help'])
      expect(r.stdout, sub.join(' ')).toContain('Examples:')
    }
  })

  it('exits 2 on usage errors: unknown command, unknown option, bad choice, missing option', async () => {
    for (const args of [
      ['frobnicate'],
      ['status', '--frob'],
      ['stance', '--from', '2025-07-01', '--to', '2025-07-02', '--bucket', 'month'],
      ['collect'],
      ['export', '--format', 'xml'],
    ]) {
      const r = await cli([...base, ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stdout, args.join(' ')).toBe('')
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0)
    }
  })

  it('exits 2 on input errors (bad dates, missing replay file) and names the problem', async () => {
    const bad = await cli([...base, 'stance', '--from', '2025-02-30', '--to', '2025-03-01'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--from 2025-02-30')
    const missing = await cli([...base, 'collect', '--source', 'replay', '--file', path.join(tmp.dir, 'nope.jsonl')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.jsonl')
  })

  it('refuses a database that does not exist for commands that only read, and creates nothing', async () => {
    const typo = path.join(tmp.dir, 'typo', 'stancewatch.sqlite')
    for (const args of [['status'], ['stance', '--from', '2025-07-10', '--to', '2025-07-12'], ['export', '--format', 'csv'], ['alerts', 'list']]) {
      const r = await cli(['--config', CONFIG, '--db', typo, ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toContain(`the database ${typo} does not exist`)
      expect(r.stderr, args.join(' ')).toContain('Fix:')
    }
    expect(existsSync(path.dirname(typo))).toBe(false)
  })

  it('refuses a throw-away database (empty path, :memory:) for every command', async () => {
    for (const dbArg of ['', ':memory:', 'file::memory:?cache=shared']) {
      for (const args of [
        ['collect', '--source', 'replay', '--file', path.join(ROOT, 'tests/fixtures/payloads/x-search-recent.json')],
        ['status'],
        ['classify'],
      ]) {
        const r = await cli(['--config', CONFIG, '--db', dbArg, ...args])
        expect(r.code, `${dbArg} ${args[0]}`).toBe(2)
        expect(r.stderr, `${dbArg} ${args[0]}`).toMatch(/is not a database file/)
      }
    }
    const fromEnv = await cli(['--config', CONFIG, 'status'], { STANCEWATCH_DB: ':memory:' })
    expect(fromEnv.code).toBe(2)
    expect(fromEnv.stderr).toMatch(/STANCEWATCH_DB: ":memory:" is not a database file/)
  })

  it('exits 2 on a configuration error naming file, key and fix', async () => {
    const badConfig = path.join(tmp.dir, 'bad.yaml')
    writeFileSync(badConfig, 'timezone: Mars/Olympus\n')
    const r = await cli(['--config', badConfig, '--db', db, 'status'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(badConfig)
    expect(r.stderr).toContain('topics')
    expect(r.stderr).toContain('Fix:')
  })

  it('prints exactly one JSON document with --json, on success and on failure', async () => {
    for (const args of [
      ['status', '--json'],
      ['config', 'check', '--json'],
      ['alerts', 'list', '--json'],
      ['stance', '--from', '2025-07-10', '--to', '2025-07-12', '--json'],
      ['stance', '--from', 'yesterday', '--to', '2025-07-12', '--json'],
    ]) {
      const r = await cli([...base, ...args])
      expect(() => JSON.parse(r.stdout), `${args.join(' ')}: ${r.stdout}`).not.toThrow()
      expect(
        r.stdout
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{')).length,
        args.join(' '),
      ).toBe(1)
    }
  })

  describe('the installed binary', () => {
    let env: NodeJS.ProcessEnv
    beforeAll(() => {
      env = { PATH: process.env.PATH, HOME: tmp.dir, STANCEWATCH_CONFIG: CONFIG, STANCEWATCH_DB: db }
    })

    it('keeps stdout to one JSON document and logs JSON lines on stderr', async () => {
      const { stdout, stderr } = await run('node', [BIN, '--log-level', 'info', 'status', '--json'], { cwd: tmp.dir, env })
      expect(JSON.parse(stdout)).toHaveProperty('posts')
      for (const line of stderr.trim().split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow()
    })

    it('returns exit code 2 to the shell on a usage or configuration error and 1 on a failure', async () => {
      await expect(run('node', [BIN, 'stance', '--bucket', 'century'], { cwd: tmp.dir, env })).rejects.toMatchObject({ code: 2 })
      // A database path that cannot exist (under a regular file) is a configuration mistake…
      const file = path.join(tmp.dir, 'plain-file')
      writeFileSync(file, 'x')
      await expect(run('node', [BIN, '--db', path.join(file, 'no.sqlite'), 'status'], { cwd: tmp.dir, env })).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('STANCEWATCH_DB'),
      })
      // …while a database file that is not SQLite is a failure.
      const corrupt = path.join(tmp.dir, 'corrupt.sqlite')
      writeFileSync(corrupt, 'this is not a database, just text long enough to have a header '.repeat(20))
      await expect(run('node', [BIN, '--db', corrupt, 'status'], { cwd: tmp.dir, env })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('failed'),
      })
    })
  })
})

describe('loading only the command that runs', () => {
  const io = { stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: {}, cwd: ROOT }
  const names = async (command?: string) => (await buildProgram(io, command)).commands.map((c) => c.name())

  it('finds the command past global options and their values', () => {
    expect(commandOf(['--config', 'c.yaml', '--db', 'x.sqlite', '-v', 'collect', '--source', 'x'])).toBe('collect')
    expect(commandOf(['-c', 'stance', 'status'])).toBe('status')
    expect(commandOf(['--log-level', 'debug'])).toBeUndefined()
    expect(commandOf(['--help'])).toBeUndefined()
  })

  it('registers the named command (with the commands of its module) and every command for help or a typo', async () => {
    expect(await names('collect')).toEqual(['collect'])
    expect(await names('refresh')).toEqual(['backfill', 'refresh'])
    expect(await names('train')).toEqual(['classify', 'train'])
    const all = await names(undefined)
    expect(all).toEqual(
      expect.arrayContaining([
        'demo',
        'collect',
        'backfill',
        'refresh',
        'classify',
        'train',
        'label',
        'review',
        'explain',
        'eval',
        'stance',
        'digest',
        'export',
        'retag',
        'alerts',
        'notify',
        'status',
        'start',
        'config',
      ]),
    )
    expect(await names('statuss')).toEqual(all)
  })
})
