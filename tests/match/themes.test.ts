import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig, parseConfigText } from '../../src/config/load.js'
import type { TopicConfig } from '../../src/config/schema.js'
import { ConfigError } from '../../src/domain/errors.js'
import type { Post } from '../../src/domain/post.js'
import { canonicalLinks, compileTopics, matchPost, themesOfText } from '../../src/match/matcher.js'
import { tempDir, writeTestConfig } from '../helpers.js'
import { makePost } from '../post.js'

const { config } = loadConfig(fileURLToPath(new URL('../../config/stancewatch.yaml', import.meta.url)))
const topics = compileTopics(config.topics)
const TOPIC = 'china-ai-fund'

const post = (text: string, over: Partial<Post> = {}): Post => makePost({ ...over, text })

/** The themes matchPost records for the topic, or null when the post is not on it. */
function matchedThemes(text: string, over: Partial<Post> = {}): string[] | null {
  const p = post(text, over)
  return matchPost(p, canonicalLinks(p), topics).find((m) => m.topicId === TOPIC)?.themes ?? null
}

/** The themes of the topic a text mentions, whether or not it is on the topic. */
const themesOf = (text: string) => themesOfText(text, topics).get(TOPIC)

describe('the shipped themes', () => {
  it('are the eight sub-themes of the article, in config order', () => {
    expect(config.topics[0]!.themes.map((t) => t.id)).toEqual([
      'fund',
      'chips',
      'open-models',
      'talent',
      'regulation',
      'energy',
      'data-labour',
      'state-vs-market',
    ])
  })

  it.each(config.topics[0]!.themes.map((t) => [t.id, t] as const))(
    '%s has Latin-script terms (English, French) and CJK ones (Chinese, Japanese)',
    (_, theme) => {
      expect(theme.any.filter((t) => /^[^\u3040-\u30ff\u4e00-\u9fff]*$/.test(t)).length).toBeGreaterThan(5)
      expect(theme.any.filter((t) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(t)).length).toBeGreaterThan(5)
    },
  )
})

describe('themes per language, on posts matched to the topic', () => {
  it.each<[string, string[]]>([
    // English
    ["China's $8.5bn state AI fund backs 400 start-ups", ['fund']],
    ['Nvidia can sell H20 chips to China again', ['chips']],
    ['DeepSeek and Qwen show how strong Chinese open-weight models are', ['open-models']],
    ['Inside the data labelling hubs of Guizhou', ['data-labour']],
    ["Beijing's industrial policy is now aimed at AI start-ups", ['state-vs-market']],
    ["China's AI talent race: returnees from the Bay Area", ['talent']],
    ["China's AI data centres need more electricity than Spain", ['energy']],
    ['Censorship baked into Qwen and other Chinese open-weight models', ['open-models', 'regulation']],
    // Chinese
    ['国家AI基金投资了很多人工智能初创企业', ['fund']],
    ['英伟达H20对中国禁售，国产芯片加油', ['chips']],
    ['国产大模型遥遥领先，海归人才功不可没', ['open-models', 'talent']],
    ['数据标注村的年轻人', ['data-labour']],
    ['一窝蜂搞大模型和算力中心', ['energy']],
    ['H20说放行就放行，出口管制成了谈判筹码', ['chips', 'regulation']],
    ['人工智能产业政策就是补贴', ['state-vs-market']],
    // French
    ["Le fonds d'État chinois finance des start-up d'IA", ['fund']],
    ['Les modèles ouverts chinois rattrapent leur retard', ['open-models']],
    ["L'étiquetage des données, un métier invisible", ['data-labour']],
    ['Nvidia et les puces H20 vendues à la Chine', ['chips']],
    ["Le vivier de talents de l'IA chinoise est énorme", ['talent']],
    ["Les data centers de l'IA chinoise tournent au charbon", ['energy']],
    ['Le contrôle des exportations de puces vers la Chine', ['chips', 'regulation']],
    ["Les subventions chinoises à l'IA faussent la concurrence", ['state-vs-market']],
    // Japanese
    ['ディープシークの新モデルが話題', ['open-models']],
    ['データラベリングの現場を取材', ['data-labour']],
    ['エヌビディアのH20、中国への輸出規制', ['chips', 'regulation']],
    ['中国のAI人材、帰国組も国内組もレベル高い。国家ファンドが後押し', ['fund', 'talent']],
    ['中国の補助金漬けスタートアップ', ['state-vs-market']],
    ['中国のAIデータセンターの電力消費', ['energy']],
    ['中国製AIのアノテーション作業', ['data-labour']],
  ])('%s → %j', (text, expected) => {
    expect(matchedThemes(text)).toEqual(expected)
  })

  it('a post with two themes gets both, in config order', () => {
    expect(matchedThemes('DeepSeek hired returnees and fresh graduates for its open-weight models')).toEqual(['open-models', 'talent'])
    expect(matchedThemes("China's state AI fund: subsidies for 400 start-ups, data centres burning coal")).toEqual(['fund', 'energy', 'state-vs-market'])
  })

  it('a post on the topic that mentions no theme gets none', () => {
    expect(matchedThemes('worth reading', { links: ['https://www.nytimes.com/2025/07/16/technology/china-ai.html'] })).toEqual([])
  })

  it('a link to the article alone does not tag; its text does', () => {
    expect(matchedThemes('the subsidies will never stop', { links: ['https://www.nytimes.com/2025/07/16/technology/china-ai.html'] })).toEqual([
      'state-vs-market',
    ])
  })

  it('themes never bring a post into the topic', () => {
    expect(themesOf('Electricity prices are up again this summer')).toEqual(['energy'])
    expect(matchedThemes('Electricity prices are up again this summer')).toBeNull()
  })
})

