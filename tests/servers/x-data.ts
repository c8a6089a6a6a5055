/**
 * X API v2 wire types for the test server, and a deterministic synthetic dataset of posts about the NYT article
 * on China's state AI fund (plus off-topic noise, replies, quotes, retweets and long posts).
 */
import { TWITTER_EPOCH_MS } from '../../src/domain/x-ids.js'
import { snowflakeFromMs } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'

/** The article the on-topic posts link to. */
export const NYT_ARTICLE_URL = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'

export interface XUrlEntity {
  start: number
  end: number
  /** The t.co link as it appears in `text`. */
  url: string
  expanded_url: string
  display_url: string
  /** The final URL after redirects (shorteners resolved); X sends it when it has unwound the link. */
  unwound_url?: string
  status?: number
  title?: string
  description?: string
}

export interface XHashtagEntity {
  start: number
  end: number
  tag: string
}

export interface XMentionEntity {
  start: number
  end: number
  username: string
  id: string
}

/** As on the wire: empty entity kinds are absent, not empty arrays. Indices are code points into `text`. */
export interface XTweetEntities {
  urls?: XUrlEntity[]
  hashtags?: XHashtagEntity[]
  mentions?: XMentionEntity[]
  cashtags?: XHashtagEntity[]
}

export interface XTweetPublicMetrics {
  retweet_count: number
  reply_count: number
  like_count: number
  quote_count: number
  impression_count: number
  bookmark_count?: number
}

export interface XReferencedTweet {
  type: 'retweeted' | 'quoted' | 'replied_to'
  id: string
}

/** A v2 tweet object as the server stores it (the full object; responses carry only the requested fields). */
export interface XTweet {
  id: string
  /** HTML-escaped (`&amp;` `&lt;` `&gt;`) and, for posts over 280 characters, truncated (see `note_tweet`). */
  text: string
  author_id: string
  created_at: string
  lang: string
  conversation_id: string
  public_metrics: XTweetPublicMetrics
  edit_history_tweet_ids: string[]
  entities?: XTweetEntities
  referenced_tweets?: XReferencedTweet[]
  in_reply_to_user_id?: string
  /** The whole text of a long post (only sent when `tweet.fields` includes `note_tweet`). */
  note_tweet?: { text: string; entities?: XTweetEntities }
  possibly_sensitive?: boolean
  reply_settings?: 'everyone' | 'mentionedUsers' | 'following'
}

/** A v2 user object. */
export interface XUser {
  id: string
  username: string
  name: string
  public_metrics: {
    followers_count: number
    following_count: number
    tweet_count: number
    listed_count: number
    like_count?: number
  }
  created_at?: string
  description?: string
  verified?: boolean
  protected?: boolean
  location?: string
}

export interface XDatasetOptions {
  /** RNG seed: the same seed, count, now and share give the same dataset. */
  seed: number
  /** Number of posts, all kinds included. */
  count: number
  /** The dataset's "now" (ms or Date): posts span the `days` before it. */
  now: number | Date
  /** How many days before `now` the posts span (default 6). */
  days?: number
  /** Share of root posts about the article (0–1, default 0.4); replies and quotes follow their parent's topic. */
  topicShare?: number
}

export interface XDataset {
  tweets: XTweet[]
  users: XUser[]
  /** Ground truth: ids of the posts about the article (any kind, retweets included). */
  onTopicIds: string[]
}

type Lang = 'en' | 'zh' | 'fr' | 'ja'
const LANGS: Lang[] = ['en', 'zh', 'fr', 'ja']
const LANG_WEIGHTS = [0.45, 0.25, 0.15, 0.15]

