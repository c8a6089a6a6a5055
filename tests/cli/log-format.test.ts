import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import type { Io } from '../../src/cli/io.js'
import { createLogger } from '../../src/logger.js'
import { registerSecret } from '../../src/util/secrets.js'
import { CONFIG, tempDir } from '../helpers.js'

function capture(): { lines: string[]; write: (s: string) => void } {
  const lines: string[] = []
  return { lines, write: (s) => void lines.push(s) }
}

describe('pretty logs', () => {
  it('never show a registered secret or a redacted field, in any form', () => {
    const secret = 'pretty-secret-"quoted"\\-4f9a'
    registerSecret(secret)
    for (const format of ['pretty', 'json'] as const) {
      const out = capture()
      const log = createLogger('debug', out, { format })
      log.info(
        { headers: { authorization: `Bearer ${secret}` }, password: 'hunter2-password', detail: { note: `token was ${secret}` } },
        `login with ${secret}`,
      )
      log.error({ err: new Error(`request failed for ${secret}`) }, 'request failed')
      const text = out.lines.join('')
      expect(text, format).toContain('[REDACTED]')
      expect(text, format).toContain('request failed')
      expect(text, format).not.toContain('pretty-secret')
      expect(text, format).not.toContain('hunter2-password')
    }
  })

  it('are readable lines, not JSON, and keep the level, message and fields', () => {
    const out = capture()
    createLogger('info', out, { format: 'pretty' }).warn({ job: 'collect', posts: 12 }, 'rate limited')
    const text = out.lines.join('')
    expect(() => JSON.parse(text)).toThrow()
    expect(text).toMatch(/WARN.*rate limited/)
    expect(text).toContain('job')
    expect(text).toContain('collect')
    expect(text).not.toContain('\u001b[')
  })
})

describe('choosing the log format', () => {
  const tmp = tempDir()
  const base = ['--config', CONFIG, '--db', `${tmp.dir}/logs.sqlite`, '-v']
  afterAll(tmp.cleanup)

  async function stderrOf(args: string[], env: NodeJS.ProcessEnv, stderrIsTTY: boolean): Promise<{ code: number; stderr: string }> {
    let stderr = ''
    const io: Io = { stdout: () => {}, stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY, env: { NO_COLOR: '1', ...env }, cwd: tmp.dir }
    return { code: await runCli(args, io), stderr }
  }
  const isJsonLines = (s: string) =>
    s
      .trim()
      .split('\n')
      .every((l) => l.startsWith('{') && JSON.parse(l))

  it('JSON when stderr is not a terminal, readable on a terminal; --pretty, --no-pretty and STANCEWATCH_LOG_FORMAT override', async () => {
    // A fresh database logs "database migrated" at info: one line to look at for every case.
    const cases: [string[], NodeJS.ProcessEnv, boolean, 'json' | 'pretty'][] = [
      [[], {}, false, 'json'],
      [[], {}, true, 'pretty'],
      [['--pretty'], {}, false, 'pretty'],
      [['--no-pretty'], {}, true, 'json'],
      [[], { STANCEWATCH_LOG_FORMAT: 'json' }, true, 'json'],
      [[], { STANCEWATCH_LOG_FORMAT: 'pretty' }, false, 'pretty'],
      [['--no-pretty'], { STANCEWATCH_LOG_FORMAT: 'pretty' }, false, 'json'],
    ]
    for (const [i, [flags, env, tty, want]] of cases.entries()) {
      const r = await stderrOf(['--config', CONFIG, '--db', `${tmp.dir}/logs-${i}.sqlite`, '-v', ...flags, 'retag', '--json'], env, tty)
      const what = `${flags.join(' ')} ${JSON.stringify(env)} tty=${tty}`
      expect(r.code, what).toBe(0)
      expect(r.stderr, what).toContain('database migrated')
      expect(isJsonLines(r.stderr), `${what}: ${r.stderr}`).toBe(want === 'json')
    }
  })

  it('an unknown STANCEWATCH_LOG_FORMAT is a configuration error (exit 2) naming the variable', async () => {
    const r = await stderrOf([...base, 'status'], { STANCEWATCH_LOG_FORMAT: 'xml' }, false)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('STANCEWATCH_LOG_FORMAT')
  })
})
