import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { Post } from '../../src/domain/post.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { loadPayload, postById } from '../normalize/fixtures.js'
import { makePost, type PostInput } from '../post.js'

const { config } = loadConfig(fileURLToPath(new URL('../../config/stancewatch.yaml', import.meta.url)))
const topics = compileTopics(config.topics)
const TOPIC = 'china-ai-fund'
const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'

const post = (text: string, over: PostInput = {}): Post => makePost({ ...over, text })

/** The rule ids recorded for the china-ai-fund topic, or [] when the post does not belong to it. */
function rules(p: Post): string[] {
  return matchPost(p, canonicalLinks(p), topics).find((m) => m.topicId === TOPIC)?.rules ?? []
}
const rulesFor = (text: string, over: PostInput = {}) => rules(post(text, over))

const NYT_X = { author: { id: '807095', handle: 'nytimes' } }

describe('the shipped config', () => {
  it('compiles to the one china-ai-fund topic with its article', () => {
    expect(topics.map((t) => t.id)).toEqual([TOPIC])
    expect([...topics[0]!.articles]).toEqual([['https://nytimes.com/2025/07/16/technology/china-ai.html', 'article']])
  })
})

describe('article links', () => {
  it.each([
    [ARTICLE],
    [`${ARTICLE}?smid=tw-nytimes&smtyp=cur`],
    [`${ARTICLE}?unlocked_article_code=1.X08.Ab3d.Zq9Kp&smid=url-share`],
    [`${ARTICLE}?utm_source=twitter&fbclid=IwAR2x#commentsContainer`],
    ['http://m.nytimes.com/2025/07/16/technology/china-ai.html'],
    ['https://mobile.nytimes.com/2025/07/16/technology/china-ai.html'],
    ['https://www.nytimes.com/2025/07/16/technology/china-ai.amp.html'],
    ['https://www.google.com/amp/s/www.nytimes.com/2025/07/16/technology/china-ai.amp.html'],
    ['https://www-nytimes-com.cdn.ampproject.org/c/s/www.nytimes.com/2025/07/16/technology/china-ai.amp.html'],
  ])('matches a post linking %s with the `article` rule only', (link) => {
    expect(rulesFor('worth reading', { links: [link] })).toEqual(['article'])
  })

  it('records `article` once when a post carries several variants of the link', () => {
    expect(rulesFor('worth reading', { links: [ARTICLE, `${ARTICLE}?smid=url-share`, 'https://m.nytimes.com/2025/07/16/technology/china-ai.html'] })).toEqual([
      'article',
    ])
  })

  it('matches through the expanded URL the normalizer put in links when the text only has the t.co link', () => {
    expect(rulesFor('worth reading https://t.co/Xy12AbCdEf', { links: [`${ARTICLE}?smid=tw-share`] })).toEqual(['article'])
  })

  it('cannot match a bare t.co or nyti.ms link without its expansion', () => {
    expect(rulesFor('worth reading https://t.co/Xy12AbCdEf')).toEqual([])
    expect(rulesFor('worth reading', { links: ['https://nyti.ms/4lQz9Xa'] })).toEqual([])
  })

  it('matches an article URL written in the text itself, even glued to CJK punctuation', () => {
    expect(rulesFor(`worth reading ${ARTICLE}?smid=url-share`)).toEqual(['article'])
    expect(rulesFor(`值得一读${ARTICLE}。`)).toEqual(['article'])
  })

  it('does not match another NYT article', () => {
    expect(rulesFor('worth reading', { links: ['https://www.nytimes.com/2025/07/15/business/china-ev.html'] })).toEqual([])
  })

  it('matches the normalized X fixture posts that link the article in every variant (t.co expanded, unwound, note_tweet)', () => {
    const { posts } = normalizePayload(loadPayload('x-search-recent.json'))!
    for (const id of ['1945469007035965590', '1945501865212333958', '1945519074958099885', '1945529740558379095']) {
      expect(rules(postById(posts, id)), id).toContain('article')
    }
  })

  it('matches the normalized Bluesky fixture posts linking the article (facet, card, quote media card)', () => {
    const { posts } = normalizePayload(loadPayload('bluesky-search-posts.json'))!
    for (const rkey of ['3lu3izzjkv22b', '3lu3kymai6m2b', '3lu3yopaumk2b']) {
      expect(rules(posts.find((p) => p.platformId.endsWith(rkey))!), rkey).toContain('article')
    }
  })
})