// `{link}` becomes a t.co link to the article (in one of its real-world URL variants). Raw text: & < > are escaped later.
const ON_TOPIC: Record<Lang, string[]> = {
  en: [
    "China's state-backed AI fund is pouring $8.5B into startups like DeepSeek. Industrial policy done right? {link}",
    'NYT: Beijing launches a national AI fund for chips & models. H20 supply is still the bottleneck {link} #DeepSeek',
    'A government AI fund picking winners never ends well. Remember the solar subsidies? {link}',
    'The AI fund story is bigger than DeepSeek: local governments are co-investing too. Worth a read {link}',
    'Nvidia H20 exports resumed and now a state AI fund. Export controls > tariffs? Discuss. #AI #DeepSeek',
    'So the "AI fund" is really a guidance fund. 60B yuan < what US VCs put in last quarter {link}',
    'Honestly impressed: DeepSeek + a patient state AI fund could outpace Silicon Valley on cost. {link}',
    'This AI fund will mostly subsidize zombie startups. Hard pass on the hype. #DeepSeek',
  ],
  zh: [
    '纽约时报：中国国家AI基金600亿投向初创公司，DeepSeek 等国产大模型受益？{link}',
    '英伟达 H20 恢复对华供货，国产大模型还需要国家基金输血吗？#DeepSeek',
    '国家队下场做 AI fund，纽时这篇分析写得不错 {link} #国产大模型',
    '政府引导基金又来了，真正缺的是算力不是钱。英伟达的卡才是关键',
    '支持！国产大模型需要长期资本，DeepSeek 证明了我们能做到 {link}',
    '纽时又在唱衰中国AI，国家基金投资很正常 {link} #国产大模型',
  ],
  fr: [
    "Le fonds d'État chinois pour l'IA : 8,5 milliards pour DeepSeek & co ? {link}",
    "Article du NYT sur le fonds d'État chinois dédié à l'IA. Nvidia H20, DeepSeek… la course continue {link}",
    "Un fonds d'État pour l'IA, c'est exactement ce qui manque à l'Europe. #DeepSeek {link}",
    "Le fonds d'État chinois va surtout financer des entreprises zombies. Méfiance. {link}",
  ],
  ja: [
    '中国の国家AIファンドが新興企業に出資。DeepSeekや国産大模型の追い風に？ {link}',
    'NYTの記事：中国のAIファンド、英伟达 H20 の輸出再開とも関係？ #DeepSeek',
    '中国のAIファンドは規模が桁違い。日本も見習うべきでは {link}',
    'AIファンドで補助金漬けのスタートアップが増えるだけでは？ {link}',
  ],
}

const OFF_TOPIC: Record<Lang, string[]> = {
  en: [
    'Rain again in London. Umbrella count: 3 <3',
    'Great match tonight! 2-1 in extra time, what a finish',
    'Our fund manager says rates will fall next quarter. We will see.',
    'AI art is getting wild lately, check this out {offlink}',
    'Made pasta & meatballs for dinner, 10/10',
    'Nvidia earnings call tomorrow, expecting revenue > $40B',
    'New blog post: migrating our monorepo to pnpm {offlink}',
    'Anyone else think the new phone cameras are overkill?',
  ],
  zh: ['今天北京下雨了，出门记得带伞', '周末去爬山，风景很好', '这家火锅店真不错，推荐 {offlink}', '新手机的续航比想象中好'],
  fr: [
    'Il pleut encore à Paris, évidemment',
    'Match incroyable hier soir !',
    'Recette du jour : ratatouille & pain maison',
    'Les grèves reprennent lundi {offlink}',
  ],
  ja: ['今日は東京で雨。傘を忘れた…', '週末は京都へ旅行 {offlink}', '新しいカフェがオープンした', 'ラーメン食べたい'],
}

const REPLIES_ON: Record<Lang, string[]> = {
  en: [
    'Agreed, but the fund is tiny next to what DeepSeek already raised.',
    'Source? The NYT piece says most of it goes to chips.',
    'This is just industrial policy & nobody complains when the US does it.',
  ],
  zh: ['说得对，国产大模型最缺的是算力', '这基金规模其实不大'],
  fr: ["Pas convaincu, le fonds d'État arrive trop tard.", 'Merci pour le lien !'],
  ja: ['同感です。AIファンドの規模は大きい', 'DeepSeekの次はどこだろう'],
}

const REPLIES_OFF: Record<Lang, string[]> = {
  en: ['lol same', 'Totally agree', 'Not sure about that one', 'Thanks for sharing!'],
  zh: ['哈哈同感', '谢谢分享'],
  fr: ['Pareil !', 'Merci !'],
  ja: ['わかる', 'ありがとう'],
}

const QUOTES_ON: Record<Lang, string[]> = {
  en: ['This is the key point on the AI fund 👇', 'Everyone talking about DeepSeek should read this thread'],
  zh: ['这条说到点子上了，国产大模型要加油'],
  fr: ["Bon résumé du fonds d'État chinois"],
  ja: ['AIファンドについての良いまとめ'],
}

const QUOTES_OFF: Record<Lang, string[]> = {
  en: ['Ha, this.', 'Saving this for later'],
  zh: ['有意思'],
  fr: ['Excellent'],
  ja: ['これは面白い'],
}

