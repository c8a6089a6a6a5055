/**
 * Deterministic, realistic, lexicon-valid Bluesky posts for the test server (tests/servers/bluesky.ts).
 *
 * Posts spread over the days before `now`, in English, Chinese, French and Japanese, about two thirds of them on
 * the NYT China AI fund article (https://www.nytimes.com/2025/07/16/technology/china-ai.html), the rest off topic.
 * They carry link / tag / mention facets with UTF-8 byte offsets, external embeds (record + view), replies, quotes
 * (record + `app.bsky.embed.record#view`), varied counts, a few clock-skewed `createdAt` in the future of
 * `indexedAt` (sortAt is then indexedAt), a few mislabelled or missing `langs`, and groups of posts sharing the
 * exact same sortAt millisecond (to test paging backwards by `until` at a boundary).
 */
import type { AppBskyFeedPost } from '@atproto/api'
import type { BskyPost } from './bluesky.js'
import { cidFor, didPlc, tid } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'

export const ARTICLE_URL = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
/** A share variant of the article URL (same article, tracking parameters). */
export const ARTICLE_SHARE_URL = `${ARTICLE_URL}?smid=nytcore-ios-share&referringSource=articleShare`
/** Display text the app puts in `text` for the article link (the full URL is in the facet). */
const ARTICLE_DISPLAY = 'nytimes.com/2025/07/16/tech...'
/** Fixture title and description for external embeds (written for the tests, not the real headline). */
const ARTICLE_TITLE = "China's State AI Fund Bets on Start-Ups to Close the Gap"
const ARTICLE_DESC = 'Beijing is steering 60 billion yuan ($8.5 billion) into young AI companies, from chips to models.'

type Lang = 'en' | 'zh' | 'fr' | 'ja'
export type Facet = NonNullable<AppBskyFeedPost.Record['facets']>[number]

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

/** Builds text and facets together so that byte offsets are right (also used for Jetstream records). */
export class TextBuilder {
  text = ''
  facets: Facet[] = []
  add(s: string): this {
    this.text += s
    return this
  }
  private facet(s: string, feature: Facet['features'][number]): this {
    const byteStart = bytes(this.text)
    this.text += s
    this.facets.push({ index: { byteStart, byteEnd: byteStart + bytes(s) }, features: [feature] })
    return this
  }
  link(display: string, uri: string): this {
    return this.facet(display, { $type: 'app.bsky.richtext.facet#link', uri })
  }
  tag(tag: string): this {
    return this.facet(`#${tag}`, { $type: 'app.bsky.richtext.facet#tag', tag })
  }
  mention(handle: string, did: string): this {
    return this.facet(`@${handle}`, { $type: 'app.bsky.richtext.facet#mention', did })
  }
}

interface Author {
  did: string
  handle: string
  displayName?: string
  lang: Lang
}

const NAMES: Record<Lang, [string, string][]> = {
  en: [
    ['Alice Morgan', 'alicemorgan'],
    ['Ben Carter', 'bencarter'],
    ['Priya Nair', 'priyanair'],
    ['Tom Walsh', 'tomwalsh'],
    ['Dana Kim', 'danakim'],
    ['Sam Ortiz', 'samortiz'],
    ['Policy Wonk', 'policywonk'],
    ['Chip Watcher', 'chipwatch'],
  ],
  zh: [
    ['李华', 'lihua'],
    ['王芳', 'wangfang'],
    ['陈晨', 'chenchen'],
    ['科技观察', 'kejiguancha'],
    ['张伟', 'zhangwei'],
    ['刘洋', 'liuyang'],
  ],
  fr: [
    ['Camille Dupont', 'cdupont'],
    ['Julien Martin', 'jmartin'],
    ['Léa Bernard', 'leabernard'],
    ['Hugo Lefèvre', 'hugolefevre'],
    ['Chloé Moreau', 'chloemoreau'],
  ],
  ja: [
    ['佐藤 花子', 'satohanako'],
    ['鈴木 一郎', 'suzukiichiro'],
    ['高橋 美咲', 'takahashimisaki'],
    ['テック速報', 'techsokuho'],
    ['田中 健', 'tanakaken'],
  ],
}

