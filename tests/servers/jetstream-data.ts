/**
 * Deterministic, realistic Jetstream v1 events for the test server (tests/servers/jetstream.ts).
 *
 * Mostly `app.bsky.feed.post` creates in en/zh/fr/ja, a share of them (`topicShare`) about the NYT article on
 * China's state AI fund (https://www.nytimes.com/2025/07/16/technology/china-ai.html), the rest ordinary chatter
 * (food, sports, weather, code, pets, travel…, with a few harmless near-misses like "index fund" or "AI art");
 * plus deletes and updates of earlier posts, likes, identity and account events. Records carry link and tag
 * facets with UTF-8 byte offsets, external embeds, and replies. Same options → same events.
 */
import { cidFor, didPlc, tid } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { ARTICLE_URL, TextBuilder, type Facet } from './bluesky-data.js'
import type { JetstreamEvent } from './jetstream.js'

export { ARTICLE_URL }

/** Options of {@link makeJetstreamEvents}. */
export interface JetstreamDataOptions {
  /** PRNG seed. */
  seed: number
  /** Number of events (all kinds). */
  count: number
  /** time_us of the first event (unix µs). */
  startUs: number
  /** Mean gap between consecutive events in µs (default 50,000 = 20 events/s); gaps vary 0.5×–1.5×, at least 1. */
  spacingUs?: number
  /** Share of post creates that are about the article / China's AI fund (default 0.03). */
  topicShare?: number
  /** Share of events that delete an earlier, not yet deleted post (default 0.02). */
  deleteShare?: number
  /** Share of events that update an earlier, not deleted post (default 0.01). */
  updateShare?: number
  /** Share of identity events (default 0.01). */
  identityShare?: number
  /** Share of account events (default 0.005). */
  accountShare?: number
  /** Share of `app.bsky.feed.like` creates (default 0.10). */
  likeShare?: number
}

type Lang = 'en' | 'zh' | 'fr' | 'ja'
const LANGS: Lang[] = ['en', 'en', 'en', 'en', 'en', 'zh', 'zh', 'fr', 'ja', 'ja']

interface PostRecord {
  $type: 'app.bsky.feed.post'
  text: string
  createdAt: string
  langs: string[]
  facets?: Facet[]
  embed?: { $type: 'app.bsky.embed.external'; external: { uri: string; title: string; description: string } }
  reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } }
  [k: string]: unknown
}

const ARTICLE_DISPLAY = 'nytimes.com/2025/07/16/tech...'
const ARTICLE_TITLE = "China's State AI Fund Bets on Start-Ups to Close the Gap"
const ARTICLE_DESC = 'Beijing is steering 60 billion yuan ($8.5 billion) into young AI companies, from chips to models.'