const LONG_ON: Record<Lang, string> = {
  en:
    "Long thread on the NYT piece about China's new state AI fund. 1) The headline number (60B yuan) is smaller than it looks once you " +
    'spread it over ten years & dozens of local vehicles. 2) The real constraint is compute: Nvidia H20 supply matters more than cash. ' +
    '3) DeepSeek showed you can train frontier-ish models cheaply, which makes a patient state investor more dangerous, not less. ' +
    '4) Europe has nothing comparable. Read it: {link} #DeepSeek',
  zh:
    '认真读完了纽约时报关于国家AI基金的长文，说几点看法：第一，600亿的规模分摊到十年其实并不惊人；第二，真正的瓶颈是算力，英伟达 H20 能不能稳定供货比钱更重要；' +
    '第三，DeepSeek 已经证明国产大模型可以低成本训练，长期资本只会让这个优势更明显；第四，地方政府的配套资金才是值得关注的变量；第五，外媒的解读总带着一种焦虑感，' +
    '但这恰恰说明方向是对的。第六，人才回流和开源生态同样关键，光靠基金解决不了所有问题，还需要耐心和时间。原文链接：{link} #国产大模型',
  fr:
    "Fil sur l'article du NYT consacré au fonds d'État chinois pour l'IA. D'abord, 60 milliards de yuans sur dix ans, ce n'est pas si énorme. " +
    "Ensuite, le vrai goulot d'étranglement reste la puissance de calcul : l'approvisionnement en puces Nvidia H20 compte davantage que l'argent. " +
    "Enfin, DeepSeek a montré qu'on peut entraîner des modèles performants à bas coût, et l'Europe n'a rien de comparable. À lire : {link}",
  ja:
    'NYTの中国AIファンドに関する記事を読んだ感想。まず、600億元という規模は十年に分散すればそれほど大きくない。次に、本当のボトルネックは計算資源で、英伟达のH20が安定して' +
    '供給されるかの方が資金より重要だ。さらに、DeepSeekは国産大模型を低コストで訓練できることを示しており、長期的な国家資本はその強みをさらに伸ばすだろう。' +
    '地方政府の出資も見逃せない。欧州や日本には同等の仕組みがない点も気になる。人材と計算資源の確保が鍵になりそうだ。記事はこちら：{link} #DeepSeek',
}

const NAMES: Record<Lang, string[]> = {
  en: ['techwatcher', 'maria_ai', 'policywonk', 'devnull_dan', 'chipanalyst', 'sarah_writes', 'vc_tom', 'openweights'],
  zh: ['xiaoming_ai', 'tech_laowang', 'beijing_dev', 'ai_observer_cn', 'suanli_zhi'],
  fr: ['claire_tech', 'jb_numerique', 'ia_et_societe', 'marc_eco'],
  ja: ['tanaka_ai', 'tokyo_dev', 'yuki_tech', 'kabu_watch'],
}

const DISPLAY: Record<Lang, string[]> = {
  en: ['Tech Watcher', 'Maria', 'Policy Wonk', 'Dan', 'Chip Analyst', 'Sarah W.', 'Tom (VC)', 'Open Weights'],
  zh: ['小明', '老王聊科技', '北京开发者', 'AI观察', '算力志'],
  fr: ['Claire', 'Jean-Baptiste', 'IA & Société', 'Marc'],
  ja: ['田中', '東京の開発者', 'ゆき', '株ウォッチ'],
}

const OFF_LINKS = [
  'https://example.com/blog/monorepo-pnpm',
  'https://www.lemonde.fr/economie/article/2025/07/15/greves.html',
  'https://www.bbc.co.uk/sport/football/12345678',
  'https://www.reddit.com/r/aiArt/comments/abc123/',
]

/** The article's URL as people really share it: tracking parameters, mobile host, nyti.ms shortener, Chinese edition. */
function articleLink(rng: () => number): { expanded: string; unwound: string } {
  const r = rng()
  if (r < 0.35) return { expanded: NYT_ARTICLE_URL, unwound: NYT_ARTICLE_URL }
  if (r < 0.55) {
    const u = `${NYT_ARTICLE_URL}?smid=nytcore-ios-share&referringSource=articleShare`
    return { expanded: u, unwound: u }
  }
  if (r < 0.7) {
    const u = `${NYT_ARTICLE_URL}?utm_source=twitter&utm_medium=social&utm_campaign=nyt`
    return { expanded: u, unwound: u }
  }
  if (r < 0.85) return { expanded: `https://nyti.ms/${token(rng, 7)}`, unwound: NYT_ARTICLE_URL }
  if (r < 0.93) return { expanded: 'https://www.nytimes.com/2025/07/16/technology/china-ai.html#story-continues-1', unwound: NYT_ARTICLE_URL }
  const cn = 'https://cn.nytimes.com/technology/20250717/china-ai/'
  return { expanded: cn, unwound: cn }
}