describe('term semantics are those of keyword rules', () => {
  it('a Latin term inside a longer word does not match', () => {
    expect(themesOf('We refunded the fundamentals class')).toEqual([])
    expect(themesOf('A chipper mood at the powerplant')).toEqual([])
    expect(themesOf('Labelled jars in the regulationist pantry')).toEqual([])
    // "energy" is not in "synergy", "talent" not in "talented"
    expect(themesOf('What synergy! So talented.')).toEqual([])
  })

  it('a version number after a term is part of it: Qwen3 and DeepSeek-V3 are open models', () => {
    expect(themesOf('Qwen3 beats everything')).toEqual(['open-models'])
    expect(themesOf('DeepSeek-V3 weights')).toEqual(['open-models'])
    expect(themesOf('H200s in stock')).toEqual([])
  })

  it('Chinese and Japanese terms match inside longer runs', () => {
    expect(themesOf('地方引导基金')).toEqual(['fund'])
    expect(themesOf('中国の半導体規制強化')).toEqual(['chips', 'regulation'])
  })

  it('hyphens and spaces are the same; case, accents and full-width forms are ignored', () => {
    expect(themesOf('open weight models')).toEqual(['open-models'])
    expect(themesOf('open-weight models')).toEqual(['open-models'])
    expect(themesOf('DATA–LABELLING villages')).toEqual(['data-labour'])
    expect(themesOf('la reglementation europeenne')).toEqual(['regulation'])
    expect(themesOf('ＮＶＩＤＩＡ')).toEqual(['chips'])
  })

  it('with and not work as in keyword rules', () => {
    const base = config.topics[0]!
    const topic: TopicConfig = {
      ...base,
      id: 'custom',
      themes: [
        { id: 'cards', name: 'Cards', any: ['cards'], with: ['GPU', 'Nvidia'] },
        { id: 'power', name: 'Power', any: ['power'], not: ['soft power', 'superpower'] },
      ],
    }
    const [compiled] = compileTopics([topic])
    const themes = (text: string) => themesOfText(text, [compiled!]).get('custom')
    expect(themes('Nvidia cards for the lab')).toEqual(['cards'])
    expect(themes('birthday cards')).toEqual([])
    expect(themes('power demand from AI')).toEqual(['power'])
    expect(themes('China’s soft power and its power demand')).toEqual([])
  })

  it('topics without themes are left out of themesOfText, and every match carries themes', () => {
    const [compiled] = compileTopics([{ ...config.topics[0]!, themes: [] }])
    expect(themesOfText('subsidies', [compiled!]).size).toBe(0)
    const p = post('The state AI fund backs 400 start-ups in China')
    expect(matchPost(p, [], [compiled!])).toEqual([{ topicId: TOPIC, rules: ['keyword:fund-en'], themes: [] }])
  })
})

describe('theme configuration', () => {
  const tmp = tempDir('stancewatch-themes-')
  afterAll(tmp.cleanup)

  it('defaults to no themes', () => {
    const file = writeTestConfig(tmp.dir, (c) => delete c.topics[0].themes, 'no-themes.yaml')
    expect(loadConfig(file).config.topics[0]!.themes).toEqual([])
  })

  it('a theme id used twice is reported with the key and a fix', () => {
    const file = writeTestConfig(tmp.dir, (c) => (c.topics[0].themes[1].id = 'fund'), 'dup.yaml')
    let error: unknown
    try {
      loadConfig(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      key: 'topics[0].themes[1].id',
      message: 'theme id "fund" is used twice in topic "china-ai-fund"',
      fix: expect.stringContaining('give every theme its own id'),
    })
  })

  it('is strict: an unknown key, an empty `any` or a bad id is a problem', () => {
    const text = (theme: string) => `
timezone: UTC
topics:
  - id: t
    name: T
    keywords: [{ id: k, any: [x] }]
    themes: [${theme}]
    stance: { labels: [{ id: a, name: A, definition: a }, { id: b, name: B, definition: b }], seeds: s.jsonl }
schedules: { collect: "* * * * *", classify: "* * * * *", alerts: "* * * * *", digest: "* * * * *" }
alerts: { volume_spike: { window_hours: 3, baseline_days: 14, min_posts: 15, sensitivity: 4, min_ratio: 2.5, cooldown_hours: 12 } }
digest: { out_dir: d }
`
    const keys = (theme: string) => {
      try {
        parseConfigText(text(theme), 'test.yaml', tmp.dir)
        return []
      } catch (e) {
        return (e as ConfigError).problems.map((p) => p.key).filter((k) => k.includes('themes'))
      }
    }
    expect(keys('{ id: ok, name: OK, any: [x] }')).toEqual([])
    expect(keys('{ id: ok, name: OK, any: [x], anny: [y] }')).toEqual(['topics[0].themes[0].anny'])
    expect(keys('{ id: ok, name: OK, any: [] }')).toEqual(['topics[0].themes[0].any'])
    expect(keys('{ id: Not OK, name: OK, any: [x] }')).toEqual(['topics[0].themes[0].id'])
  })
})
