import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ENV_DEFAULTS, loadDotEnv, readEnv } from '../../src/config/env.js'
import { loadConfig, parseConfigText } from '../../src/config/load.js'
import { ConfigError, type ConfigProblem } from '../../src/domain/errors.js'
import { CONFIG, cli, tempDir, writeTestConfig } from '../helpers.js'

/*
 * Every test starts from the shipped config text, breaks exactly one thing and checks the problem a person
 * would read: file, dotted key, line, message and a fix that says what to do.
 */

const SHIPPED = readFileSync(CONFIG, 'utf8')
const CONFIG_DIR = path.dirname(CONFIG)
const FILE = 'my-stancewatch.yaml'

/** Replace one exact piece of the shipped text; fail loudly if the shipped config no longer has it. */
function broken(find: string | RegExp, replace: string, text = SHIPPED): string {
  const out = text.replace(find, replace)
  if (out === text) throw new Error(`test setup: ${String(find)} not found in the shipped config`)
  return out
}

/** 1-based line of the first line containing `needle` (after `after`, when given). */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n')
  const i = lines.findIndex((l, n) => n + 1 > after && l.includes(needle))
  if (i < 0) throw new Error(`test setup: ${needle} not in text`)
  return i + 1
}

function problemsOf(text: string, dir = CONFIG_DIR): ConfigProblem[] {
  try {
    parseConfigText(text, FILE, dir)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as ConfigError).problems
  }
  throw new Error('expected a ConfigError, but the config was accepted')
}

function onlyProblem(text: string, dir = CONFIG_DIR): ConfigProblem {
  const problems = problemsOf(text, dir)
  expect(problems, JSON.stringify(problems, null, 2)).toHaveLength(1)
  return problems[0]!
}

describe('the shipped config', () => {
  it('is valid, with seeds resolved relative to the config file and the result frozen', () => {
    const { config, file, dir } = parseConfigText(SHIPPED, FILE, CONFIG_DIR)
    expect(file).toBe(FILE)
    expect(dir).toBe(CONFIG_DIR)
    expect(config.timezone).toBe('America/New_York')
    expect(config.topics[0]!.stance.seeds).toBe(path.join(CONFIG_DIR, 'seeds/china-ai-fund.jsonl'))
    expect(Object.isFrozen(config.topics[0]!.stance.labels)).toBe(true)
  })

  it('loads through loadConfig from disk', () => {
    const loaded = loadConfig(CONFIG)
    expect(loaded.file).toBe(CONFIG)
    expect(loaded.config.topics.map((t) => t.id)).toEqual(['china-ai-fund'])
  })
})