describe('the language a platform claims', () => {
  it.each([
    ['DeepSeek R1 weights are out', 'fr'],
    ['DeepSeek R1 weights are out', null],
    ['国家AI基金投向人工智能初创企业', 'ja'],
    ['La Chine et ses subventions à l’IA', 'en'],
  ])('is ignored: %s tagged %s matches as tagged right', (text, lang) => {
    const right = rulesFor(text, { lang: /[\u4e00-\u9fff]/.test(text) ? 'zh' : text.startsWith('La') ? 'fr' : 'en' })
    expect(right.length).toBeGreaterThan(0)
    expect(rulesFor(text, { lang })).toEqual(right)
  })
})

describe('on-topic posts, per language, with the rules recorded', () => {
  it.each<[string, string[]]>([
    // English
    ['China is pouring $8.5bn into a state AI fund for start-ups', ['keyword:fund-en']],
    ['Nvidia can sell H20 chips to China again', ['keyword:chips-en']],
    ["Beijing's industrial policy is now aimed at AI start-ups", ['keyword:policy-en']],
    ['Inside the data labelling hubs of Guizhou', ['keyword:data-labour-en']],
    ['The NYT article on Beijing and its little giants', ['keyword:fund-en', 'keyword:article-en']],
    // Chinese
    ['国家AI基金投资了很多人工智能初创企业', ['keyword:fund-zh']],
    ['600亿的国家人工智能产业投资基金', ['keyword:fund-zh', 'keyword:policy-zh']],
    ['数据标注村的年轻人', ['keyword:data-labour-zh']],
    ['国产大模型遥遥领先', ['keyword:models-zh', 'keyword:policy-zh']],
    // French
    ["Le fonds d'État chinois finance des start-up d'IA", ['keyword:fund-fr', 'keyword:policy-fr']],
    ['Les modèles ouverts chinois rattrapent leur retard', ['keyword:models-fr']],
    ["L'étiquetage des données, un métier invisible", ['keyword:data-labour-fr']],
    // Japanese
    ['ディープシークの新モデルが話題', ['keyword:models-ja']],
    ['データラベリングの現場を取材', ['keyword:data-labour-ja']],
    ['中国の国家ファンドと小さな巨人', ['keyword:fund-ja', 'keyword:policy-ja']],
  ])('%s → %j', (text, expected) => {
    expect(rulesFor(text)).toEqual(expected)
  })

  it.each<[string, string]>([
    ['DeepSeek R1 is the best open model this year', 'keyword:models-en'],
    ['英伟达H20对中国禁售', 'keyword:chips-zh'],
    ['Nvidia et les puces H20 vendues à la Chine', 'keyword:chips-fr'],
    ['中国のAIファンドがスタートアップに投資', 'keyword:fund-ja'],
    ['エヌビディアのH20、中国への輸出規制', 'keyword:chips-ja'],
  ])('%s records %s (rules of other languages may match too: every rule runs on every post)', (text, rule) => {
    expect(rulesFor(text)).toContain(rule)
  })
})

describe('off-topic posts', () => {
  it.each([
    'Just got the new H20 scooter, it rides like water',
    'H20 boat race at the lake this weekend',
    'Drink more H20, stay hydrated lol',
    'The Little Giants are undefeated this football season',
    'Our school fund raised $500 for the robotics club',
    'Ohio state fund for road repairs approved',
    '今晚去吃小巨人火锅',
    '小巨人足球训练营开营了',
    '基金又跌了',
    '基金又跌了，这个月白干',
    'Mon assurance vie en fonds en euros rapporte peu cette année',
    '投資信託のファンドを買ってみた',
    'New Nvidia gaming GPU review: the RTX 5090 runs Cyberpunk at 4K',
    'Great thread, thanks',
  ])('%s → no match', (text) => {
    expect(rulesFor(text)).toEqual([])
  })
})

describe('word boundaries', () => {
  it('does not find "AI" inside "said"', () => {
    expect(rulesFor('Ohio’s state fund, she said, is generous')).toEqual([])
    expect(rulesFor('He said so on air', NYT_X)).toEqual([])
  })

  it.each(["J'ai lu l'article ce matin", 'J’ai lu l’article ce matin'])('does not find "AI" in French "j\'ai": %s', (text) => {
    expect(rulesFor(text, NYT_X)).toEqual([])
  })

  it('finds "AI" inside "国家AI基金" (a Latin term between CJK characters stands alone)', () => {
    // require_any of the watched account holds "AI"; nothing else in the text is a require_any term.
    expect(rulesFor('国家AI基金', NYT_X)).toContain('account:nytimes')
  })

  it('does not find "H20" inside a longer token', () => {
    expect(rulesFor('H200 and H2000 are not the H-twenty, China')).toEqual([])
  })
})