/** On-topic texts: `{link}` marks where the article link goes (if any). Stances mixed: concern, praise, neutral. */
const ON_TOPIC: Record<Lang, string[]> = {
  en: [
    "China's new state AI fund is pouring 60 billion yuan into start-ups. Industrial policy at scale, and a recipe for zombie start-ups. {link}",
    'NYT piece on the Chinese AI fund: Beijing picks "little giants" and hopes they become the next DeepSeek. {link}',
    'A state-backed fund for AI start-ups while Nvidia H20 shipments stall under export controls. Interesting timing.',
    'Honestly impressive: national will plus patient capital. DeepSeek showed what Chinese models can do on a budget. {link}',
    'The AI fund will distort the market: subsidies crowd out private VCs and reward whoever is closest to the state.',
    'Reading the NYT article on the China AI fund. Key number: $8.5 billion, mostly for chips and models. {link}',
    'H20 export controls were supposed to slow this down. Instead China doubles down with a guidance fund for AI firms.',
    'Data labelling hubs in small cities are the quiet part of this AI fund story. Who does the work?',
    'Open-weight Chinese models (DeepSeek, Qwen, Kimi) keep topping benchmarks. The state AI fund just adds fuel.',
    'Is a state AI fund really different from US CHIPS Act money? Genuine question, not a gotcha. {link}',
  ],
  zh: [
    '国家人工智能产业投资基金600亿元，重点投向国产大模型和算力。这是集中力量办大事。{link}',
    '英伟达H20禁售之后，国产芯片和国产大模型反而迎来机会，AI基金来得正是时候。',
    '纽时这篇讲中国AI基金的报道，把“小巨人”企业写得很清楚。{link}',
    '又一轮补贴，又一轮内卷。AI基金会不会制造一批僵尸公司？',
    'DeepSeek证明了国产大模型可以遥遥领先，国家队的引导基金值得期待。',
    '数据标注村也是人工智能产业的一部分，AI基金能惠及这些标注员吗？',
    '外媒又在唱衰中国AI，其实引导基金在很多行业都很成功。{link}',
  ],
  fr: [
    "La Chine lance un fonds d'État de 60 milliards de yuans pour ses start-up d'IA. Politique industrielle assumée. {link}",
    "Ce fonds d'État risque de créer des distorsions : subventions massives, surcapacité, jeunes pousses zombies.",
    "Article du NYT sur le fonds chinois pour l'IA : les « petits géants » et DeepSeek en vitrine. {link}",
    "Malgré les contrôles à l'export sur les puces Nvidia H20, l'IA chinoise avance. Impressionnant.",
    "Les modèles ouverts chinois (DeepSeek, Qwen) profitent de ce fonds d'État. La concurrence européenne ?",
    "Question naïve : en quoi ce fonds d'État diffère-t-il des aides américaines aux puces ? {link}",
  ],
  ja: [
    '中国が600億元のAIファンドを設立。国家主導でスタートアップに資金を集中させる戦略だ。{link}',
    'H20の輸出規制の中でも、中国のAIは止まらない。AIファンドは国家戦略そのもの。',
    'NYTの記事によると、AIファンドは「小さな巨人」企業を支援するらしい。{link}',
    '補助金頼みのAIファンドは市場の歪みを生むのでは？過剰投資が心配。',
    'DeepSeekやQwenなど中国製AIのオープンモデルはすごい。国家ファンドの後押しも大きい。',
    'データラベリングの村の話、AIファンドの裏側として興味深い。',
  ],
}

const OFF_TOPIC: Record<Lang, string[]> = {
  en: [
    'Sourdough attempt number four. The crumb is finally open!',
    'Anyone else watching the cycling tonight? That final climb was brutal.',
    'New blog post about migrating a small app from Express to Fastify. {offlink}',
    'Rain all week. Perfect excuse to finish that novel.',
    'Fund managers keep saying AI is a bubble; my portfolio disagrees.',
    'The city council finally approved the bike lanes on Main Street.',
  ],
  zh: ['今天的火锅太辣了，但是很好吃。', '周末去爬山，天气特别好。', '这家咖啡店的拿铁真不错。', '足球比赛看得我心脏受不了。'],
  fr: [
    'Enfin les vacances ! Direction la Bretagne.',
    'Le marché du samedi matin, mon petit bonheur.',
    'Nouvelle recette de ratatouille testée ce soir. {offlink}',
  ],
  ja: ['今日のラーメンは最高だった。', '週末は京都で紅葉を見てきた。', '新しいカメラを買ったので写真を撮りに行きたい。'],
}