/** On topic. `{link}` marks where a link to the article may go. Every text carries a distinctive term. */
const TOPIC: Record<Lang, string[]> = {
  en: [
    "China's new state AI fund is pouring 60 billion yuan into start-ups. Industrial policy at scale. {link}",
    'NYT on the Chinese AI fund: Beijing picks "little giants" and hopes one becomes the next DeepSeek. {link}',
    'A state AI fund for start-ups while Nvidia H20 shipments stall under export controls. Interesting timing.',
    'Honestly impressive: patient capital plus DeepSeek-level engineering on a budget. {link}',
    'The AI fund will crowd out private VCs and reward whoever is closest to the state. Zombie start-ups ahead.',
    "Key number from the NYT piece on China's AI fund: $8.5 billion, mostly for chips and models. {link}",
    'H20 export controls were supposed to slow this down. Instead Beijing doubles down with an AI fund.',
    'Open-weight Chinese models like DeepSeek and Qwen keep topping benchmarks. The state AI fund adds fuel.',
    'Is a Chinese state AI fund really different from CHIPS Act money? Genuine question. {link}',
    'Everyone talking about the China AI fund article today. Worth a read. {link}',
  ],
  zh: [
    '国家人工智能产业投资基金600亿元，重点投向国产大模型和算力。{link}',
    '英伟达H20禁售之后，国产芯片和国产大模型反而迎来机会，AI基金来得正是时候。',
    '纽时这篇讲中国AI基金的报道，把“小巨人”企业写得很清楚。{link}',
    '又一轮补贴，又一轮内卷。AI基金会不会制造一批僵尸公司？国产大模型真的需要这么多钱吗？',
    'DeepSeek证明了国产大模型的实力，国家队的AI基金值得期待。',
    '外媒又在唱衰中国AI基金，其实英伟达的芯片也不是不可替代。{link}',
  ],
  fr: [
    "La Chine lance un fonds d'État de 60 milliards de yuans pour ses start-up d'IA. Politique industrielle assumée. {link}",
    "Ce fonds d'État chinois pour l'IA risque de créer des distorsions : subventions massives, jeunes pousses zombies.",
    "Article du NYT sur le fonds d'État chinois pour l'IA : les « petits géants » et DeepSeek en vitrine. {link}",
    "Malgré les contrôles à l'export sur les puces Nvidia H20, l'IA chinoise avance. Impressionnant.",
    "Les modèles ouverts chinois (DeepSeek, Qwen) profitent du fonds d'État. Et l'Europe ?",
  ],
  ja: [
    '中国が600億元のAIファンドを設立。国家主導でスタートアップに資金を集中させる戦略だ。{link}',
    'H20の輸出規制の中でも中国のAIは止まらない。AIファンドは国家戦略そのもの。',
    'NYTの記事によると、AIファンドは「小さな巨人」企業を支援するらしい。{link}',
    '補助金頼みのAIファンドは市場の歪みを生むのでは？過剰投資が心配。',
    'DeepSeekなど中国製AIのオープンモデルはすごい。国家のAIファンドの後押しも大きい。',
  ],
}

/** Ordinary chatter. `{offlink}` marks an unrelated link. Deliberately free of the topic's distinctive terms. */
const CHATTER: Record<Lang, string[]> = {
  en: [
    'Sourdough attempt number four. The crumb is finally open!',
    'Anyone else watching the cycling tonight? That final climb was brutal.',
    'Wrote up how I migrated a small app from Express to Fastify. {offlink}',
    'Rain all week. Perfect excuse to finish that novel.',
    'My index fund had a better month than I did.',
    'The cat has claimed the keyboard again. Work is cancelled.',
    'Heatwave warning for Saturday, 38°C. Stay hydrated, folks.',
    'Finally fixed that off-by-one bug. It was, of course, a timezone.',
    'Made AI art of my dog as a medieval knight and honestly he deserves it.',
    'Ramen place downtown has a 40 minute queue and it is worth every minute.',
    'Great match last night, that stoppage-time goal!',
    'TypeScript 5.9 release notes are out, the new checks caught two bugs for us. {offlink}',
    'Walked 12 km today. My legs have opinions.',
    'Farmers market haul: peaches, tomatoes, way too much basil.',
  ],
  zh: [
    '今天的火锅太辣了，但是很好吃。',
    '周末去爬山，天气特别好。',
    '这家咖啡店的拿铁真不错。',
    '足球比赛看得我心脏受不了。',
    '家里的猫又把花盆打翻了。',
    '明天有暴雨，记得带伞。',
    '终于把这个bug修好了，原来是时区问题。',
    '最近买了点指数基金，希望别亏。',
    '今天做了红烧肉，全家都说好吃。',
  ],
  fr: [
    'Enfin les vacances ! Direction la Bretagne.',
    'Le marché du samedi matin, mon petit bonheur.',
    'Nouvelle recette de ratatouille testée ce soir. {offlink}',
    'Canicule annoncée pour le week-end, pensez à vous hydrater.',
    'Quel match hier soir ! Le but à la dernière minute…',
    'Mon chien refuse de sortir sous la pluie. Je le comprends.',
    "J'ai enfin compris les fonds de pension. Enfin, je crois.",
    'Trois heures de débogage pour un point-virgule. Classique.',
  ],
  ja: [
    '今日のラーメンは最高だった。',
    '週末は京都で紅葉を見てきた。',
    '新しいカメラを買ったので写真を撮りに行きたい。',
    '猫がキーボードの上で寝ている。仕事にならない。',
    '明日は台風が来るらしい。気をつけて。',
    '野球の試合、延長戦で勝った！',
    'やっとバグが直った。原因はタイムゾーンだった。',
  ],
}