function token(rng: () => number, n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let s = ''
  for (let i = 0; i < n; i++) s += abc[Math.floor(rng() * abc.length)]
  return s
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]!
}

function weighted<T>(rng: () => number, xs: readonly T[], ws: readonly number[]): T {
  let r = rng() * ws.reduce((a, b) => a + b, 0)
  for (let i = 0; i < xs.length; i++) {
    r -= ws[i]!
    if (r < 0) return xs[i]!
  }
  return xs[xs.length - 1]!
}

/** Heavy-tailed non-negative integer with the given scale. */
function heavy(rng: () => number, scale: number): number {
  return Math.floor(scale * (1 / Math.pow(1 - rng() * 0.999, 0.8) - 1))
}

/** A plain English post arriving at `at` while a collector runs (its own conversation, one like). */
export function arrivingTweet(at: number, seq: number, text: string, authorId: string): XTweet {
  const id = snowflakeFromMs(at, seq)
  return {
    id,
    text,
    author_id: authorId,
    created_at: new Date(at).toISOString(),
    lang: 'en',
    conversation_id: id,
    edit_history_tweet_ids: [id],
    public_metrics: { retweet_count: 0, reply_count: 0, like_count: 1, quote_count: 0, bookmark_count: 0, impression_count: 10 },
  }
}

/** Escape as X does: only & < >. */
export function xEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cpIndex(s: string, utf16: number): number {
  return [...s.slice(0, utf16)].length
}

interface LinkSpec {
  expanded: string
  unwound?: string
}

/**
 * Turn raw text with `{link}`-style placeholders into X's escaped text plus entities (t.co URLs, hashtags,
 * mentions), indices counted in code points on the escaped text.
 */