describe('config problems', () => {
  it('YAML syntax error: reported as (syntax) with the line it is on', () => {
    const text = broken('  collect: "*/15 * * * *"', '  collect: "*/15 * * * *')
    const p = problemsOf(text)[0]!
    expect(p.file).toBe(FILE)
    expect(p.key).toBe('(syntax)')
    expect(p.message).toMatch(/^YAML syntax error: .*quote/i)
    expect(p.fix).toMatch(/indentation, colons and quotes/)
    // The unterminated quote starts on the `collect:` line.
    expect(p.line).toBe(lineOf(text, '  collect: "*/15'))
  })

  it('YAML syntax error in a compact mapping: line of the broken mapping', () => {
    const text = broken(/ {4}window_hours: 3 .*\n/, '    window_hours: 3: 4\n')
    const p = problemsOf(text)[0]!
    expect(p.key).toBe('(syntax)')
    expect(p.line).toBe(lineOf(text, 'window_hours: 3: 4'))
  })

  it('duplicate mapping key is a syntax problem with its line', () => {
    const text = broken('  top_posts: 3', '  top_posts: 3\n  top_posts: 4')
    const p = onlyProblem(text)
    expect(p.key).toBe('(syntax)')
    expect(p.message).toMatch(/unique/)
    expect(p.line).toBe(lineOf(text, 'top_posts: 4'))
  })

  it('unknown (misspelt) key: names the key path, its line and lists the allowed keys', () => {
    const text = broken('      min_confidence: 0.45', '      min_confidense: 0.45')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].stance.min_confidense',
      line: lineOf(text, 'min_confidense'),
      message: 'unknown key `min_confidense`',
      fix: 'remove it or correct its spelling; allowed here: labels, seeds, min_confidence, exemplar_confidence, min_cv_macro_f1, people_label_weight, retrain_after_labels',
    })
  })

  it('unknown key at the top level lists the top-level keys', () => {
    const text = broken('timezone: America/New_York', 'timezone: America/New_York\ntimezon: UTC')
    const p = onlyProblem(text)
    expect(p.key).toBe('timezon')
    expect(p.line).toBe(lineOf(text, 'timezon: UTC'))
    expect(p.fix).toBe('remove it or correct its spelling; allowed here: timezone, topics, schedules, sources, alerts, digest, notify, daemon')
  })

  it('unknown key holding a block: the line is the line of the misspelt key itself', () => {
    const text = broken('    accounts:\n', '    acounts:\n')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].acounts')
    expect(p.fix).toBe(
      'remove it or correct its spelling; allowed here: id, name, articles, hashtags, keywords, themes, accounts, queries, budget, stance, assistant',
    )
    expect(p.line).toBe(lineOf(text, '    acounts:'))
  })

  it('unknown key inside a keyword rule lists that rule’s keys (and the key it replaced is missing)', () => {
    const text = broken(/( {6}- id: data-labour-en\n {8}lang: en\n {8})any:/, '$1anny:')
    const problems = problemsOf(text)
    expect(problems.map((p) => p.key).sort()).toEqual(['topics[0].keywords[4].anny', 'topics[0].keywords[4].any'])
    const unknown = problems.find((p) => p.key.endsWith('anny'))!
    expect(unknown.line).toBe(lineOf(text, 'anny:'))
    expect(unknown.fix).toBe('remove it or correct its spelling; allowed here: id, lang, any, with, not')
  })

  it('missing required key: reported at its parent with what to add', () => {
    const text = broken(/ {8}- id: praise\n {10}name: .*\n/, '        - id: praise\n')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].stance.labels[1].name',
      line: lineOf(text, '- id: praise'),
      message: 'is missing (expected string)',
      fix: 'add `name` with a string',
    })
  })

  it('missing required section', () => {
    const text = broken(/schedules:\n( {2}.*\n)+/, '')
    const p = onlyProblem(text)
    expect(p.key).toBe('schedules')
    expect(p.message).toBe('is missing (expected object)')
    expect(p.fix).toBe('add `schedules` with a mapping (key: value lines)')
  })

  it('wrong type (a word where a number belongs): says what it got, not that it is missing', () => {
    const text = broken(/ {4}window_hours: 3 /, '    window_hours: three ')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'alerts.volume_spike.window_hours',
      line: lineOf(text, 'window_hours: three'),
      message: 'should be number, got string "three"',
      fix: 'change it to a number',
    })
  })

  it('wrong type (a quoted number)', () => {
    const text = broken(/ {4}min_posts: 15 /, '    min_posts: "15" ')
    const p = onlyProblem(text)
    expect(p.key).toBe('alerts.volume_spike.min_posts')
    expect(p.message).toBe('should be number, got string "15"')
  })

  it('wrong type (an empty value) is described as empty, not missing', () => {
    const text = broken(/ {2}out_dir: \.\.\/digests.*/, '  out_dir:')
    const p = onlyProblem(text)
    expect(p.key).toBe('digest.out_dir')
    expect(p.line).toBe(lineOf(text, '  out_dir:'))
    expect(p.message).toBe('should be string, got null (an empty value)')
  })

  it('wrong type (a mapping where a list belongs)', () => {
    const text = broken('  formats: [md, html, json]', '  formats:\n    md: true')
    const p = onlyProblem(text)
    expect(p.key).toBe('digest.formats')
    expect(p.message).toBe('should be list, got a mapping')
    expect(p.fix).toBe('change it to a list')
  })

  it('empty list', () => {
    const text = broken('  formats: [md, html, json]', '  formats: []')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'digest.formats',
      line: lineOf(text, 'formats: []'),
      message: 'needs at least 1 item',
      fix: 'list at least 1 entry',
    })
  })

  it('empty list inside a keyword rule', () => {
    const text = broken(/ {8}any: \[数据标注.*\]/, '        any: []')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].keywords[10].any')
    expect(p.line).toBe(lineOf(text, '        any: []'))
    expect(p.message).toBe('needs at least 1 item')
  })

  it('too few stance labels', () => {
    const text = broken(/ {8}- id: praise\n.*\n.*\n {8}- id: neutral\n.*\n.*\n/, '')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].stance.labels')
    expect(p.message).toBe('needs at least 2 items')
    expect(p.fix).toBe('list at least 2 entries')
  })

  it('invalid enum value: names the value and lists the allowed ones', () => {
    const text = broken('  formats: [md, html, json]', '  formats: [md, pdf]')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'digest.formats[1]',
      line: lineOf(text, 'formats: [md, pdf]'),
      message: 'is "pdf", which is not allowed',
      fix: 'use one of: md, html, json',
    })
  })

  it('invalid enum value in a keyword rule language', () => {
    const text = broken(/ {8}lang: zh\n {8}any: \[H20/, '        lang: de\n        any: [H20')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].keywords[7].lang')
    expect(p.line).toBe(lineOf(text, 'lang: de'))
    expect(p.message).toBe('is "de", which is not allowed')
    expect(p.fix).toBe('use one of: en, zh, fr, ja')
  })

  it('invalid URL (no scheme)', () => {
    const text = broken('      - https://www.nytimes.com/2025/07/16/technology/china-ai.html', '      - www.nytimes.com/2025/07/16/technology/china-ai.html')
    const p = onlyProblem(text)
    expect(p).toMatchObject({ file: FILE, key: 'topics[0].articles[0]', line: lineOf(text, '- www.nytimes.com') })
    expect(p.message).toMatch(/^is not valid: /)
    expect(p.fix).toBe('write a full http(s) URL, e.g. https://www.example.com/2025/07/16/article.html')
  })

  it('invalid URL (not http or https)', () => {
    const text = broken('      - https://www.nytimes.com/2025/07/16/technology/china-ai.html', '      - ftp://www.nytimes.com/a.html')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].articles[0]')
    expect(p.fix).toMatch(/http\(s\) URL/)
  })

  it('bad id format on a stance label', () => {
    const text = broken('        - id: praise', '        - id: Praise')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].stance.labels[1].id',
      line: lineOf(text, '- id: Praise'),
      message: 'is not valid: must be lower-case letters, digits, "-" or "_", starting with a letter or digit',
      fix: 'use lower-case letters, digits, "-" or "_" (e.g. china-ai-fund)',
    })
  })

  it('bad id format on a topic', () => {
    const text = broken('  - id: china-ai-fund', '  - id: China AI fund')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].id')
    expect(p.line).toBe(lineOf(text, '- id: China AI fund'))
    expect(p.fix).toMatch(/lower-case letters, digits/)
  })

  it('unknown time zone', () => {
    const text = broken('timezone: America/New_York', 'timezone: America/NewYork')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'timezone',
      line: lineOf(text, 'timezone: America/NewYork'),
      message: '"America/NewYork" is not a known IANA time zone',
      fix: 'use a name such as UTC, America/New_York, Europe/Paris or Asia/Shanghai',
    })
  })

  it('invalid cron expression', () => {
    const text = broken('  digest: "0 8 * * *"', '  digest: "0 25 * * *"')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'schedules.digest',
      line: lineOf(text, 'digest: "0 25'),
      message: '"0 25 * * *" is not a valid cron expression',
      fix: 'use five fields (minute hour day month weekday), e.g. "*/15 * * * *" or "0 8 * * *" (six fields put seconds first)',
    })
  })

  it('invalid cron expression (words)', () => {
    const text = broken('  alerts: "5 * * * *"', '  alerts: "hourly"')
    const p = onlyProblem(text)
    expect(p.key).toBe('schedules.alerts')
    expect(p.message).toContain('"hourly"')
  })

  it('duplicate topic id: the second one is reported', () => {
    const start = SHIPPED.indexOf('  - id: china-ai-fund')
    const end = SHIPPED.indexOf('# Cron expressions')
    expect(start).toBeGreaterThan(0)
    const topic = SHIPPED.slice(start, end)
    const text = SHIPPED.slice(0, end) + topic + SHIPPED.slice(end)
    const secondLine = lineOf(text, '  - id: china-ai-fund', lineOf(text, '  - id: china-ai-fund'))
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[1].id',
      line: secondLine,
      message: 'topic id "china-ai-fund" is used twice',
      fix: 'give every topic its own id',
    })
  })

  it('duplicate keyword rule id', () => {
    const text = broken('      - id: chips-en', '      - id: fund-en')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].keywords[1].id',
      line: lineOf(text, '- id: fund-en', lineOf(text, '- id: fund-en')),
      message: 'rule id "fund-en" is used twice in topic "china-ai-fund"',
      fix: 'give every keyword rule its own id (it is recorded with each match)',
    })
  })

  it('duplicate stance label', () => {
    const text = broken('        - id: neutral', '        - id: concern')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].stance.labels[2].id',
      line: lineOf(text, '- id: concern', lineOf(text, '- id: concern')),
      message: 'label "concern" is defined twice',
      fix: 'give every stance label its own id',
    })
  })

  it('reserved label `uncertain`', () => {
    const text = broken('        - id: neutral', '        - id: uncertain')
    const p = onlyProblem(text)
    expect(p.key).toBe('topics[0].stance.labels[2].id')
    expect(p.line).toBe(lineOf(text, '- id: uncertain'))
    expect(p.message).toBe('the label id "uncertain" is reserved for posts the model cannot decide')
    expect(p.fix).toBe('rename that label')
  })

  it('missing seeds file: names the resolved path', () => {
    const text = broken('seeds: seeds/china-ai-fund.jsonl', 'seeds: seeds/nope.jsonl')
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0].stance.seeds',
      line: lineOf(text, 'seeds: seeds/nope.jsonl'),
      message: `the seed label file ${path.join(CONFIG_DIR, 'seeds/nope.jsonl')} does not exist`,
      fix: 'point it at a JSONL file of {"text", "label"} lines, relative to the config file',
    })
  })

  it('seeds resolve relative to the config folder, not the working directory', () => {
    const { dir, cleanup } = tempDir()
    try {
      const p = onlyProblem(SHIPPED, dir)
      expect(p.key).toBe('topics[0].stance.seeds')
      expect(p.message).toContain(path.join(dir, 'seeds/china-ai-fund.jsonl'))
    } finally {
      cleanup()
    }
  })

  it('a topic with nothing to match', () => {
    let text = broken(/ {4}articles:\n {6}- \S+\n/, '')
    text = broken(/ {4}keywords:\n[\s\S]*?\n\n/, '\n', text)
    text = broken(/ {4}hashtags: \[.*\]\n/, '', text)
    text = broken(/ {6}x: \[nytimes.*\]\n {6}bluesky: \[.*\]\n/, '', text)
    expect(onlyProblem(text)).toEqual({
      file: FILE,
      key: 'topics[0]',
      line: lineOf(text, '  - id: china-ai-fund'),
      message: 'topic "china-ai-fund" has nothing to match posts with',
      fix: 'add at least one of articles, keywords, hashtags or accounts',
    })
  })

  it('several schema problems are reported at once', () => {
    let text = broken(/ {4}window_hours: 3 /, '    window_hours: 100 ')
    text = broken('  top_posts: 3', '  top_posts: 0', text)
    text = broken('        - id: praise', '        - id: Praise', text)
    const problems = problemsOf(text)
    expect(problems.map((p) => p.key).sort()).toEqual(['alerts.volume_spike.window_hours', 'digest.top_posts', 'topics[0].stance.labels[1].id'])
    const byKey = Object.fromEntries(problems.map((p) => [p.key, p]))
    expect(byKey['alerts.volume_spike.window_hours']).toMatchObject({
      message: 'is too large (at most 48)',
      fix: 'lower it to 48 or less',
      line: lineOf(text, 'window_hours: 100'),
    })
    expect(byKey['digest.top_posts']).toMatchObject({ message: 'is too small (at least 1)', fix: 'raise it to 1 or more', line: lineOf(text, 'top_posts: 0') })
  })

  it('several semantic problems are reported at once', () => {
    let text = broken('timezone: America/New_York', 'timezone: Mars/Olympus')
    text = broken('  digest: "0 8 * * *"', '  digest: "every day"', text)
    text = broken('        - id: neutral', '        - id: concern', text)
    const keys = problemsOf(text).map((p) => p.key)
    expect([...keys].sort()).toEqual(['schedules.digest', 'timezone', 'topics[0].stance.labels[2].id'])
  })

  it('schema and semantic problems are reported together, not in two rounds', () => {
    let text = broken('timezone: America/New_York', 'timezone: Mars/Olympus')
    text = broken('  top_posts: 3', '  top_posts: 0', text)
    const keys = problemsOf(text)
      .map((p) => p.key)
      .sort()
    expect(keys).toEqual(['digest.top_posts', 'timezone'])
  })

  it('the error message lists every problem as file:line: key: message. Fix: …', () => {
    const text = broken('timezone: America/New_York', 'timezone: Mars/Olympus')
    try {
      parseConfigText(text, FILE, CONFIG_DIR)
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toBe(
        `${FILE}:${lineOf(text, 'timezone:')}: timezone: "Mars/Olympus" is not a known IANA time zone. Fix: use a name such as UTC, America/New_York, Europe/Paris or Asia/Shanghai`,
      )
      expect((e as ConfigError).exitCode).toBe(2)
    }
  })

  it('an empty file reports each missing section', () => {
    const keys = problemsOf('').map((p) => p.key)
    expect(keys).toEqual(['timezone', 'topics', 'schedules', 'alerts', 'digest'])
  })

  it('a file that is a list, not a mapping', () => {
    const p = onlyProblem('- a\n- b\n')
    expect(p.key).toBe('(top level)')
    expect(p.message).toBe('should be mapping (key: value lines), got a list')
  })

  it('missing config file', () => {
    const { dir, cleanup } = tempDir()
    try {
      const file = path.join(dir, 'nope.yaml')
      let err: unknown
      try {
        loadConfig(file)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ConfigError)
      const problems = (err as ConfigError).problems
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ file, key: '(file)', message: 'the configuration file does not exist' })
      expect(problems[0]!.line).toBeUndefined()
      expect(problems[0]!.fix).toContain('STANCEWATCH_CONFIG / --config')
    } finally {
      cleanup()
    }
  })
})