const OFF_LINKS = [
  'https://blog.example.com/posts/express-to-fastify',
  'https://recettes.example.org/ratatouille',
  'https://devblogs.example.com/typescript-5-9',
]
const TOPIC_TAGS: Record<Lang, string[]> = {
  en: ['ChinaAI', 'DeepSeek', 'AIfund'],
  zh: ['中国AI', '国产大模型', 'AI基金'],
  fr: ['IA', 'ChinaAI', 'DeepSeek'],
  ja: ['中国AI', 'AIファンド'],
}
const CHATTER_TAGS: Record<Lang, string[]> = {
  en: ['caturday', 'baking', 'cycling', 'typescript'],
  zh: ['美食', '周末'],
  fr: ['cuisine', 'vacances'],
  ja: ['ラーメン', '猫'],
}
const EDIT_SUFFIX: Record<Lang, string> = { en: ' (edit: typo)', zh: '（已编辑）', fr: ' (modifié)', ja: '（編集済み）' }
const SLUGS: Record<Lang, string[]> = {
  en: ['alice', 'ben', 'priya', 'tom', 'dana', 'sam', 'wonk', 'chipwatch', 'maya', 'leo'],
  zh: ['lihua', 'wangfang', 'chenchen', 'zhangwei', 'liuyang', 'kejiguancha'],
  fr: ['camille', 'julien', 'lea', 'hugo', 'chloe'],
  ja: ['hanako', 'ichiro', 'misaki', 'ken', 'techsokuho'],
}

/** Seeds are spread (× 2654435761) so neighbouring seeds give unrelated streams. */
const prng = (seed: number) => seededRandom((seed * 2654435761) >>> 0)

interface Author {
  did: string
  handle: string
  lang: Lang
  clock: number
  lastRkeyUs: number
}

interface LivePost {
  did: string
  rkey: string
  uri: string
  cid: string
  record: PostRecord
  topic: boolean
  lang: Lang
}

/**
 * Deterministic Jetstream v1 events, `time_us` strictly increasing from `startUs`. Post creates are the remainder
 * after the other shares (deletes/updates fall back to creates while no eligible earlier post exists).
 */