const OFF_LINKS = ['https://blog.example.com/posts/express-to-fastify', 'https://recettes.example.org/ratatouille', 'https://news.example.net/city/bike-lanes']
const TAGS: Record<Lang, string[]> = {
  en: ['ChinaAI', 'DeepSeek', 'AIfund', 'AI'],
  zh: ['中国AI', '国产大模型', '中国AI基金', 'DeepSeek'],
  fr: ['IA', 'ChinaAI', 'DeepSeek'],
  ja: ['中国AI', 'AI', 'DeepSeek'],
}

/** Options of {@link makeBskyDataset}. */
export interface BskyDatasetOptions {
  /** PRNG seed: the same seed, count and now give the same posts. Default 1. */
  seed?: number
  /** How many posts. Default 200. */
  count?: number
  /** End of the period (epoch ms or Date); posts are spread over the `days` before it. Default 2025-07-20T12:00Z. */
  now?: number | Date
  /** Length of the period in days. Default 4. */
  days?: number
}

/**
 * Deterministic, realistic, lexicon-valid posts (oldest first) for {@link import('./bluesky.js').startBskyServer}.
 * Every sixth-or-so group of on-topic English posts shares one sortAt millisecond (groups of 3).
 */
export function makeBskyDataset(opts: BskyDatasetOptions = {}): BskyPost[] {
  const seed = opts.seed ?? 1
  const count = opts.count ?? 200
  const now = opts.now === undefined ? Date.parse('2025-07-20T12:00:00.000Z') : typeof opts.now === 'number' ? opts.now : opts.now.getTime()
  const days = opts.days ?? 4
  const rand = seededRandom(seed * 7919 + 17)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const langs: Lang[] = ['en', 'en', 'en', 'en', 'zh', 'zh', 'fr', 'ja']

  // Authors: a pool sized to the dataset, each with a main language.
  const authors: Author[] = []
  const nAuthors = Math.max(5, Math.min(60, Math.ceil(count / 4)))
  const usedHandles = new Set<string>()
  for (let i = 0; i < nAuthors; i++) {
    const lang = langs[i % langs.length]!
    const [name, slug] = NAMES[lang][Math.floor(i / langs.length) % NAMES[lang].length]!
    let handle = `${slug}.test`
    for (let k = 2; usedHandles.has(handle); k++) handle = `${slug}${k}.test`
    usedHandles.add(handle)
    authors.push({ did: didPlc(rand), handle, lang, ...(rand() < 0.85 ? { displayName: name } : {}) })
  }

  // Timestamps (createdAt), oldest first; leave the last minute before `now` empty.
  const span = days * 24 * 3_600_000
  const times = Array.from({ length: count }, () => now - 60_000 - Math.floor(rand() * span)).sort((a, b) => a - b)
  // Groups of three posts sharing one millisecond.
  const sameMs = new Set<number>()
  const groups = Math.max(1, Math.floor(count / 60))
  for (let g = 0; g < groups && count >= 3; g++) {
    const i = Math.min(count - 3, Math.floor(((g + 0.5) * count) / groups))
    times[i + 1] = times[i]!
    times[i + 2] = times[i]!
    for (const k of [i, i + 1, i + 2]) sameMs.add(k)
  }

  const posts: BskyPost[] = []
  const uris = new Set<string>()
  for (let i = 0; i < count; i++) {
    const inGroup = sameMs.has(i)
    const author = inGroup ? (authors.filter((a) => a.lang === 'en')[i % 4] ?? authors[0]!) : pick(authors)
    const lang: Lang = inGroup ? 'en' : rand() < 0.8 ? author.lang : pick(langs)
    const onTopic = inGroup || rand() < 0.65
    const tb = new TextBuilder()
    let externalUri: string | undefined
    let template = onTopic ? pick(ON_TOPIC[lang]) : pick(OFF_TOPIC[lang])
    if (inGroup) template = ON_TOPIC.en[rand() < 0.5 ? 0 : 4]!

    // Mentions in some posts.
    if (posts.length > 0 && rand() < 0.08) {
      const other = pick(authors)
      tb.mention(other.handle, other.did).add(' ')
    }
    const [before, after] = template.split(/\{link\}|\{offlink\}/) as [string, string | undefined]
    tb.add(before)
    if (after !== undefined) {
      if (template.includes('{link}')) {
        const r = rand()
        if (r < 0.45) tb.link(ARTICLE_DISPLAY, rand() < 0.3 ? ARTICLE_SHARE_URL : ARTICLE_URL)
        else if (r < 0.8)
          externalUri = ARTICLE_URL // link card only
        else {
          tb.link(ARTICLE_DISPLAY, ARTICLE_URL)
          externalUri = ARTICLE_URL
        }
      } else {
        const off = pick(OFF_LINKS)
        tb.link(off.replace(/^https:\/\//, '').slice(0, 26) + '...', off)
      }
      tb.add(after)
    }
    if (onTopic && rand() < 0.35) {
      const n = 1 + Math.floor(rand() * 2)
      const chosen = new Set<string>()
      for (let k = 0; k < n; k++) chosen.add(pick(TAGS[lang]))
      for (const t of chosen) tb.add(' ').tag(t)
    }

    // Timestamps: indexed shortly after creation; a few posts claim a createdAt in the future (clock skew).
    let createdMs = times[i]!
    let indexedMs = inGroup ? createdMs + 1500 : createdMs + 200 + Math.floor(rand() * 5000)
    if (!inGroup && rand() < 0.03) {
      indexedMs = createdMs
      createdMs = indexedMs + 60_000 + Math.floor(rand() * 90 * 60_000)
    }
    indexedMs = Math.min(indexedMs, now - 1)

    const record: AppBskyFeedPost.Record = {
      $type: 'app.bsky.feed.post',
      text: tb.text,
      createdAt: new Date(createdMs).toISOString(),
    }
    // Languages: usually right, sometimes mislabelled (fr posts as en), sometimes missing.
    const lr = rand()
    if (lr < 0.04) {
      /* no langs */
    } else if (lang === 'fr' && lr < 0.2) record.langs = ['en']
    else record.langs = [lang]
    if (tb.facets.length > 0) record.facets = tb.facets
    if (onTopic && rand() < 0.05) record.tags = ['ChinaAIFund']

    // Replies and quotes point at earlier posts.
    let embedView: BskyPost['embed']
    const earlier = posts.length > 0 ? posts[Math.floor(rand() * posts.length)]! : undefined
    const shape = rand()
    if (earlier && shape < 0.15) {
      const parent = { uri: earlier.uri, cid: earlier.cid }
      const root = earlier.record.reply?.root ?? parent
      record.reply = { root: { uri: root.uri, cid: root.cid }, parent }
    }
    if (externalUri) {
      const external = { uri: externalUri, title: ARTICLE_TITLE, description: ARTICLE_DESC }
      record.embed = { $type: 'app.bsky.embed.external', external }
      embedView = { $type: 'app.bsky.embed.external#view', external: { ...external } }
    } else if (earlier && shape >= 0.15 && shape < 0.23) {
      record.embed = { $type: 'app.bsky.embed.record', record: { uri: earlier.uri, cid: earlier.cid } }
      embedView = {
        $type: 'app.bsky.embed.record#view',
        record: {
          $type: 'app.bsky.embed.record#viewRecord',
          uri: earlier.uri,
          cid: earlier.cid,
          author: {
            did: earlier.author.did,
            handle: earlier.author.handle,
            ...(earlier.author.displayName !== undefined ? { displayName: earlier.author.displayName } : {}),
          },
          value: earlier.record,
          indexedAt: earlier.indexedAt,
          likeCount: earlier.likeCount,
          repostCount: earlier.repostCount,
          replyCount: earlier.replyCount,
          quoteCount: earlier.quoteCount,
          ...(earlier.embed && earlier.embed.$type === 'app.bsky.embed.external#view' ? { embeds: [earlier.embed] } : {}),
        },
      }
      earlier.quoteCount++
    }
    if (record.reply) {
      const parent = posts.find((p) => p.uri === record.reply!.parent.uri)
      if (parent) parent.replyCount++
    }

    let uri: string
    for (let clock = Math.floor(rand() * 1024); ; clock = (clock + 1) % 1024) {
      uri = `at://${author.did}/app.bsky.feed.post/${tid(createdMs * 1000, clock)}`
      if (!uris.has(uri)) break
    }
    uris.add(uri)
    const heavy = Math.floor(Math.exp(rand() * rand() * 7)) - 1
    posts.push({
      uri,
      cid: cidFor(JSON.stringify([uri, record])),
      author: { did: author.did, handle: author.handle, ...(author.displayName !== undefined ? { displayName: author.displayName } : {}) },
      record,
      indexedAt: new Date(indexedMs).toISOString(),
      likeCount: heavy,
      repostCount: Math.floor(heavy * rand() * 0.4),
      replyCount: Math.floor(rand() * 3),
      quoteCount: Math.floor(heavy * rand() * 0.05),
      ...(embedView ? { embed: embedView } : {}),
    })
  }
  return posts
}