describe('hyphens, spaces, accents and full-width forms', () => {
  it.each(['data-labelling villages', 'data labelling villages', 'data  labelling villages', 'data–labelling villages', 'Data-Labelling villages'])(
    'a term written with a space matches %j',
    (text) => {
      expect(rulesFor(text)).toEqual(['keyword:data-labour-en'])
    },
  )

  it.each([
    ['A state-backed fund for Shenzhen start-ups', ['keyword:fund-en']],
    ['A state backed fund for Shenzhen start-ups', ['keyword:fund-en']],
    ['A state‐backed fund for Shenzhen start-ups', ['keyword:fund-en']], // U+2010 hyphen
  ])('a term written with a hyphen ("state-backed fund") matches %j', (text, expected) => {
    expect(rulesFor(text)).toEqual(expected)
  })

  it.each([
    ['ＤｅｅｐＳｅｅｋ model', 'keyword:models-en'],
    ['DEEPSEEK-R1 weights', 'keyword:models-en'],
    ['Les modeles ouverts chinois', 'keyword:models-fr'],
    ['Les modèles ouverts chinois', 'keyword:models-fr'],
    ['LES MODÈLES OUVERTS', 'keyword:models-fr'],
    ['ﾃﾞｨｰﾌﾟｼｰｸ', 'keyword:models-ja'],
  ])('folds case, accents and full-width forms: %s → %s', (text, rule) => {
    expect(rulesFor(text)).toContain(rule)
  })
})

describe('hashtags', () => {
  it.each([['DeepSeek'], ['deepseek'], ['ＤｅｅｐＳｅｅｋ']])('matches the hashtag entity %s case- and width-insensitively', (tag) => {
    expect(rulesFor('wow', { hashtags: [tag] })).toEqual(['hashtag:DeepSeek'])
  })

  it('matches a CJK hashtag entity', () => {
    expect(rulesFor('wow', { hashtags: ['中国AI'] })).toEqual(['hashtag:中国AI'])
  })

  it('matches a hashtag written in the text without an entity, including a full-width ＃', () => {
    expect(rulesFor('so true #ChinaAI')).toEqual(['hashtag:ChinaAI'])
    expect(rulesFor('so true ＃ChinaAI')).toEqual(['hashtag:ChinaAI'])
  })

  it('records a hashtag once when it is both an entity and in the text', () => {
    expect(rulesFor('so true #ChinaAI', { hashtags: ['ChinaAI'] })).toEqual(['hashtag:ChinaAI'])
  })

  it('does not take #DeepSeekR1 for #DeepSeek', () => {
    expect(rulesFor('I like #DeepSeekR1')).not.toContain('hashtag:DeepSeek')
  })

  it('records #中国AI基金 in the text as itself, not as its prefix #中国AI', () => {
    const r = rulesFor('#中国AI基金')
    expect(r).toContain('hashtag:中国AI基金')
    expect(r).not.toContain('hashtag:中国AI')
  })
})

describe('watched accounts', () => {
  it('joins a watched X account post that contains a require_any term', () => {
    expect(rulesFor('Read our story on China', NYT_X)).toEqual(['account:nytimes'])
  })

  it('does not join a watched account post without any require_any term', () => {
    expect(rulesFor('Weather update for New York City', NYT_X)).toEqual([])
  })

  it('matches the handle case-insensitively and records it as the post spells it', () => {
    expect(rulesFor('Read our story on China', { author: { id: '807095', handle: 'NYTimes' } })).toEqual(['account:NYTimes'])
  })

  it('matches a watched Bluesky handle on Bluesky only', () => {
    const author = { id: 'did:plc:6udxhphqiqpffrmg4rh5eweu', handle: 'nytimes.com' }
    expect(rulesFor('A story on Beijing', { platform: 'bluesky', author })).toEqual(['account:nytimes.com'])
    expect(rulesFor('A story on Beijing', { platform: 'x', author })).toEqual([])
  })

  it('does not join an unwatched account with the same text', () => {
    expect(rulesFor('Read our story on China')).toEqual([])
  })
})