function compose(raw: string, links: LinkSpec[], rng: () => number, usersByName: Map<string, XUser>): { text: string; entities?: XTweetEntities } {
  const tco: { short: string; link: LinkSpec }[] = []
  let i = 0
  let text = xEscape(raw).replace(/\{(link|offlink|quotelink)\}/g, () => {
    const link = links[i++]!
    const short = `https://t.co/${token(rng, 10)}`
    tco.push({ short, link })
    return short
  })
  text = text.replace(/\s+$/, '')
  const entities: XTweetEntities = {}
  for (const { short, link } of tco) {
    const at = text.indexOf(short)
    const start = cpIndex(text, at)
    const display = link.expanded.replace(/^https?:\/\/(www\.)?/, '')
    const u: XUrlEntity = {
      start,
      end: start + short.length,
      url: short,
      expanded_url: link.expanded,
      display_url: display.length > 26 ? `${display.slice(0, 25)}…` : display,
    }
    if (link.unwound) {
      u.unwound_url = link.unwound
      u.status = 200
    }
    ;(entities.urls ??= []).push(u)
  }
  for (const m of text.matchAll(/#([\p{L}\p{N}_]+)/gu)) {
    const start = cpIndex(text, m.index)
    ;(entities.hashtags ??= []).push({ start, end: start + [...m[0]].length, tag: m[1]! })
  }
  for (const m of text.matchAll(/@([A-Za-z0-9_]+)/g)) {
    const u = usersByName.get(m[1]!.toLowerCase())
    if (!u) continue
    const start = cpIndex(text, m.index)
    ;(entities.mentions ??= []).push({ start, end: start + m[0].length, username: u.username, id: u.id })
  }
  return Object.keys(entities).length ? { text, entities } : { text }
}

/**
 * A deterministic, realistic set of posts over the 6 days before `now`: English, Chinese, French and Japanese,
 * a `topicShare` of them about the NYT China AI fund article (terms like "AI fund", "DeepSeek", "H20", "英伟达",
 * "国产大模型", "fonds d'État", "AIファンド", #DeepSeek, t.co links to the article with expanded/unwound URLs),
 * the rest off-topic (some with decoy words like "fund manager" or "AI art"); about 13% replies, 8% quotes,
 * 5% retweets (which search never returns) and 2% long posts whose full text is only in `note_tweet`.
 * Ids are snowflakes consistent with `created_at`. Text is HTML-escaped as X sends it.
 */
export function makeXDataset(o: XDatasetOptions): XDataset {
  const rng = seededRandom(o.seed)
  const now = typeof o.now === 'number' ? o.now : o.now.getTime()
  const share = o.topicShare ?? 0.4
  const DAY = 86_400_000

  // Users: a pool per language.
  const users: XUser[] = []
  const usersByLang = new Map<Lang, XUser[]>()
  const usersByName = new Map<string, XUser>()
  const perLang = Math.max(3, Math.ceil(o.count / 40))
  for (const lang of LANGS) {
    const pool: XUser[] = []
    for (let k = 0; k < perLang; k++) {
      const base = NAMES[lang][k % NAMES[lang].length]!
      const username = k < NAMES[lang].length ? base : `${base}${k}`
      const followers = heavy(rng, 300)
      const u: XUser = {
        id: String(1_000_000_000 + Math.floor(rng() * 8_999_999_999)) + String(Math.floor(rng() * 1e8)).padStart(8, '0'),
        username,
        name: DISPLAY[lang][k % DISPLAY[lang].length]!,
        public_metrics: {
          followers_count: followers,
          following_count: heavy(rng, 150),
          tweet_count: 10 + heavy(rng, 2000),
          listed_count: Math.floor(followers / 50),
          like_count: heavy(rng, 3000),
        },
        created_at: new Date(TWITTER_EPOCH_MS + rng() * (now - 30 * DAY - TWITTER_EPOCH_MS)).toISOString(),
        verified: rng() < 0.1,
      }
      pool.push(u)
      users.push(u)
      usersByName.set(username.toLowerCase(), u)
    }
    usersByLang.set(lang, pool)
  }

  // Creation times: spread over (now - days, now - 1 min], ascending; snowflake ids unique per millisecond.
  const span = (o.days ?? 6) * DAY
  const times: number[] = []
  for (let k = 0; k < o.count; k++) times.push(Math.floor(now - span + rng() * (span - 60_000)))
  times.sort((a, b) => a - b)

  const tweets: XTweet[] = []
  const onTopic = new Set<string>()
  const lastSeq = new Map<number, number>()
  // Posts a reply, quote or retweet can point at (retweets cannot be referenced).
  const candidates: XTweet[] = []
  for (const ms of times) {
    const seq = (lastSeq.get(ms) ?? -1) + 1
    lastSeq.set(ms, seq)
    const id = snowflakeFromMs(ms, seq)
    if (tweets.length && !tweets[tweets.length - 1]!.referenced_tweets?.some((r) => r.type === 'retweeted')) candidates.push(tweets[tweets.length - 1]!)
    const r = rng()
    const kind = candidates.length < 5 ? 'post' : r < 0.13 ? 'reply' : r < 0.21 ? 'quote' : r < 0.26 ? 'retweet' : r < 0.28 ? 'long' : 'post'
    const metrics = (): XTweetPublicMetrics => {
      const like = heavy(rng, 4)
      return {
        retweet_count: Math.floor(like / (2 + rng() * 6)),
        reply_count: Math.floor(like / (3 + rng() * 10)),
        like_count: like,
        quote_count: Math.floor(like / (10 + rng() * 20)),
        impression_count: like * (20 + Math.floor(rng() * 80)) + Math.floor(rng() * 200),
        bookmark_count: Math.floor(like / (5 + rng() * 20)),
      }
    }
    const base = {
      id,
      created_at: new Date(ms).toISOString(),
      edit_history_tweet_ids: [id],
      public_metrics: metrics(),
    }

    if (kind === 'retweet') {
      const orig = pick(rng, candidates)
      const origAuthor = users.find((u) => u.id === orig.author_id)!
      const lang = orig.lang as Lang
      const author = pick(rng, usersByLang.get(LANGS.includes(lang) ? lang : 'en')!)
      let text = `RT @${origAuthor.username}: ${orig.text}`
      if ([...text].length > 140)
        text =
          [...text]
            .slice(0, 139)
            .join('')
            .replace(/\s+\S*$/u, '') + '…'
      const start = 3
      const mention: XMentionEntity = { start, end: start + 1 + origAuthor.username.length, username: origAuthor.username, id: origAuthor.id }
      tweets.push({
        ...base,
        text,
        author_id: author.id,
        lang: orig.lang,
        conversation_id: id,
        public_metrics: { ...orig.public_metrics, impression_count: 0, bookmark_count: 0 },
        entities: { mentions: [mention] },
        referenced_tweets: [{ type: 'retweeted', id: orig.id }],
      })
      if (onTopic.has(orig.id)) onTopic.add(id)
      continue
    }

    if (kind === 'reply' || kind === 'quote') {
      const parent = pick(rng, candidates)
      const lang = (LANGS.includes(parent.lang as Lang) ? parent.lang : 'en') as Lang
      const author = pick(rng, usersByLang.get(lang)!)
      const parentAuthor = users.find((u) => u.id === parent.author_id)!
      const topical = onTopic.has(parent.id)
      if (kind === 'reply') {
        const raw = `@${parentAuthor.username} ${pick(rng, (topical ? REPLIES_ON : REPLIES_OFF)[lang])}`
        const c = compose(raw, [], rng, usersByName)
        tweets.push({
          ...base,
          ...c,
          author_id: author.id,
          lang,
          conversation_id: parent.conversation_id,
          referenced_tweets: [{ type: 'replied_to', id: parent.id }],
          in_reply_to_user_id: parent.author_id,
        })
      } else {
        const raw = `${pick(rng, (topical ? QUOTES_ON : QUOTES_OFF)[lang])} {quotelink}`
        const link = `https://twitter.com/${parentAuthor.username}/status/${parent.id}`
        const c = compose(raw, [{ expanded: link }], rng, usersByName)
        tweets.push({
          ...base,
          ...c,
          author_id: author.id,
          lang,
          conversation_id: id,
          referenced_tweets: [{ type: 'quoted', id: parent.id }],
        })
      }
      if (topical) onTopic.add(id)
      continue
    }

    const lang = weighted(rng, LANGS, LANG_WEIGHTS)
    const author = pick(rng, usersByLang.get(lang)!)
    if (kind === 'long') {
      const full = compose(LONG_ON[lang], [articleLink(rng)], rng, usersByName)
      const cps = [...full.text]
      // X truncates `text` of long posts; the entities of the cut-off part live only in note_tweet.
      const cut =
        cps
          .slice(0, 270)
          .join('')
          .replace(/\s+\S*$/u, '') + '…'
      const cutLen = [...cut].length
      const keep = (es?: { end: number }[]) => es?.filter((e) => e.end < cutLen)
      const ents: XTweetEntities = {}
      const urls = keep(full.entities?.urls) as XUrlEntity[] | undefined
      const tags = keep(full.entities?.hashtags) as XHashtagEntity[] | undefined
      if (urls?.length) ents.urls = urls
      if (tags?.length) ents.hashtags = tags
      tweets.push({
        ...base,
        text: cut,
        ...(Object.keys(ents).length ? { entities: ents } : {}),
        note_tweet: full.entities ? { text: full.text, entities: full.entities } : { text: full.text },
        author_id: author.id,
        lang,
        conversation_id: id,
      })
      onTopic.add(id)
      continue
    }

    const topical = rng() < share
    const raw = pick(rng, (topical ? ON_TOPIC : OFF_TOPIC)[lang])
    const links: LinkSpec[] = []
    for (const m of raw.matchAll(/\{(link|offlink)\}/g)) links.push(m[1] === 'link' ? articleLink(rng) : { expanded: pick(rng, OFF_LINKS) })
    const c = compose(raw, links, rng, usersByName)
    const t: XTweet = { ...base, ...c, author_id: author.id, lang, conversation_id: id }
    // A few edited posts: the edit's id is the newest in its history.
    if (rng() < 0.02) t.edit_history_tweet_ids = [snowflakeFromMs(ms - 60_000 - Math.floor(rng() * 600_000), 0), id]
    if (rng() < 0.03) t.possibly_sensitive = true
    tweets.push(t)
    if (topical) onTopic.add(id)
  }

  // Reply counts consistent with the replies present (at least).
  const replies = new Map<string, number>()
  for (const t of tweets) for (const r of t.referenced_tweets ?? []) if (r.type === 'replied_to') replies.set(r.id, (replies.get(r.id) ?? 0) + 1)
  for (const t of tweets) {
    const n = replies.get(t.id)
    if (n && t.public_metrics.reply_count < n) t.public_metrics.reply_count = n
  }

  return { tweets, users, onTopicIds: tweets.filter((t) => onTopic.has(t.id)).map((t) => t.id) }
}