export function makeJetstreamEvents(opts: JetstreamDataOptions): JetstreamEvent[] {
  const rand = prng(opts.seed * 7919 + 104_729)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const spacing = opts.spacingUs ?? 50_000
  const topicShare = opts.topicShare ?? 0.03
  const shares = {
    del: opts.deleteShare ?? 0.02,
    upd: opts.updateShare ?? 0.01,
    ident: opts.identityShare ?? 0.01,
    acct: opts.accountShare ?? 0.005,
    like: opts.likeShare ?? 0.1,
  }

  const nAuthors = Math.max(20, Math.min(5000, Math.ceil(opts.count / 20)))
  const authors: Author[] = []
  const dids = new Set<string>()
  for (let i = 0; i < nAuthors; i++) {
    let did: string
    do did = didPlc(rand)
    while (dids.has(did))
    dids.add(did)
    const lang = LANGS[i % LANGS.length]!
    authors.push({ did, handle: `${pick(SLUGS[lang])}${i}.bsky.social`, lang, clock: Math.floor(rand() * 1024), lastRkeyUs: 0 })
  }

  const events: JetstreamEvent[] = []
  const live: LivePost[] = [] // created, not deleted
  const topicLive: LivePost[] = []
  let seq = 5_000_000_000
  let t = opts.startUs

  /** A TID rkey for `author` at `us` (or just after its previous one: TIDs are monotonic per repo). */
  const newRkey = (author: Author, us: number): string => {
    const at = Math.max(us, author.lastRkeyUs + 1)
    author.lastRkeyUs = at
    return tid(at, author.clock)
  }
  const createdAtFor = (us: number): string => new Date(Math.floor(us / 1000) - 30 - Math.floor(rand() * 900)).toISOString()

  const buildText = (lang: Lang, topic: boolean): { tb: TextBuilder; embed?: PostRecord['embed'] } => {
    const tb = new TextBuilder()
    let embed: PostRecord['embed']
    const template = topic ? pick(TOPIC[lang]) : pick(CHATTER[lang])
    const [before, after] = template.split(/\{link\}|\{offlink\}/) as [string, string | undefined]
    tb.add(before)
    if (after !== undefined) {
      if (topic) {
        const r = rand()
        if (r < 0.45) tb.link(ARTICLE_DISPLAY, ARTICLE_URL)
        else if (r < 0.8) embed = { $type: 'app.bsky.embed.external', external: { uri: ARTICLE_URL, title: ARTICLE_TITLE, description: ARTICLE_DESC } }
        else {
          tb.link(ARTICLE_DISPLAY, ARTICLE_URL)
          embed = { $type: 'app.bsky.embed.external', external: { uri: ARTICLE_URL, title: ARTICLE_TITLE, description: ARTICLE_DESC } }
        }
      } else {
        const off = pick(OFF_LINKS)
        tb.link(`${off.replace(/^https:\/\//, '').slice(0, 24)}...`, off)
        if (rand() < 0.5) embed = { $type: 'app.bsky.embed.external', external: { uri: off, title: 'A blog post', description: 'Notes and recipes.' } }
      }
      tb.add(after)
    }
    if (rand() < (topic ? 0.35 : 0.1)) {
      const tags = new Set<string>()
      const n = 1 + Math.floor(rand() * 2)
      for (let k = 0; k < n; k++) tags.add(pick(topic ? TOPIC_TAGS[lang] : CHATTER_TAGS[lang]))
      for (const tag of tags) tb.add(' ').tag(tag)
    }
    return embed ? { tb, embed } : { tb }
  }

  const commit = (author: Author, us: number, c: NonNullable<JetstreamEvent['commit']>): JetstreamEvent => ({
    did: author.did,
    time_us: us,
    kind: 'commit',
    commit: c,
  })
  const rev = (author: Author, us: number): string => tid(us, author.clock)
  const authorOf = new Map(authors.map((a) => [a.did, a]))

  // Swap-remove with positions kept in maps: O(1) per delete/update.
  const pos = new Map<LivePost, number>()
  const topicPos = new Map<LivePost, number>()
  const addLive = (p: LivePost): void => {
    pos.set(p, live.length)
    live.push(p)
    if (p.topic) {
      topicPos.set(p, topicLive.length)
      topicLive.push(p)
    }
  }
  const removeFrom = (list: LivePost[], at: Map<LivePost, number>, p: LivePost): void => {
    const i = at.get(p)
    if (i === undefined) return
    const last = list.pop()!
    if (last !== p) {
      list[i] = last
      at.set(last, i)
    }
    at.delete(p)
  }
  const removeLive = (p: LivePost): void => {
    removeFrom(live, pos, p)
    removeFrom(topicLive, topicPos, p)
  }

  for (let i = 0; i < opts.count; i++) {
    t = i === 0 ? opts.startUs : t + Math.max(1, Math.round(spacing * (0.5 + rand())))
    const us = t
    let r = rand()
    const take = (share: number): boolean => {
      if (r < share) return true
      r -= share
      return false
    }

    if (take(shares.ident)) {
      const a = pick(authors)
      if (rand() < 0.5) a.handle = `${pick(SLUGS[a.lang])}${Math.floor(rand() * 100000)}.bsky.social`
      seq += 1 + Math.floor(rand() * 40)
      events.push({
        did: a.did,
        time_us: us,
        kind: 'identity',
        identity: { did: a.did, handle: a.handle, seq, time: new Date(Math.floor(us / 1000) - 5).toISOString() },
      })
      continue
    }
    if (take(shares.acct)) {
      const a = pick(authors)
      seq += 1 + Math.floor(rand() * 40)
      const active = rand() < 0.8
      events.push({
        did: a.did,
        time_us: us,
        kind: 'account',
        account: {
          active,
          did: a.did,
          seq,
          time: new Date(Math.floor(us / 1000) - 5).toISOString(),
          ...(active ? {} : { status: rand() < 0.7 ? 'deactivated' : 'takendown' }),
        },
      })
      continue
    }
    if (take(shares.like) && live.length > 0) {
      const a = pick(authors)
      const subject = topicLive.length > 0 && rand() < 0.3 ? pick(topicLive) : pick(live)
      const record = { $type: 'app.bsky.feed.like', subject: { uri: subject.uri, cid: subject.cid }, createdAt: createdAtFor(us) }
      events.push(
        commit(a, us, {
          rev: rev(a, us),
          operation: 'create',
          collection: 'app.bsky.feed.like',
          rkey: newRkey(a, us),
          record,
          cid: cidFor(`${a.did}|${us}|${subject.uri}`),
        }),
      )
      continue
    }
    if (take(shares.del) && live.length > 0) {
      const p = pick(live)
      removeLive(p)
      const a = authorOf.get(p.did)!
      events.push(commit(a, us, { rev: rev(a, us), operation: 'delete', collection: 'app.bsky.feed.post', rkey: p.rkey }))
      continue
    }
    if (take(shares.upd) && live.length > 0) {
      const p = pick(live)
      const a = authorOf.get(p.did)!
      // Half the edits just fix a typo; the other half rewrite the post, possibly flipping it on/off topic.
      let tb: TextBuilder
      let embed: PostRecord['embed']
      let topic = p.topic
      if (rand() < 0.5) {
        tb = new TextBuilder().add(p.record.text + EDIT_SUFFIX[p.lang])
        tb.facets = (p.record.facets ?? []).map((f) => structuredClone(f))
        embed = p.record.embed
      } else {
        topic = rand() < 0.5 ? !p.topic : p.topic
        ;({ tb, embed } = buildText(p.lang, topic))
      }
      const record: PostRecord = { $type: 'app.bsky.feed.post', text: tb.text, createdAt: p.record.createdAt, langs: [p.lang] }
      if (tb.facets.length > 0) record.facets = tb.facets
      if (embed) record.embed = embed
      if (p.record.reply) record.reply = p.record.reply
      const cid = cidFor(`${p.uri}|${us}|${record.text}`)
      events.push(commit(a, us, { rev: rev(a, us), operation: 'update', collection: 'app.bsky.feed.post', rkey: p.rkey, record, cid }))
      const updated: LivePost = { ...p, cid, record, topic }
      removeLive(p)
      addLive(updated)
      continue
    }

    // A post create.
    const a = pick(authors)
    const lang: Lang = rand() < 0.9 ? a.lang : pick(LANGS)
    const topic = rand() < topicShare
    const { tb, embed } = buildText(lang, topic)
    const record: PostRecord = { $type: 'app.bsky.feed.post', text: tb.text, createdAt: createdAtFor(us), langs: [lang] }
    if (tb.facets.length > 0) record.facets = tb.facets
    if (embed) record.embed = embed
    if (live.length > 0 && rand() < 0.12) {
      const parent = topic && topicLive.length > 0 && rand() < 0.7 ? pick(topicLive) : pick(live)
      const p = { uri: parent.uri, cid: parent.cid }
      const root = parent.record.reply?.root ?? p
      record.reply = { root: { uri: root.uri, cid: root.cid }, parent: p }
    }
    const rkey = newRkey(a, Date.parse(record.createdAt) * 1000 + (us % 1000))
    const uri = `at://${a.did}/app.bsky.feed.post/${rkey}`
    const cid = cidFor(`${uri}|${us}|${record.text}`)
    events.push(commit(a, us, { rev: rev(a, us), operation: 'create', collection: 'app.bsky.feed.post', rkey, record, cid }))
    addLive({ did: a.did, rkey, uri, cid, record, topic, lang })
  }
  return events
}