describe('readEnv', () => {
  it('applies the defaults when nothing is set', () => {
    expect(readEnv({})).toEqual({
      dbPath: ENV_DEFAULTS.STANCEWATCH_DB,
      configPath: ENV_DEFAULTS.STANCEWATCH_CONFIG,
      logLevel: '',
      x: { bearerToken: null, baseUrl: 'https://api.x.com' },
      bluesky: { identifier: null, appPassword: null, service: 'https://bsky.social', publicApi: 'https://public.api.bsky.app' },
      jetstreamUrl: 'wss://jetstream2.us-east.bsky.network/subscribe',
      llm: { baseUrl: null, apiKey: null },
    })
  })

  it('treats blank values as unset and trims the rest', () => {
    const env = readEnv({ STANCEWATCH_DB: '   ', X_BEARER_TOKEN: '  tok  ', BSKY_SERVICE: '' })
    expect(env.dbPath).toBe(ENV_DEFAULTS.STANCEWATCH_DB)
    expect(env.x.bearerToken).toBe('tok')
    expect(env.bluesky.service).toBe('https://bsky.social')
  })

  it('reads set values, strips trailing slashes and prefers STANCEWATCH_LOG_LEVEL', () => {
    const env = readEnv({
      STANCEWATCH_DB: '/data/sw.sqlite',
      STANCEWATCH_CONFIG: '/etc/sw.yaml',
      X_API_BASE_URL: 'http://127.0.0.1:8080/',
      JETSTREAM_URL: 'ws://localhost:6008/subscribe',
      STANCEWATCH_LOG_LEVEL: 'debug',
      LOG_LEVEL: 'error',
      BSKY_IDENTIFIER: 'me.bsky.social',
      BSKY_APP_PASSWORD: 'abcd-efgh',
    })
    expect(env.dbPath).toBe('/data/sw.sqlite')
    expect(env.configPath).toBe('/etc/sw.yaml')
    expect(env.x.baseUrl).toBe('http://127.0.0.1:8080')
    expect(env.jetstreamUrl).toBe('ws://localhost:6008/subscribe')
    expect(env.logLevel).toBe('debug')
    expect(env.bluesky).toMatchObject({ identifier: 'me.bsky.social', appPassword: 'abcd-efgh' })
    expect(readEnv({ LOG_LEVEL: 'error' }).logLevel).toBe('error')
  })

  it('a bad URL produces a ConfigError naming the variable', () => {
    let err: unknown
    try {
      readEnv({ X_API_BASE_URL: 'api.x.com' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([
      {
        file: 'environment',
        key: 'X_API_BASE_URL',
        message: '"api.x.com" is not a http: or https: URL',
        fix: 'set X_API_BASE_URL to a full URL such as https://api.x.com, or unset it to use that default',
      },
    ])
    expect((err as Error).message).toContain('environment: X_API_BASE_URL:')
  })

  it('a URL with the wrong scheme is refused, and every bad variable is listed', () => {
    let err: unknown
    try {
      readEnv({ JETSTREAM_URL: 'https://jetstream.example/subscribe', BSKY_PUBLIC_API: 'ftp://x', BSKY_SERVICE: 'https://ok.example' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems
    expect(problems.map((p) => p.key).sort()).toEqual(['BSKY_PUBLIC_API', 'JETSTREAM_URL'])
    const jet = problems.find((p) => p.key === 'JETSTREAM_URL')!
    expect(jet.message).toBe('"https://jetstream.example/subscribe" is not a ws: or wss: URL')
    expect(jet.fix).toContain(ENV_DEFAULTS.JETSTREAM_URL)
  })
})

describe('loadDotEnv', () => {
  let cleanup: (() => void) | null = null
  afterEach(() => {
    cleanup?.()
    cleanup = null
  })

  it('fills unset variables from .env but never overrides the real environment', () => {
    const t = tempDir()
    cleanup = t.cleanup
    writeFileSync(path.join(t.dir, '.env'), 'X_BEARER_TOKEN=from-file\nSTANCEWATCH_DB=file.sqlite\n# comment\nBSKY_IDENTIFIER="quoted.bsky.social"\n')
    const target: NodeJS.ProcessEnv = { STANCEWATCH_DB: 'real.sqlite' }
    expect(loadDotEnv(target, t.dir)).toBe(path.join(t.dir, '.env'))
    expect(target).toEqual({ STANCEWATCH_DB: 'real.sqlite', X_BEARER_TOKEN: 'from-file', BSKY_IDENTIFIER: 'quoted.bsky.social' })
  })

  it('without a .env file does nothing', () => {
    const t = tempDir()
    cleanup = t.cleanup
    const target: NodeJS.ProcessEnv = { A: '1' }
    expect(loadDotEnv(target, t.dir)).toBeNull()
    expect(target).toEqual({ A: '1' })
  })
})

describe('stancewatch config check', () => {
  let cleanup: (() => void) | null = null
  afterEach(() => {
    cleanup?.()
    cleanup = null
  })

  function badConfigFile(): { file: string; line: number } {
    const t = tempDir()
    cleanup = t.cleanup
    const file = path.join(t.dir, 'bad.yaml')
    // Seeds as an absolute path, so the only problem is the misspelt key.
    const text = broken(
      'seeds: seeds/china-ai-fund.jsonl',
      `seeds: ${path.join(CONFIG_DIR, 'seeds/china-ai-fund.jsonl')}`,
      broken('      min_confidence: 0.45', '      min_confidense: 0.45'),
    )
    writeFileSync(file, text)
    return { file, line: lineOf(text, 'min_confidense') }
  }

  it('exits 2 and names file, line, key and fix on stderr', async () => {
    const { file, line } = badConfigFile()
    const r = await cli(['--config', file, 'config', 'check'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`${file}:${line}: topics[0].stance.min_confidense: unknown key`)
    expect(r.stderr).toContain(
      'Fix: remove it or correct its spelling; allowed here: labels, seeds, min_confidence, exemplar_confidence, min_cv_macro_f1, people_label_weight, retrain_after_labels',
    )
  })

  it('with --json prints exactly one JSON document carrying the problems', async () => {
    const { file, line } = badConfigFile()
    const r = await cli(['--config', file, 'config', 'check', '--json'])
    expect(r.code).toBe(2)
    const doc = JSON.parse(r.stdout) as { error: { kind: string; problems: ConfigProblem[] } }
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(doc.error.kind).toBe('ConfigError')
    expect(doc.error.problems).toEqual([
      {
        file,
        key: 'topics[0].stance.min_confidense',
        line,
        message: 'unknown key `min_confidense`',
        fix: 'remove it or correct its spelling; allowed here: labels, seeds, min_confidence, exemplar_confidence, min_cv_macro_f1, people_label_weight, retrain_after_labels',
      },
    ])
  })

  it('a missing file exits 2 with one JSON document', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const file = path.join(t.dir, 'missing.yaml')
    const r = await cli(['--config', file, 'config', 'check', '--json'])
    expect(r.code).toBe(2)
    const doc = JSON.parse(r.stdout) as { error: { problems: ConfigProblem[] } }
    expect(doc.error.problems[0]).toMatchObject({ file, key: '(file)' })
  })

  it('a bad environment URL exits 2 naming the variable', async () => {
    const r = await cli(['--config', CONFIG, 'config', 'check'], { BSKY_SERVICE: 'bsky.social' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('environment: BSKY_SERVICE:')
  })

  it('warns (exit 0) about an enabled source without credentials, and fails (exit 2) when no enabled source can run', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const config = (sources: Record<string, unknown>, name: string) => writeTestConfig(t.dir, (c) => void (c.sources = { ...c.sources, ...sources }), name)
    const some = await cli(['--config', config({ enabled: ['jetstream', 'x'] }, 'some.yaml'), 'config', 'check', '--json'])
    expect(some.code).toBe(0)
    expect(JSON.parse(some.stdout).warnings).toEqual(['source x is enabled but will be skipped: X_BEARER_TOKEN is not set'])
    const human = await cli(['--config', config({ enabled: ['jetstream', 'x'] }, 'some.yaml'), 'config', 'check'])
    expect(human.stdout).toContain('warning: source x is enabled but will be skipped: X_BEARER_TOKEN is not set')

    const none = await cli(['--config', config({ enabled: ['x', 'bluesky'] }, 'none.yaml'), 'config', 'check'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(
      /sources\.enabled: none of the enabled sources can run here \(x: X_BEARER_TOKEN is not set; bluesky: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set\)\. Fix: /,
    )
    // With credentials, the same file passes.
    expect((await cli(['--config', config({ enabled: ['x', 'bluesky'] }, 'none.yaml'), 'config', 'check'], { X_BEARER_TOKEN: 'token-1234567890' })).code).toBe(
      0,
    )

    const replay = await cli(['--config', config({ enabled: ['jetstream', 'replay'], replay_files: ['gone.jsonl'] }, 'replay.yaml'), 'config', 'check'])
    expect(replay.code).toBe(2)
    expect(replay.stderr).toContain(`sources.replay_files[0]: the archive ${path.join(t.dir, 'gone.jsonl')} does not exist`)
    const empty = await cli(['--config', config({ enabled: [] }, 'empty.yaml'), 'config', 'check'])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('no source is enabled')

    writeFileSync(path.join(t.dir, 'a-file'), 'x')
    const unwritable = writeTestConfig(t.dir, (c) => void (c.digest.out_dir = path.join(t.dir, 'a-file', 'digests')), 'unwritable.yaml')
    const out = await cli(['--config', unwritable, 'config', 'check'])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('digest.out_dir:')
  })

  it('resolves output and input paths against the config file, not the current folder', () => {
    const t = tempDir()
    cleanup = t.cleanup
    const dir = path.join(t.dir, 'etc')
    mkdirSync(dir)
    const file = writeTestConfig(dir, (c) => {
      c.digest.out_dir = 'digests'
      c.sources.archive_dir = '../archive'
      c.sources.replay_files = ['in.jsonl']
    })
    const { config } = loadConfig(path.relative(process.cwd(), file))
    expect(config.digest.out_dir).toBe(path.join(dir, 'digests'))
    expect(config.sources.archive_dir).toBe(path.join(t.dir, 'archive'))
    expect(config.sources.replay_files).toEqual([path.join(dir, 'in.jsonl')])
  })

  it('the shipped config passes, with one JSON document on stdout', async () => {
    const r = await cli(['--config', CONFIG, 'config', 'check', '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout) as { ok: boolean; timezone: string; topics: { id: string; labels: string[] }[] }
    expect(doc).toMatchObject({ ok: true, timezone: 'America/New_York', topics: [{ id: 'china-ai-fund', labels: ['concern', 'praise', 'neutral'] }] })
  })
})
