/**
 * Writes the bundled demo sample, config/sample/sample.jsonl.gz: gzip of UTF-8 JSONL, one raw API payload a
 * line (an X API v2 recent-search page, a Bluesky `app.bsky.feed.searchPosts` output, or a Jetstream v1
 * event), ordered by the time a collector would have received it.
 *
 * Everything in it is SYNTHETIC: invented accounts (X usernames, `.test` Bluesky handles, random DIDs and
 * ids) posting the texts of config/sample/texts.jsonl, varied and scheduled by a seeded PRNG. The only real
 * names are the article's publisher accounts watched in config/stancewatch.yaml (X `nytimes` and
 * `nytimesbusiness`, Bluesky `nytimes.com`); their ids, texts and counts are invented too.
 *
 * Deterministic: no clock, no Math.random; the same inputs give a byte-identical file.
 *
 *   npx tsx tools/sample/generate.ts            # write the sample and print its figures
 *   npx tsx tools/sample/generate.ts --check    # ...then read it back through the pipeline
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { DateTime } from 'luxon'
import { cidFor, didPlc, snowflakeFromMs, tid } from '../synthetic/ids.js'
import { Rng } from '../synthetic/random.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const TEXTS_FILE = path.join(ROOT, 'config/sample/texts.jsonl')
export const SAMPLE_FILE = path.join(ROOT, 'config/sample/sample.jsonl.gz')

const SEED = 20250716

// ---------------------------------------------------------------------------------------------------------
// Time frame
// ---------------------------------------------------------------------------------------------------------

const SEC = 1000
const MIN = 60 * SEC
const HOUR = 60 * MIN
const NY = 'America/New_York'
/** 2025-07-10 00:00 to 2025-07-27 00:00 in New York: 17 days. */
const START_MS = Date.UTC(2025, 6, 10, 4)
const END_MS = Date.UTC(2025, 6, 27, 4)
/** The article goes online at 05:00 New York time on 2025-07-16. */
const ARTICLE_MS = Date.UTC(2025, 6, 16, 9)
/** The article spike: 2025-07-16 06:00-13:00 New York. */
const SPIKE1: readonly [number, number] = [Date.UTC(2025, 6, 16, 10), Date.UTC(2025, 6, 16, 17)]
/** The H20 export news: 2025-07-22 14:00-17:00 New York. */
const SPIKE2: readonly [number, number] = [Date.UTC(2025, 6, 22, 18), Date.UTC(2025, 6, 22, 21)]
/** H20-reopening texts only make sense once the reopening was news. */
const H20_NEWS_MS = Date.UTC(2025, 6, 15, 4)
/** The X collector was rate-limited during the article spike (06:00-12:15 New York); the catch-up run pages. */
const X_OUTAGE: readonly [number, number] = [Date.UTC(2025, 6, 16, 10), Date.UTC(2025, 6, 16, 16, 15)]
/** The Bluesky session expired during the spike (07:00-11:00 New York); the catch-up search run pages with a cursor. */
const BSKY_OUTAGE: readonly [number, number] = [Date.UTC(2025, 6, 16, 11), Date.UTC(2025, 6, 16, 15)]
const CYCLE = 15 * MIN
const X_PAGE = 100
const BSKY_PAGE = 25

const ARTICLE_URL = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const SHORT_URL = 'https://nyti.ms/4lQ2xYz'

type Lang = 'en' | 'zh' | 'fr' | 'ja'
type Stance = 'concern' | 'praise' | 'neutral' | 'offtopic'
type Platform = 'x' | 'bluesky'
type Mode = 'base' | 'spike1' | 'spike2' | 'offtopic'
type Phase = 'pre' | 'article' | 'post' | 'h20'
type XQuery = 'url' | 'en' | 'zh'

const LANGS: readonly Lang[] = ['en', 'zh', 'fr', 'ja']
const LANG_SHARE: Record<Lang, number> = { en: 0.45, zh: 0.33, fr: 0.11, ja: 0.11 }
const X_SHARE: Record<Lang, number> = { en: 0.56, zh: 0.58, fr: 0.52, ja: 0.48 }

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------------------

/** An independent stream per concern, so tuning one part does not reshuffle the others. */
function stream(name: string): Rng {
  let h = 0x811c9dc5 ^ SEED
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return new Rng(h)
}

// ---------------------------------------------------------------------------------------------------------
// Platform identifiers
// ---------------------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

const snowflake = (ms: number, rng: Rng): string => snowflakeFromMs(ms, rng.int(0, (1 << 22) - 1))
const tco = (rng: Rng): string => `https://t.co/${rng.chars(ALNUM, 10)}`
const iso = (ms: number): string => new Date(ms).toISOString()
/** X reports created_at to the second. */
const xIso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString()

// ---------------------------------------------------------------------------------------------------------
// Source texts
// ---------------------------------------------------------------------------------------------------------

interface SourceText {
  id: string
  lang: Lang
  stance: Stance
  kind: 'post' | 'reply'
  text: string
  hasLink: boolean
  refsArticle: boolean
  h20News: boolean
  chips: boolean
}

const ARTICLE_REF = /NYT|New York Times|article|the piece|this piece|paywall|纽时|外媒|文章|原文|报道|这篇|記事|papier|l'article/i
const H20_NEWS = /H20|Nvidia|NVIDIA|英伟达|エヌビディア/
const CHIPS = /H20|Nvidia|NVIDIA|英伟达|エヌビディア|芯片|出口管制|輸出規制|export control|\bchips?\b|算力|卡脖子|puces/i
const HOSTILE_IDS = ['en-n-022', 'en-n-023', 'en-n-024', 'en-n-042']

function loadTexts(): SourceText[] {
  return readFileSync(TEXTS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const t = JSON.parse(l) as Omit<SourceText, 'hasLink' | 'refsArticle' | 'h20News' | 'chips'>
      return {
        ...t,
        hasLink: t.text.includes('{link}'),
        refsArticle: ARTICLE_REF.test(t.text),
        h20News: H20_NEWS.test(t.text),
        chips: CHIPS.test(t.text),
      }
    })
}

// ---------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------

interface Account {
  platform: Platform
  lang: Lang
  /** X user id, or Bluesky DID. */
  id: string
  /** X username, or Bluesky handle. */
  username: string
  name: string
  createdMs: number
  followers: number
  following: number
  tweets: number
  listed: number
  avatar: string | null
  weight: number
  watched: boolean
  /** X user object / Bluesky ProfileViewBasic, built once. */
  view: Record<string, unknown>
}

const EN_FIRST =
  'mira dan kevin sam priya alex jordan chris taylor maya noah liam emma olivia ethan ava lucas sofia leo zoe ben nina omar aisha raj tom kate jess mark paul ruth hannah grace josh ryan megan laura sarah david mike rachel amy tyler eric anna marcus elena isaac julia kwame tariq fiona owen iris felix nora jack lena victor claire'.split(
    ' ',
  )
const EN_LAST =
  'chen patel smith okafor nguyen garcia miller brooks kim reyes walsh cohen hart fox lee shah morgan price ellis wood hughes bennett rossi novak park singh mensah baker carter hayes'.split(
    ' ',
  )
const EN_SUFFIX = 'codes ml reads writes dev econ policy vc data tech notes ai builds thinks pod news chips macro labs asia'.split(' ')
const EN_ROLE = [
  'AI policy',
  'ML engineer',
  'tech reporter (views mine)',
  'econ PhD student',
  'VC',
  'China watcher',
  'chip nerd',
  'data scientist',
  'indie hacker',
  'podcaster',
  'trade lawyer',
  'sinologist',
]
const ZH_SUR: [string, string][] = [
  ['王', 'wang'],
  ['李', 'li'],
  ['张', 'zhang'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['黄', 'huang'],
  ['赵', 'zhao'],
  ['吴', 'wu'],
  ['周', 'zhou'],
  ['徐', 'xu'],
  ['孙', 'sun'],
  ['马', 'ma'],
  ['朱', 'zhu'],
  ['胡', 'hu'],
  ['郭', 'guo'],
  ['何', 'he'],
  ['林', 'lin'],
  ['高', 'gao'],
  ['罗', 'luo'],
]
const ZH_GIVEN: [string, string][] = [
  ['伟', 'wei'],
  ['芳', 'fang'],
  ['娜', 'na'],
  ['敏', 'min'],
  ['静', 'jing'],
  ['磊', 'lei'],
  ['洋', 'yang'],
  ['勇', 'yong'],
  ['杰', 'jie'],
  ['涛', 'tao'],
  ['明', 'ming'],
  ['超', 'chao'],
  ['晨', 'chen'],
  ['浩', 'hao'],
  ['宇', 'yu'],
  ['欣', 'xin'],
  ['婷', 'ting'],
  ['鹏', 'peng'],
  ['飞', 'fei'],
  ['雪', 'xue'],
]
const ZH_TOPIC: [string, string][] = [
  ['看科技', 'tech'],
  ['聊AI', 'ai'],
  ['说芯片', 'chips'],
  ['的算力笔记', 'compute'],
  ['读论文', 'papers'],
  ['谈创投', 'vc'],
  ['观察', 'watch'],
]
const ZH_NICK = [
  '硅谷码农',
  '算力打工人',
  '数据民工',
  '深圳创业者',
  '北京码农',
  'AI观察员',
  '科技评论员',
  '炼丹师',
  '开源爱好者',
  '大模型产品经理',
  '半导体老兵',
  '海归博士',
  '杭州程序员',
  '财经小编',
]
const FR_FIRST =
  'julie camille thomas nicolas sophie lucas manon hugo lea antoine claire pierre marie louis chloe mathieu elise romain ines julien amelie baptiste margaux yanis celine'.split(
    ' ',
  )
const FR_ACCENT: Record<string, string> = { lea: 'Léa', chloe: 'Chloé', amelie: 'Amélie', elise: 'Élise', ines: 'Inès', celine: 'Céline' }
const FR_LAST =
  'dupont martin bernard leroy moreau petit durand lefebvre fournier girard bonnet mercier lambert faure rousseau blanc garnier chevalier robin masson'.split(
    ' ',
  )
const FR_SUFFIX = 'tech eco ia num data veille geo dev'.split(' ')
const FR_ROLE = ['veille IA', 'journaliste tech', 'économiste', 'dev', 'doctorante en géopolitique', 'consultant data', "prof d'éco", 'sinologue amateur']
const JA_LAST: [string, string][] = [
  ['田中', 'tanaka'],
  ['鈴木', 'suzuki'],
  ['佐藤', 'sato'],
  ['高橋', 'takahashi'],
  ['渡辺', 'watanabe'],
  ['伊藤', 'ito'],
  ['山本', 'yamamoto'],
  ['中村', 'nakamura'],
  ['小林', 'kobayashi'],
  ['加藤', 'kato'],
  ['吉田', 'yoshida'],
  ['山田', 'yamada'],
  ['松本', 'matsumoto'],
  ['井上', 'inoue'],
  ['木村', 'kimura'],
]
const JA_GIVEN: [string, string][] = [
  ['ゆき', 'yuki'],
  ['健太', 'kenta'],
  ['さくら', 'sakura'],
  ['蓮', 'ren'],
  ['葵', 'aoi'],
  ['大輝', 'daiki'],
  ['美咲', 'misaki'],
  ['翔', 'sho'],
  ['陽菜', 'hina'],
  ['拓海', 'takumi'],
  ['悠真', 'yuma'],
  ['花子', 'hanako'],
]
const JA_TAG = ['AI勉強中', '機械学習', '半導体ウォッチ', '中国テック', 'エンジニア', '投資家見習い', 'テック記者']
const JA_NICK = ['AIウォッチャー', 'テック好きの会社員', 'データサイエンス修行中', '中国経済メモ', '半導体おじさん', '週末プログラマー']
const JA_SUFFIX = 'ai ml dev tech jp'.split(' ')

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
const nn = (rng: Rng): string => String(rng.int(1, 99)).padStart(2, '0')

/** Invented display name and X-style username (<= 15 chars of [A-Za-z0-9_]) for a language. */
function inventName(lang: Lang, rng: Rng): { username: string; name: string } {
  switch (lang) {
    case 'en': {
      const f = rng.pick(EN_FIRST)
      const l = rng.pick(EN_LAST)
      const username = rng.pick([
        `${f}_${rng.pick(EN_SUFFIX)}`,
        `${f}${l}`,
        `${f}_${l}`,
        `${f}${l[0]}${nn(rng)}`,
        `the${f}${rng.pick(EN_SUFFIX)}`,
        `${cap(f)}${cap(l)}`,
      ])
      const name = rng.pick([`${cap(f)} ${cap(l)}`, `${cap(f)} ${cap(l)}`, `${cap(f)} | ${rng.pick(EN_ROLE)}`, `${cap(f)} ${l[0]!.toUpperCase()}.`, cap(f)])
      return { username, name }
    }
    case 'zh': {
      const [s, sp] = rng.pick(ZH_SUR)
      const [g, gp] = rng.pick(ZH_GIVEN)
      const [t, tp] = rng.pick(ZH_TOPIC)
      const r = rng.next()
      if (r < 0.35) return { username: `${sp}${gp}${nn(rng)}`, name: `${s}${g}` }
      if (r < 0.55) return { username: `lao${sp}_${tp}`, name: `老${s}${t}` }
      if (r < 0.7) return { username: `xiao${sp}_${tp}`, name: `小${s}${t}` }
      return { username: `${tp}_${sp}${gp}`, name: rng.pick(ZH_NICK) + (rng.chance(0.3) ? nn(rng) : '') }
    }
    case 'fr': {
      const f = rng.pick(FR_FIRST)
      const l = rng.pick(FR_LAST)
      const first = FR_ACCENT[f] ?? cap(f)
      const username = rng.pick([`${f}_${l}`, `${f}${l}`, `${f}_${rng.pick(FR_SUFFIX)}`, `${f[0]}${l}${nn(rng)}`, `${l}_${rng.pick(FR_SUFFIX)}`])
      const name = rng.pick([`${first} ${cap(l)}`, `${first} ${cap(l)}`, `${first} | ${rng.pick(FR_ROLE)}`, `${first} ${l[0]!.toUpperCase()}.`])
      return { username, name }
    }
    case 'ja': {
      const [l, lr] = rng.pick(JA_LAST)
      const [g, gr] = rng.pick(JA_GIVEN)
      const username = rng.pick([`${lr}_${gr}`, `${lr}${gr}${nn(rng)}`, `${gr}_${rng.pick(JA_SUFFIX)}`, `${lr}_${rng.pick(JA_SUFFIX)}`])
      const name = rng.pick([`${l}${g}`, `${l}｜${rng.pick(JA_TAG)}`, `${g}@${rng.pick(JA_TAG)}`, rng.pick(JA_NICK)])
      return { username, name }
    }
  }
}

/** Bluesky handle from an X-style username; `.test` is a reserved TLD, so it can never be a real account. */
function handleOf(username: string): string {
  const label = username
    .toLowerCase()
    .replace(/_+/g, '-')
    .replace(/^-+|-+$/g, '')
  return `${label}.test`
}

const ACCOUNT_COUNTS: Record<Lang, { x: number; bluesky: number }> = {
  en: { x: 168, bluesky: 138 },
  zh: { x: 130, bluesky: 88 },
  fr: { x: 43, bluesky: 42 },
  ja: { x: 40, bluesky: 47 },
}
/** Accounts the texts mention by name (@kevin_ml ...): they exist on both platforms. */
const MENTIONED = ['kevin_ml', 'mira_codes', 'sam_h', 'dan_reads']

interface AccountBook {
  all: Account[]
  pools: Map<string, { accounts: Account[]; weights: number[] }>
  xByName: Map<string, Account>
  bskyByBase: Map<string, Account>
  watched: { nytimes: Account; nytimesbusiness: Account; bskyNytimes: Account }
}

function makeAccounts(): AccountBook {
  const rng = stream('accounts')
  const all: Account[] = []
  const usedX = new Set<string>()
  const usedHandles = new Set<string>()

  const followers = (): number => {
    const r = rng.next()
    if (r < 0.02) return Math.round(rng.logUniform(50_000, 800_000))
    if (r < 0.1) return Math.round(rng.logUniform(2_000, 50_000))
    if (r < 0.96) return Math.round(rng.logUniform(50, 2_000))
    return rng.int(3, 49)
  }

  const add = (platform: Platform, lang: Lang, username: string, name: string, opts: { watched?: boolean; followers?: number } = {}): Account => {
    const f = opts.followers ?? followers()
    let id: string
    let createdMs: number
    if (platform === 'x') {
      createdMs = Math.round(rng.logUniform(1, 16) * 365.25 * 24 * HOUR)
      createdMs = Date.UTC(2025, 0, 1) - createdMs
      // Accounts from before late 2013 have sequential ids; later ones are snowflakes.
      id =
        createdMs < Date.UTC(2013, 10, 1)
          ? String(Math.round(10_000_000 + ((createdMs - Date.UTC(2008, 0, 1)) / (Date.UTC(2013, 10, 1) - Date.UTC(2008, 0, 1))) * 2_000_000_000))
          : snowflake(createdMs, rng)
      if (createdMs < Date.UTC(2008, 0, 1)) id = String(rng.int(700_000, 9_000_000))
    } else {
      createdMs = Date.UTC(2023, 3, 1) + Math.floor(rng.next() * (Date.UTC(2025, 5, 30) - Date.UTC(2023, 3, 1)))
      id = didPlc(rng.next)
    }
    const weight = opts.watched ? 0 : Math.min(rng.pareto(1.6), 30)
    const acct: Account = {
      platform,
      lang,
      id,
      username,
      name,
      createdMs,
      followers: f,
      following: Math.round(rng.logUniform(30, 3000)),
      tweets: Math.round(rng.logUniform(80, 90_000)),
      listed: Math.floor((f / 120) * rng.next()),
      avatar: null,
      weight,
      watched: opts.watched ?? false,
      view: {},
    }
    if (platform === 'bluesky' && (opts.watched || rng.chance(0.78))) {
      acct.avatar = `https://cdn.bsky.app/img/avatar/plain/${id}/${cidFor(`avatar:${id}`)}@jpeg`
    }
    acct.view =
      platform === 'x'
        ? {
            id,
            username,
            name,
            created_at: xIso(createdMs),
            public_metrics: { followers_count: f, following_count: acct.following, tweet_count: acct.tweets, listed_count: acct.listed },
            verified: false,
          }
        : { did: id, handle: username, displayName: name, ...(acct.avatar ? { avatar: acct.avatar } : {}), labels: [], createdAt: iso(createdMs) }
    all.push(acct)
    return acct
  }

  const uniqueX = (u: string): string => {
    let name = u.slice(0, 15)
    while (usedX.has(name.toLowerCase())) name = `${u.slice(0, 12)}${rng.int(1, 999)}`.slice(0, 15)
    usedX.add(name.toLowerCase())
    return name
  }
  const uniqueHandle = (u: string): string => {
    let h = handleOf(u)
    while (usedHandles.has(h)) h = handleOf(`${u}${rng.int(2, 99)}`)
    usedHandles.add(h)
    return h
  }

  const nytimes = add('x', 'en', uniqueX('nytimes'), 'The New York Times', { watched: true, followers: 53_200_000 })
  const nytimesbusiness = add('x', 'en', uniqueX('nytimesbusiness'), 'NYT Business', { watched: true, followers: 1_040_000 })
  usedHandles.add('nytimes.com')
  const bskyNytimes = add('bluesky', 'en', 'nytimes.com', 'The New York Times', { watched: true, followers: 620_000 })
  const xByName = new Map<string, Account>()
  const bskyByBase = new Map<string, Account>()
  for (const m of MENTIONED) {
    const name = cap(m.split('_')[0]!)
    xByName.set(m, add('x', 'en', uniqueX(m), name))
    bskyByBase.set(m, add('bluesky', 'en', uniqueHandle(m), name))
  }
  for (const lang of LANGS) {
    for (const platform of ['x', 'bluesky'] as const) {
      const n = ACCOUNT_COUNTS[lang][platform] - (lang === 'en' ? MENTIONED.length : 0)
      for (let i = 0; i < n; i++) {
        const inv = inventName(lang, rng)
        const username = platform === 'x' ? uniqueX(inv.username) : uniqueHandle(inv.username)
        add(platform, lang, username, inv.name)
      }
    }
  }
  for (const a of all) if (a.platform === 'x') xByName.set(a.username.toLowerCase(), a)
  // A few heavy posters per language and platform.
  const pools = new Map<string, { accounts: Account[]; weights: number[] }>()
  for (const lang of LANGS) {
    for (const platform of ['x', 'bluesky'] as const) {
      const accounts = all.filter((a) => a.lang === lang && a.platform === platform && !a.watched)
      for (let i = 0; i < 2; i++) rng.pick(accounts).weight = 25 + rng.int(0, 20)
      pools.set(`${platform}:${lang}`, { accounts, weights: accounts.map((a) => a.weight) })
    }
  }
  return { all, pools, xByName, bskyByBase, watched: { nytimes, nytimesbusiness, bskyNytimes } }
}

// ---------------------------------------------------------------------------------------------------------
// Texts as segments, and their variations
// ---------------------------------------------------------------------------------------------------------

type Seg = { t: 'text'; s: string } | { t: 'link'; url: string } | { t: 'tag'; tag: string } | { t: 'mention'; name: string; acct?: Account }

/** Splits a source text into plain text, `{link}`, #hashtags and @mentions (ASCII usernames). */
function parseSegments(text: string, linkUrl: string | null): Seg[] {
  const segs: Seg[] = []
  const cps = [...text]
  let buf = ''
  const flush = (): void => {
    if (buf) segs.push({ t: 'text', s: buf })
    buf = ''
  }
  for (let i = 0; i < cps.length;) {
    const ch = cps[i]!
    const prev = i > 0 ? cps[i - 1]! : ''
    if (ch === '{' && cps.slice(i, i + 6).join('') === '{link}') {
      flush()
      if (linkUrl) segs.push({ t: 'link', url: linkUrl })
      i += 6
      continue
    }
    if (ch === '#' && (prev === '' || !/[\p{L}\p{N}_&]/u.test(prev))) {
      let j = i + 1
      let tag = ''
      while (j < cps.length && /[\p{L}\p{M}\p{N}_]/u.test(cps[j]!)) tag += cps[j++]
      if (tag && /[\p{L}\p{M}]/u.test(tag)) {
        flush()
        segs.push({ t: 'tag', tag })
        i = j
        continue
      }
    }
    if (ch === '@' && (prev === '' || !/[A-Za-z0-9_]/.test(prev))) {
      let j = i + 1
      let name = ''
      while (j < cps.length && /[A-Za-z0-9_]/.test(cps[j]!)) name += cps[j++]
      if (name && name.length <= 15) {
        flush()
        segs.push({ t: 'mention', name })
        i = j
        continue
      }
    }
    buf += ch
    i++
  }
  flush()
  // "({link})" with no link left: drop the empty brackets and doubled spaces.
  return segs.map((s) => (s.t === 'text' ? { ...s, s: s.s.replace(/\(\)|（）/g, '').replace(/ {2,}/g, ' ') } : s)).filter((s) => s.t !== 'text' || s.s !== '')
}

const PREFIX: Record<Lang, string[]> = {
  en: ['This 👇 ', 'Thread: ', 'RT-worthy: ', 'Worth a read: ', 'ICYMI: ', 'Hmm. '],
  zh: ['转：', '转发：', 'mark一下：', '【转】'],
  fr: ['À lire : ', 'À méditer : ', 'Intéressant : '],
  ja: ['読んだ：', 'メモ：', '共有：', '【メモ】'],
}
const HASHTAGS: Record<Lang, string[]> = {
  en: ['DeepSeek', 'AI', 'China'],
  zh: ['中国AI', '国产大模型', 'DeepSeek', 'AI'],
  fr: ['IA', 'Chine', 'DeepSeek'],
  ja: ['生成AI', 'AI', 'DeepSeek'],
}
const EMOJI = ['🤔', '👀', '😬', '📈', '🔥', '💡', '😅', '🙃', '📌', '🧐', '🚀']
const EDIT_NOTE: Record<Lang, string> = { en: ' (edit: typo)', zh: '（改个错别字）', fr: ' (édit : coquille)', ja: '（追記：誤字修正）' }

interface Variation {
  prefix: boolean
  casing: 'none' | 'lower' | 'upperFirst'
  emoji: boolean
  tags: number
  mention: boolean
}

function applyVariation(segs: Seg[], v: Variation, lang: Lang, rng: Rng, mentionAcct: Account | null): Seg[] {
  let out = segs.map((s) => ({ ...s }))
  if (v.casing === 'lower') out = out.map((s) => (s.t === 'text' ? { ...s, s: s.s.toLowerCase() } : s))
  if (v.casing === 'upperFirst' && out[0]?.t === 'text') out[0] = { t: 'text', s: cap(out[0].s) }
  if (v.prefix) out.unshift({ t: 'text', s: rng.pick(PREFIX[lang]) })
  if (v.emoji) out.push({ t: 'text', s: ` ${rng.pick(EMOJI)}` })
  if (v.mention && mentionAcct) {
    out.push({ t: 'text', s: lang === 'en' || lang === 'fr' ? ' cc ' : ' ' })
    out.push({ t: 'mention', name: mentionAcct.username, acct: mentionAcct })
  }
  if (v.tags > 0) {
    const present = new Set(out.flatMap((s) => (s.t === 'tag' ? [s.tag.toLowerCase()] : [])))
    const choices = HASHTAGS[lang].filter((h) => !present.has(h.toLowerCase()))
    for (let i = 0; i < v.tags && choices.length > 0; i++) {
      const tag = choices.splice(rng.int(0, choices.length - 1), 1)[0]!
      out.push({ t: 'text', s: ' ' }, { t: 'tag', tag })
    }
  }
  return out
}

function appendLink(segs: Seg[], url: string): Seg[] {
  // Before trailing hashtags, as people usually paste a link right after their sentence.
  let cut = segs.length
  while (cut > 0 && (segs[cut - 1]!.t === 'tag' || (segs[cut - 1]!.t === 'text' && (segs[cut - 1] as { s: string }).s.trim() === ''))) cut--
  return [...segs.slice(0, cut), { t: 'text', s: ' ' }, { t: 'link', url }, ...segs.slice(cut)]
}

// ---------------------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------------------

const LINK_VARIANTS: readonly { url: string; x: number; bsky: number; unwound: string }[] = [
  { url: ARTICLE_URL, x: 30, bsky: 40, unwound: ARTICLE_URL },
  {
    url: `${ARTICLE_URL}?smid=nytcore-ios-share&referringSource=articleShare`,
    x: 14,
    bsky: 18,
    unwound: `${ARTICLE_URL}?smid=nytcore-ios-share&referringSource=articleShare`,
  },
  {
    url: `${ARTICLE_URL}?utm_source=twitter&utm_medium=social&utm_campaign=tech`,
    x: 10,
    bsky: 6,
    unwound: `${ARTICLE_URL}?utm_source=twitter&utm_medium=social&utm_campaign=tech`,
  },
  { url: `${ARTICLE_URL}#commentsContainer`, x: 5, bsky: 6, unwound: ARTICLE_URL },
  {
    url: 'https://www.nytimes.com/2025/07/16/technology/china-ai.amp.html',
    x: 7,
    bsky: 8,
    unwound: 'https://www.nytimes.com/2025/07/16/technology/china-ai.amp.html',
  },
  { url: 'https://mobile.nytimes.com/2025/07/16/technology/china-ai.html', x: 7, bsky: 9, unwound: ARTICLE_URL },
  { url: 'http://nytimes.com/2025/07/16/technology/china-ai.html/', x: 5, bsky: 5, unwound: ARTICLE_URL },
  { url: SHORT_URL, x: 22, bsky: 2, unwound: `${ARTICLE_URL}?smid=tw-nytimes&smtyp=cur` },
]

/** What the Bluesky app shows for a long link (social-app's toShortUrl). */
function bskyShortUrl(url: string): string {
  const u = new URL(url)
  const p = (u.pathname === '/' ? '' : u.pathname) + u.search + u.hash
  return p.length > 15 ? `${u.host}${p.slice(0, 13)}...` : `${u.host}${p}`
}

/** X's display_url: no scheme, no www., at most 26 characters then an ellipsis. */
function xDisplayUrl(url: string): string {
  const d = url.replace(/^https?:\/\//, '').replace(/^www\./, '')
  return d.length > 26 ? `${d.slice(0, 26)}…` : d
}

const EXTERNAL = {
  uri: ARTICLE_URL,
  // Placeholder card text (not the article's real headline or summary).
  title: 'China’s State-Backed Bet on A.I. Start-Ups',
  description: 'A government fund has put money into hundreds of young artificial intelligence companies. What has it bought?',
}

// ---------------------------------------------------------------------------------------------------------
// Queries the simulated X collector runs
// ---------------------------------------------------------------------------------------------------------

const X_QUERIES: readonly XQuery[] = ['url', 'en', 'zh']
const EN_QUERY =
  /\b(ai fund|state fund|state-backed|guidance funds?|little giants|h20s?|nvidia|deepseek|qwen|kimi|zhipu|glm|minimax|export controls?|chip ban|subsidi[sz]\w*|industrial policy|overcapacity|china|chinese|beijing|nyt)\b/i
const ZH_QUERY = /中国|人工智能|大模型|算力|芯片|英伟达|基金|补贴|产业政策|国产|深度求索|千问|小巨人|外媒|纽时|出口管制|标注/

function xQueryFits(plain: string, hasArticleLink: boolean): XQuery[] {
  const fits: XQuery[] = []
  if (hasArticleLink) fits.push('url')
  if (EN_QUERY.test(plain)) fits.push('en')
  if (ZH_QUERY.test(plain)) fits.push('zh')
  return fits
}

// ---------------------------------------------------------------------------------------------------------
// Rendering: X
// ---------------------------------------------------------------------------------------------------------

const escapeX = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** X's weighted length: most of Latin counts 1, CJK, emoji and the rest 2. */
function xWeight(s: string): number {
  let w = 0
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    w += c <= 0x10ff || (c >= 0x2000 && c <= 0x200d) || (c >= 0x2010 && c <= 0x201f) || (c >= 0x2032 && c <= 0x2037) ? 1 : 2
  }
  return w
}

interface XPiece {
  raw: string
  out: string
  weight: number
  entity?: { kind: 'urls' | 'hashtags' | 'mentions'; body: Record<string, unknown> }
}

interface XRendered {
  text: string
  entities: Record<string, unknown[]>
  note: { text: string; entities: Record<string, unknown[]> } | null
  plain: string
}

function layoutX(pieces: XPiece[]): { text: string; entities: Record<string, unknown[]> } {
  let text = ''
  let pos = 0
  const entities: Record<string, unknown[]> = {}
  for (const p of pieces) {
    const len = [...p.out].length
    if (p.entity) (entities[p.entity.kind] ??= []).push({ start: pos, end: pos + len, ...p.entity.body })
    text += p.out
    pos += len
  }
  // The API's order: hashtags, mentions, urls.
  const ordered: Record<string, unknown[]> = {}
  for (const k of ['hashtags', 'mentions', 'urls']) if (entities[k]) ordered[k] = entities[k]!
  return { text, entities: ordered }
}

function renderX(segs: Seg[], ctx: { rng: Rng; book: AccountBook; leading: Account[]; quote: { username: string; id: string } | null }): XRendered {
  const { rng } = ctx
  const pieces: XPiece[] = []
  const plainParts: string[] = []
  const text = (s: string): void => {
    pieces.push({ raw: s, out: escapeX(s), weight: xWeight(s) })
    plainParts.push(s)
  }
  const mention = (a: Account | undefined, written: string): void => {
    const s = `@${a ? a.username : written}`
    plainParts.push(s)
    pieces.push({ raw: s, out: s, weight: xWeight(s), ...(a ? { entity: { kind: 'mentions' as const, body: { username: a.username, id: a.id } } } : {}) })
  }
  for (const a of ctx.leading) {
    mention(a, a.username)
    text(' ')
  }
  for (const s of segs) {
    if (s.t === 'text') text(s.s)
    else if (s.t === 'tag') {
      pieces.push({ raw: `#${s.tag}`, out: `#${s.tag}`, weight: xWeight(`#${s.tag}`), entity: { kind: 'hashtags', body: { tag: s.tag } } })
      plainParts.push(`#${s.tag}`)
    } else if (s.t === 'mention') mention(s.acct ?? ctx.book.xByName.get(s.name.toLowerCase()), s.name)
    else {
      const url = tco(rng)
      const variant = LINK_VARIANTS.find((v) => v.url === s.url)
      const unwound = variant && (variant.url === SHORT_URL || rng.chance(0.85)) ? { unwound_url: variant.unwound } : {}
      // Keyword search reads the words people wrote, not the URL behind a t.co link.
      pieces.push({ raw: url, out: url, weight: 23, entity: { kind: 'urls', body: { url, expanded_url: s.url, display_url: xDisplayUrl(s.url), ...unwound } } })
    }
  }
  if (ctx.quote) {
    text(' ')
    const url = tco(rng)
    const expanded = `https://x.com/${ctx.quote.username}/status/${ctx.quote.id}`
    pieces.push({ raw: url, out: url, weight: 23, entity: { kind: 'urls', body: { url, expanded_url: expanded, display_url: xDisplayUrl(expanded) } } })
  }
  const full = layoutX(pieces)
  const totalWeight = pieces.reduce((n, p) => n + p.weight, 0)
  if (totalWeight <= 280) return { ...full, note: null, plain: plainParts.join('') }
  // Long post: `text` keeps the start (whole entities only) and ends with "…"; note_tweet has everything.
  const kept: XPiece[] = []
  let budget = 279
  for (const p of pieces) {
    if (p.weight <= budget) {
      kept.push(p)
      budget -= p.weight
      continue
    }
    if (!p.entity) {
      let raw = ''
      for (const ch of p.raw) {
        const w = xWeight(ch)
        if (w > budget) break
        raw += ch
        budget -= w
      }
      if (raw) kept.push({ raw, out: escapeX(raw), weight: 0 })
    }
    break
  }
  kept.push({ raw: '…', out: '…', weight: 1 })
  const short = layoutX(kept)
  return { text: short.text, entities: short.entities, note: { text: full.text, entities: full.entities }, plain: plainParts.join('') }
}

// ---------------------------------------------------------------------------------------------------------
// Rendering: Bluesky
// ---------------------------------------------------------------------------------------------------------

interface BskyRendered {
  text: string
  facets: Record<string, unknown>[]
  external: boolean
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })
const graphemeCount = (s: string): number => [...graphemes.segment(s)].length

function renderBsky(segs: Seg[], ctx: { rng: Rng; book: AccountBook; allowEmbed: boolean }): BskyRendered {
  const { rng } = ctx
  let external = false
  let work = segs
  const linkIdx = segs.findIndex((s) => s.t === 'link')
  const link = linkIdx >= 0 ? (segs[linkIdx] as { t: 'link'; url: string }) : null
  if (link && ctx.allowEmbed && link.url !== SHORT_URL && rng.chance(0.4)) {
    external = true
    // The app drops a trailing link that became a card; a link inside the sentence stays.
    if (segs.slice(linkIdx + 1).every((s) => s.t === 'text' && s.s.trim() === '')) work = segs.slice(0, linkIdx)
  }
  const fullUrlInText = rng.chance(0.2)
  let text = ''
  const facets: Record<string, unknown>[] = []
  const facet = (s: string, feature: Record<string, unknown>): void => {
    const byteStart = Buffer.byteLength(text, 'utf8')
    text += s
    facets.push({ index: { byteStart, byteEnd: Buffer.byteLength(text, 'utf8') }, features: [feature] })
  }
  for (const s of work) {
    if (s.t === 'text') text += s.s
    else if (s.t === 'tag') facet(`#${s.tag}`, { $type: 'app.bsky.richtext.facet#tag', tag: s.tag })
    else if (s.t === 'link') facet(fullUrlInText || s.url === SHORT_URL ? s.url : bskyShortUrl(s.url), { $type: 'app.bsky.richtext.facet#link', uri: s.url })
    else {
      const acct = s.acct ?? (rng.chance(0.7) ? ctx.book.bskyByBase.get(s.name.toLowerCase()) : undefined)
      if (acct) facet(`@${acct.username}`, { $type: 'app.bsky.richtext.facet#mention', did: acct.id })
      else text += `@${s.name}`
    }
  }
  return { text: text.replace(/\s+$/u, ''), facets, external }
}

// ---------------------------------------------------------------------------------------------------------
// Posts
// ---------------------------------------------------------------------------------------------------------

interface Engagement {
  likes: number
  reposts: number
  replies: number
  quotes: number
  bookmarks: number
  impressions: number
}

interface GenPost {
  n: number
  platform: Platform
  lang: Lang
  stance: Stance
  mode: Mode
  textId: string
  author: Account
  ms: number
  isReply: boolean
  parent: GenPost | null
  root: GenPost | null
  quoted: GenPost | null
  linkVariant: string | null
  eng: Engagement
  quotedBy: number
  // X
  xId?: string
  xConversation?: string
  xRender?: XRendered
  xLang?: string
  xFits?: XQuery[]
  xDeliveries?: { q: XQuery; cycle: number }[]
  // Bluesky
  rkey?: string
  uri?: string
  cid?: string
  record?: Record<string, unknown>
  createdAtField?: string
  indexedMs?: number
  viaSearch?: boolean
  viaJet?: boolean
  searchCycle?: number
  jetUs?: number
  fault?: 'createdAt-0001' | 'createdAt-2031' | 'gallery-embed'
  update?: { us: number; record: Record<string, unknown>; cid: string }
  deleteUs?: number
}

interface Plan {
  ms: number
  lang: Lang
  mode: Mode
  forced?: {
    platform: Platform
    textId?: string
    text?: string
    author?: Account
    tags?: string[]
    fault?: GenPost['fault']
    stance?: Stance
    noReply?: boolean
  }
}

function curveAt(localHour: number): number {
  const C = [0.22, 0.13, 0.09, 0.07, 0.07, 0.1, 0.25, 0.55, 0.85, 1, 1, 1, 1, 1, 0.95, 0.95, 0.95, 1, 1.05, 1.05, 1, 0.9, 0.7, 0.42]
  return C[localHour]!
}

function diurnal(lang: Lang, ms: number): number {
  const h = (zone: string): number => DateTime.fromMillis(ms, { zone }).hour
  switch (lang) {
    case 'en':
      return 0.7 * curveAt(h(NY)) + 0.3 * curveAt(h('Europe/London'))
    case 'fr':
      return curveAt(h('Europe/Paris'))
    case 'zh':
      return curveAt(h('Asia/Shanghai'))
    case 'ja':
      return curveAt(h('Asia/Tokyo'))
  }
}

const CURVE_SUM = Array.from({ length: 24 }, (_, i) => curveAt(i)).reduce((a, b) => a + b, 0)

/** On-topic posts per day (all languages) for the New York day containing `ms`. */
function dailyVolume(ms: number): number {
  const d = DateTime.fromMillis(ms, { zone: NY })
  const weekend = d.weekday >= 6
  if (ms < ARTICLE_MS) return 84 * (weekend ? 0.85 : 1)
  const dayIdx = Math.floor((d.startOf('day').toMillis() - Date.UTC(2025, 6, 16, 4)) / (24 * HOUR))
  const base = 160 - (dayIdx * 24) / 10
  return base * (weekend ? 0.88 : 1)
}

function plan(): Plan[] {
  const rng = stream('plan')
  const plans: Plan[] = []
  for (let h = START_MS; h < END_MS; h += HOUR) {
    for (const lang of LANGS) {
      const lambda = (dailyVolume(h) * LANG_SHARE[lang] * diurnal(lang, h + 30 * MIN)) / CURVE_SUM
      for (let i = rng.poisson(lambda); i > 0; i--) plans.push({ ms: h + rng.int(0, HOUR - 1), lang, mode: 'base' })
      const off = ((150 / 17) * LANG_SHARE[lang] * diurnal(lang, h + 30 * MIN)) / CURVE_SUM
      for (let i = rng.poisson(off); i > 0; i--) plans.push({ ms: h + rng.int(0, HOUR - 1), lang, mode: 'offtopic' })
    }
  }
  // The article spike: a fast rise after 06:00 New York, then a slow decay until 13:00.
  const spike = (win: readonly [number, number], total: Record<Lang, number>, shape: (slot: number) => number, mode: Mode): void => {
    const slots = Math.round((win[1] - win[0]) / CYCLE)
    const ws = Array.from({ length: slots }, (_, i) => shape(i))
    const sum = ws.reduce((a, b) => a + b, 0)
    for (const lang of LANGS) {
      for (let i = 0; i < slots; i++) {
        for (let k = rng.poisson((total[lang] * ws[i]!) / sum); k > 0; k--) plans.push({ ms: win[0] + i * CYCLE + rng.int(0, CYCLE - 1), lang, mode })
      }
    }
  }
  spike(SPIKE1, { en: 165, zh: 50, fr: 30, ja: 30 }, (i) => (i < 4 ? (i + 1) / 4 : Math.exp(-(i - 4) / 9)), 'spike1')
  spike(SPIKE2, { en: 30, zh: 42, fr: 3, ja: 2 }, (i) => Math.exp(-i / 5), 'spike2')
  return plans
}

function forcedPlans(book: AccountBook): Plan[] {
  const rng = stream('forced')
  const out: Plan[] = []
  const day = (d: number, hNy: number): number => Date.UTC(2025, 6, d, hNy + 4) + rng.int(0, 50 * MIN)
  // The hostile texts, once on each platform.
  let d = 17
  for (const id of HOSTILE_IDS) {
    for (const platform of ['x', 'bluesky'] as const)
      out.push({ ms: day(d++, rng.int(9, 18)), lang: 'en', mode: 'base', forced: { platform, textId: id, noReply: true } })
  }
  // A supplementary-plane character (𠮷) right before a hashtag, on X, so entity offsets must count code points.
  out.push({ ms: day(18, 21), lang: 'zh', mode: 'base', forced: { platform: 'x', textId: 'zh-n-023', tags: ['国产大模型'], noReply: true } })
  out.push({ ms: day(20, 8), lang: 'ja', mode: 'base', forced: { platform: 'x', textId: 'ja-n-016', tags: ['DeepSeek'], noReply: true } })
  // Bluesky PostViews with a forged createdAt (year 0001 and 2031) and an unknown embed view type.
  out.push({ ms: day(17, 11), lang: 'en', mode: 'base', forced: { platform: 'bluesky', textId: 'en-c-012', fault: 'createdAt-0001', noReply: true } })
  out.push({ ms: day(19, 15), lang: 'zh', mode: 'base', forced: { platform: 'bluesky', textId: 'zh-p-002', fault: 'createdAt-2031', noReply: true } })
  out.push({ ms: day(21, 10), lang: 'fr', mode: 'base', forced: { platform: 'bluesky', textId: 'fr-n-003', fault: 'gallery-embed', noReply: true } })
  // The publisher's own accounts sharing the article (invented wording).
  const { nytimes, nytimesbusiness, bskyNytimes } = book.watched
  const nyt: [Account, number, string][] = [
    [nytimes, Date.UTC(2025, 6, 16, 10, 2), 'China is pouring state money into artificial intelligence start-ups. Read our story on where it goes. {link}'],
    [nytimes, Date.UTC(2025, 6, 16, 23, 31), 'A state fund in China has backed hundreds of A.I. companies. {link}'],
    [nytimes, Date.UTC(2025, 6, 18, 14, 15), 'From our reporting on China’s state-backed A.I. fund: {link}'],
    [nytimesbusiness, Date.UTC(2025, 6, 16, 12, 40), 'How China’s government is funding its A.I. start-ups. {link}'],
    [nytimesbusiness, Date.UTC(2025, 6, 22, 18, 20), 'As chip export rules shift, a look at how China funds its A.I. industry. {link}'],
    [bskyNytimes, Date.UTC(2025, 6, 16, 10, 5), 'China is pouring state money into artificial intelligence start-ups. {link}'],
    [bskyNytimes, Date.UTC(2025, 6, 17, 13, 0), 'A state fund in China has backed hundreds of A.I. companies. {link}'],
    [bskyNytimes, Date.UTC(2025, 6, 20, 15, 45), 'From our reporting on China’s state-backed A.I. fund. {link}'],
  ]
  for (const [author, ms, text] of nyt)
    out.push({ ms: ms + rng.int(0, 59_999), lang: 'en', mode: 'base', forced: { platform: author.platform, text, author, stance: 'neutral', noReply: true } })
  return out
}

const STANCE_MIX: Record<Lang, Record<Phase, [number, number, number]>> = {
  // concern, praise, neutral
  en: { pre: [0.4, 0.22, 0.38], article: [0.47, 0.15, 0.38], post: [0.46, 0.2, 0.34], h20: [0.52, 0.14, 0.34] },
  zh: { pre: [0.26, 0.38, 0.36], article: [0.3, 0.34, 0.36], post: [0.24, 0.44, 0.32], h20: [0.07, 0.78, 0.15] },
  fr: { pre: [0.34, 0.26, 0.4], article: [0.4, 0.22, 0.38], post: [0.36, 0.3, 0.34], h20: [0.4, 0.25, 0.35] },
  ja: { pre: [0.3, 0.3, 0.4], article: [0.34, 0.24, 0.42], post: [0.33, 0.32, 0.35], h20: [0.35, 0.25, 0.4] },
}

function phaseOf(p: Plan): Phase {
  if (p.mode === 'spike2') return 'h20'
  if (p.ms < ARTICLE_MS) return 'pre'
  if (p.ms < Date.UTC(2025, 6, 17, 4)) return 'article'
  return 'post'
}

function engagement(rng: Rng, followers: number, boost: number): Engagement {
  // Pareto-like, capped so that a small account's post can go viral without rivalling the publisher's.
  const base = Math.min(250, 4 * (Math.pow(1 - rng.next(), -1 / 1.05) - 1))
  const ff = Math.min(60, Math.max(0.35, Math.pow(followers / 500, 0.45)))
  const likes = Math.min(20_000, Math.floor(base * ff * boost))
  const r = (): number => rng.next()
  return {
    likes,
    reposts: Math.floor(likes * (0.05 + 0.25 * r())),
    replies: Math.floor(likes * (0.03 + 0.12 * r()) + (r() < 0.25 ? 1 : 0)),
    quotes: Math.floor(likes * (0.004 + 0.04 * r())),
    bookmarks: Math.floor(likes * (0.02 + 0.1 * r())),
    impressions: Math.floor(followers * (0.02 + 0.15 * r()) + likes * (25 + 60 * r()) + 20 * r()),
  }
}

/** Counts seen at `obsMs`: they only grow, so a later copy of a post never has fewer. */
function metricsAt(e: Engagement, createdMs: number, obsMs: number, tauMs: number): Engagement {
  const f = 1 - Math.exp(-Math.max(0, obsMs - createdMs) / tauMs)
  const g = Math.pow(f, 0.7)
  return {
    likes: Math.floor(e.likes * f),
    reposts: Math.floor(e.reposts * f),
    replies: Math.floor(e.replies * f),
    quotes: Math.floor(e.quotes * f),
    bookmarks: Math.floor(e.bookmarks * f),
    impressions: Math.floor(e.impressions * g),
  }
}

const X_TAU = 30 * MIN
const BSKY_TAU = 45 * MIN

function bskyLangs(lang: Lang, rng: Rng): string[] | null {
  const r = rng.next()
  switch (lang) {
    case 'en':
      return r < 0.92 ? ['en'] : r < 0.95 ? ['en', 'fr'] : null
    case 'zh':
      return r < 0.7 ? ['zh'] : r < 0.85 ? ['en'] : r < 0.9 ? ['zh-CN'] : r < 0.95 ? ['ja'] : null
    case 'fr':
      return r < 0.8 ? ['fr'] : r < 0.92 ? ['en'] : r < 0.97 ? ['fr', 'en'] : null
    case 'ja':
      return r < 0.9 ? ['ja'] : r < 0.97 ? ['en'] : null
  }
}

function xLangOf(lang: Lang, textId: string, rng: Rng): string {
  if (textId === 'gen-link-only') return 'zxx'
  if (textId === 'gen-tags-only') return 'qht'
  const r = rng.next()
  if (r < 0.015) return 'und'
  if (r < 0.04) return lang === 'ja' ? 'zh' : lang === 'zh' ? 'ja' : lang === 'fr' ? 'en' : 'en'
  return lang
}

interface Built {
  posts: GenPost[]
  extraBadTweet: { tweet: Record<string, unknown>; author: Account }
}

function buildPosts(texts: SourceText[], book: AccountBook): Built {
  const rng = stream('posts')
  const byId = new Map(texts.map((t) => [t.id, t]))
  const plans = [...plan(), ...forcedPlans(book)].sort((a, b) => a.ms - b.ms)
  const posts: GenPost[] = []
  const recent = new Map<string, GenPost[]>()
  const usedSnowflakes = new Set<string>()

  const pool = (lang: Lang, stance: Stance, kind: 'post' | 'reply', ms: number): SourceText[] =>
    texts.filter(
      (t) =>
        t.lang === lang &&
        t.stance === stance &&
        t.kind === kind &&
        !HOSTILE_IDS.includes(t.id) &&
        (ms >= ARTICLE_MS + 5 * MIN || (!t.hasLink && !t.refsArticle)) &&
        (ms >= H20_NEWS_MS || !t.h20News),
    )

  const pickParent = (platform: Platform, lang: Lang, ms: number, self: Account): GenPost | null => {
    const list = recent.get(`${platform}:${lang}`) ?? []
    const cands: GenPost[] = []
    const ws: number[] = []
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i]!
      const age = ms - p.ms
      if (age > 36 * HOUR) break
      if (age < 2 * MIN || p.author === self || p.fault) continue
      cands.push(p)
      ws.push(Math.exp(-age / (6 * HOUR)) * (1 + Math.log1p(p.eng.likes)) * (p.author.watched ? 8 : 1))
    }
    return cands.length ? rng.weighted(cands, ws) : null
  }

  for (const pl of plans) {
    const f = pl.forced
    const topical = pl.mode !== 'offtopic'
    let platform: Platform = f?.platform ?? (rng.chance(X_SHARE[pl.lang]) ? 'x' : 'bluesky')
    const phase = phaseOf(pl)
    const mix = STANCE_MIX[pl.lang][phase]
    const stance: Stance = f?.stance ?? (topical ? rng.weighted(['concern', 'praise', 'neutral'] as const, mix) : 'offtopic')
    const wantReply = !f?.noReply && rng.chance(topical ? 0.19 : 0.04)
    const wantQuote = !f?.noReply && !wantReply && topical && rng.chance(0.105)
    const linkAllowed = topical && pl.ms >= ARTICLE_MS + 5 * MIN
    const author0 = f?.author

    let chosen: {
      text: SourceText | null
      segs: Seg[]
      author: Account
      parent: GenPost | null
      quoted: GenPost | null
      linkVariant: string | null
      xr?: XRendered
      br?: BskyRendered
      fits?: XQuery[]
    } | null = null

    for (let attempt = 0; attempt < 14 && !chosen; attempt++) {
      if (attempt === 10 && !f) platform = platform === 'x' ? 'bluesky' : 'x'
      const poolKey = `${platform}:${pl.lang}`
      const author = author0 ?? rng.weighted(book.pools.get(poolKey)!.accounts, book.pools.get(poolKey)!.weights)
      const parent = wantReply ? pickParent(platform, pl.lang, pl.ms, author) : null
      let quoted: GenPost | null = null
      if (wantQuote) {
        const sameLang = rng.chance(0.85)
        quoted = pickParent(platform, sameLang ? pl.lang : rng.pick(LANGS), pl.ms, author)
      }
      // Source text.
      let src: SourceText | null = null
      let raw: string
      if (f?.text) raw = f.text
      else if (f?.textId) {
        src = byId.get(f.textId)!
        raw = src.text
      } else if (topical && linkAllowed && !parent && rng.chance(0.012)) {
        raw = rng.chance(0.75) ? '{link}' : `{link} #${rng.pick(HASHTAGS[pl.lang])} #${rng.pick(['DeepSeek', '中国AI', 'AI'])}`
      } else {
        let candidates = parent && rng.chance(0.62) ? pool(pl.lang, stance, 'reply', pl.ms) : []
        if (candidates.length === 0) candidates = pool(pl.lang, stance, 'post', pl.ms)
        if (pl.mode === 'spike2' && (pl.lang === 'en' || pl.lang === 'zh') && rng.chance(0.88)) {
          const c = candidates.filter((t) => t.chips)
          if (c.length) candidates = c
        }
        if (pl.mode === 'spike1' && rng.chance(0.6)) {
          const c = candidates.filter((t) => t.hasLink || t.refsArticle)
          if (c.length) candidates = c
        }
        src = rng.pick(candidates)
        raw = src.text
      }
      // Link.
      let linkVariant: string | null = null
      const needsLink = raw.includes('{link}')
      const appendP = pl.mode === 'spike1' ? 0.45 : 0.15
      const append = !needsLink && linkAllowed && !f && rng.chance(appendP)
      if (needsLink || append) {
        if (author.watched && author.platform === 'x') linkVariant = SHORT_URL
        else if (author.watched) linkVariant = ARTICLE_URL
        else
          linkVariant = rng.weighted(
            LINK_VARIANTS.map((v) => v.url),
            LINK_VARIANTS.map((v) => (platform === 'x' ? v.x : v.bsky)),
          )
      }
      let segs = parseSegments(raw, linkVariant)
      if (append && linkVariant) segs = appendLink(segs, linkVariant)
      if (f?.tags) for (const tag of f.tags) segs.push({ t: 'text', s: ' ' }, { t: 'tag', tag })
      // Variation.
      if (!author.watched && raw !== '{link}') {
        const isShortReply = parent !== null && src?.kind === 'reply'
        const pool2 = book.pools.get(poolKey)!.accounts
        const v: Variation = {
          prefix: !parent && !quoted && rng.chance(0.1),
          casing: (pl.lang === 'en' || pl.lang === 'fr') && rng.chance(0.09) ? (rng.chance(0.6) ? 'lower' : 'upperFirst') : 'none',
          emoji: rng.chance(0.12),
          tags: isShortReply ? 0 : rng.chance(0.17) ? rng.int(1, 2) : 0,
          mention: !isShortReply && rng.chance(0.04),
        }
        const mentionAcct = v.mention ? rng.pick(pool2.filter((a) => a !== author)) : null
        segs = applyVariation(segs, v, pl.lang, rng, mentionAcct)
      }

      if (platform === 'x') {
        const leading: Account[] = []
        if (parent) {
          if (parent.author !== author) leading.push(parent.author)
          if (parent.root && parent.root.author !== author && parent.root.author !== parent.author) leading.push(parent.root.author)
        }
        let xr = renderX(segs, { rng, book, leading, quote: quoted ? { username: quoted.author.username, id: quoted.xId! } : null })
        let fits = xQueryFits(xr.plain, linkVariant !== null)
        if (fits.length === 0 && (f || attempt >= 8) && linkAllowed) {
          // Nothing in the collector's queries would return it: only a link to the article can.
          linkVariant = rng.weighted(
            LINK_VARIANTS.map((v) => v.url),
            LINK_VARIANTS.map((v) => v.x),
          )
          segs = appendLink(segs, linkVariant)
          xr = renderX(segs, { rng, book, leading, quote: quoted ? { username: quoted.author.username, id: quoted.xId! } : null })
          fits = xQueryFits(xr.plain, true)
        }
        if (fits.length === 0) continue
        chosen = { text: src, segs, author, parent, quoted, linkVariant, xr, fits }
      } else {
        const br = renderBsky(segs, { rng, book, allowEmbed: !quoted })
        if (graphemeCount(br.text) > 300 || Buffer.byteLength(br.text) > 3000) continue
        chosen = { text: src, segs, author, parent, quoted, linkVariant, br }
      }
    }
    if (!chosen) continue

    const boost = (chosen.author.watched ? 3 : 1) * (chosen.parent ? 0.4 : 1) * (pl.mode === 'spike1' && chosen.linkVariant ? 1.6 : 1)
    const p: GenPost = {
      n: posts.length,
      platform,
      lang: pl.lang,
      // A bare link carries no stance of its own.
      stance: chosen.text || f?.stance ? stance : 'neutral',
      mode: pl.mode,
      textId: chosen.text?.id ?? (f?.text ? 'gen-publisher' : chosen.segs.some((s) => s.t === 'tag') ? 'gen-tags-only' : 'gen-link-only'),
      author: chosen.author,
      ms: pl.ms,
      isReply: chosen.parent !== null,
      parent: chosen.parent,
      root: chosen.parent ? (chosen.parent.root ?? chosen.parent) : null,
      quoted: chosen.quoted,
      linkVariant: chosen.linkVariant,
      eng: engagement(rng, chosen.author.followers, boost),
      quotedBy: 0,
    }
    if (chosen.quoted) chosen.quoted.quotedBy++
    if (f?.fault) p.fault = f.fault

    if (platform === 'x') {
      let id = snowflake(p.ms, rng)
      while (usedSnowflakes.has(id)) id = snowflake(p.ms, rng)
      usedSnowflakes.add(id)
      p.xId = id
      p.xConversation = p.parent ? p.parent.xConversation! : id
      p.xRender = chosen.xr!
      p.xFits = chosen.fits!
      p.xLang = xLangOf(p.lang, p.textId, rng)
    } else {
      const br = chosen.br!
      const us = p.ms * 1000 + rng.int(0, 999)
      p.rkey = tid(us, rng.int(0, 1023))
      p.uri = `at://${p.author.id}/app.bsky.feed.post/${p.rkey}`
      p.indexedMs = p.ms + rng.int(40, 1800)
      p.createdAtField = p.fault === 'createdAt-0001' ? '0001-01-01T00:00:00.000Z' : p.fault === 'createdAt-2031' ? '2031-03-14T09:26:53.589Z' : iso(p.ms)
      const langs = p.textId === 'gen-link-only' ? null : bskyLangs(p.lang, rng)
      const record: Record<string, unknown> = { $type: 'app.bsky.feed.post', createdAt: p.createdAtField }
      if (p.fault === 'gallery-embed') record.embed = { $type: 'app.bsky.embed.gallery', items: [] }
      else if (p.quoted) record.embed = { $type: 'app.bsky.embed.record', record: { uri: p.quoted.uri, cid: p.quoted.cid } }
      else if (br.external) record.embed = { $type: 'app.bsky.embed.external', external: { ...EXTERNAL, uri: p.linkVariant! } }
      if (br.facets.length) record.facets = br.facets
      if (langs) record.langs = langs
      if (p.parent) record.reply = { root: { uri: p.root!.uri, cid: p.root!.cid }, parent: { uri: p.parent.uri, cid: p.parent.cid } }
      record.text = br.text
      p.record = record
      p.cid = cidFor(JSON.stringify(record))
      // 25% arrive only through Jetstream, 60% only through search, 15% through both.
      const r = rng.next()
      p.viaJet = !p.fault && !p.author.watched ? r < 0.4 : p.author.watched ? r < 0.5 : false
      p.viaSearch = p.fault || p.author.watched ? true : r >= 0.25
      p.jetUs = p.ms * 1000 + rng.int(200_000, 3_000_000)
    }
    posts.push(p)
    const key = `${platform}:${pl.lang}`
    if (!recent.has(key)) recent.set(key, [])
    recent.get(key)!.push(p)
  }

  // An X tweet that lost its id on the way (a broken item inside an otherwise good page).
  const author = book.pools.get('x:en')!.accounts[7]!
  const badMs = Date.UTC(2025, 6, 18, 13, 52, 31)
  const badId = snowflake(badMs, rng)
  const badText = 'Third read of the NYT piece on the state AI fund and I still can’t tell what counts as a “little giant”. Anyone?'
  const extraBadTweet = {
    tweet: {
      text: escapeX(badText),
      author_id: author.id,
      created_at: xIso(badMs),
      lang: 'en',
      conversation_id: badId,
      edit_history_tweet_ids: [badId],
      public_metrics: { retweet_count: 0, reply_count: 1, like_count: 3, quote_count: 0, bookmark_count: 0, impression_count: 212 },
    },
    author,
  }
  return { posts, extraBadTweet }
}

// ---------------------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------------------

function tweetJson(p: GenPost, obsMs: number): Record<string, unknown> {
  const m = metricsAt(p.eng, p.ms, obsMs, X_TAU)
  const r = p.xRender!
  const t: Record<string, unknown> = {
    id: p.xId,
    text: r.text,
    author_id: p.author.id,
    created_at: xIso(p.ms),
    lang: p.xLang,
    conversation_id: p.xConversation,
    edit_history_tweet_ids: [p.xId],
    public_metrics: {
      retweet_count: m.reposts,
      reply_count: m.replies,
      like_count: m.likes,
      quote_count: m.quotes,
      bookmark_count: m.bookmarks,
      impression_count: m.impressions,
    },
  }
  if (Object.keys(r.entities).length) t.entities = r.entities
  const refs: { type: string; id: string }[] = []
  if (p.parent) refs.push({ type: 'replied_to', id: p.parent.xId! })
  if (p.quoted) refs.push({ type: 'quoted', id: p.quoted.xId! })
  if (refs.length) t.referenced_tweets = refs
  if (p.parent) t.in_reply_to_user_id = p.parent.author.id
  if (r.note) t.note_tweet = { text: r.note.text, ...(Object.keys(r.note.entities).length ? { entities: r.note.entities } : {}) }
  return t
}

function postView(p: GenPost, obsMs: number): Record<string, unknown> {
  const m = metricsAt(p.eng, p.ms, obsMs, BSKY_TAU)
  const view: Record<string, unknown> = { uri: p.uri, cid: p.cid, author: p.author.view, record: p.record }
  const embed = p.record!.embed as Record<string, unknown> | undefined
  if (p.fault === 'gallery-embed') view.embed = { $type: 'app.bsky.embed.gallery#view', items: [] }
  else if (embed?.$type === 'app.bsky.embed.external') view.embed = { $type: 'app.bsky.embed.external#view', external: embed.external }
  else if (embed?.$type === 'app.bsky.embed.record' && p.quoted) {
    const q = p.quoted
    const qm = metricsAt(q.eng, q.ms, obsMs, BSKY_TAU)
    view.embed = {
      $type: 'app.bsky.embed.record#view',
      record: {
        $type: 'app.bsky.embed.record#viewRecord',
        uri: q.uri,
        cid: q.cid,
        author: q.author.view,
        value: q.record,
        labels: [],
        likeCount: qm.likes,
        replyCount: qm.replies,
        repostCount: qm.reposts,
        quoteCount: qm.quotes,
        indexedAt: iso(q.indexedMs!),
      },
    }
  }
  Object.assign(view, {
    replyCount: m.replies,
    repostCount: m.reposts,
    likeCount: m.likes,
    quoteCount: m.quotes,
    bookmarkCount: m.bookmarks,
    indexedAt: iso(p.indexedMs!),
    labels: [],
  })
  return view
}

interface Line {
  /** Microseconds: when the collector received it. */
  at: number
  seq: number
  json: string
  kind: string
}

const ceilCycle = (ms: number): number => Math.ceil(ms / CYCLE) * CYCLE
const inXOutage = (t: number): boolean => t > X_OUTAGE[0] && t < X_OUTAGE[1]
const inBskyOutage = (t: number): boolean => t > BSKY_OUTAGE[0] && t < BSKY_OUTAGE[1]

interface Assembly {
  lines: Line[]
  stats: Record<string, number>
}

function assemble(built: Built, book: AccountBook): Assembly {
  const rng = stream('collect')
  const { posts } = built
  const lines: Line[] = []
  const stats: Record<string, number> = {}
  const bump = (k: string, n = 1): void => {
    stats[k] = (stats[k] ?? 0) + n
  }
  let seq = 0
  const push = (atUs: number, obj: unknown, kind: string): void => {
    lines.push({ at: atUs, seq: seq++, json: JSON.stringify(obj), kind })
    bump(`lines:${kind}`)
  }

  // ---- X: three queries every 15 minutes, newest first, pages of <= 100 ----
  const xPosts = posts.filter((p) => p.platform === 'x')
  const multi = xPosts.filter((p) => p.xFits!.length >= 2).length
  const dupP = Math.min(1, (0.1 * xPosts.length) / Math.max(1, multi))
  const xByCycle = new Map<string, { p: GenPost; obs: number }[]>()
  for (const p of xPosts) {
    let first = ceilCycle(p.ms + rng.int(5, 45) * SEC)
    while (inXOutage(first)) first += CYCLE
    const fits = p.xFits!
    const primary = fits.includes('url') && rng.chance(0.7) ? 'url' : rng.pick(fits)
    p.xDeliveries = [{ q: primary, cycle: first }]
    if (fits.length >= 2 && rng.chance(dupP)) {
      const other = rng.pick(fits.filter((q) => q !== primary))
      let later = first + rng.int(1, 6) * CYCLE
      while (inXOutage(later)) later += CYCLE
      p.xDeliveries.push({ q: other, cycle: later })
    }
  }
  for (const p of xPosts) {
    for (const d of p.xDeliveries!) {
      const k = `${d.cycle}|${d.q}`
      if (!xByCycle.has(k)) xByCycle.set(k, [])
      xByCycle.get(k)!.push({ p, obs: d.cycle + X_QUERIES.indexOf(d.q) * 3 * SEC })
    }
  }
  const lastCycle = Math.max(...[...xByCycle.keys()].map((k) => Number(k.split('|')[0])), END_MS)
  let badTweetPlaced = false
  for (let t = START_MS + CYCLE; t <= lastCycle; t += CYCLE) {
    if (inXOutage(t)) continue
    X_QUERIES.forEach((q, qi) => {
      const items = (xByCycle.get(`${t}|${q}`) ?? []).sort((a, b) => (BigInt(b.p.xId!) > BigInt(a.p.xId!) ? 1 : -1))
      const base = (t + qi * 3 * SEC) * 1000
      if (items.length === 0) {
        push(base, { meta: { result_count: 0 } }, 'x-empty')
        return
      }
      for (let off = 0, page = 0; off < items.length; off += X_PAGE, page++) {
        const slice = items.slice(off, off + X_PAGE)
        const data = slice.map(({ p, obs }) => tweetJson(p, obs + page * 400))
        const users: Record<string, unknown>[] = []
        const seen = new Set<string>()
        for (const { p } of slice) {
          if (seen.has(p.author.id)) continue
          seen.add(p.author.id)
          users.push(p.author.view)
        }
        if (!badTweetPlaced && t >= Date.UTC(2025, 6, 18, 14) && q === 'en') {
          // The fault: a tweet without an id, in the middle of this page.
          data.splice(Math.min(1, data.length), 0, built.extraBadTweet.tweet)
          if (!seen.has(built.extraBadTweet.author.id)) users.push(built.extraBadTweet.author.view)
          badTweetPlaced = true
          bump('fault:x-tweet-without-id')
        }
        const meta: Record<string, unknown> = { newest_id: slice[0]!.p.xId, oldest_id: slice[slice.length - 1]!.p.xId, result_count: data.length }
        if (off + X_PAGE < items.length) {
          meta.next_token = rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 45)
          bump('x:pages-with-next_token')
        }
        push(base + page * 400_000, { data, includes: { users }, meta }, 'x-page')
        bump('x:tweets-in-pages', slice.length)
        stats['x:largest-query-run'] = Math.max(stats['x:largest-query-run'] ?? 0, items.length)
      }
    })
  }

  // ---- Bluesky search: every 15 minutes, newest first, pages of 25 ----
  const bsky = posts.filter((p) => p.platform === 'bluesky')
  const bskyByCycle = new Map<number, GenPost[]>()
  for (const p of bsky) {
    if (!p.viaSearch) continue
    let c = ceilCycle(p.indexedMs! + rng.int(3, 90) * SEC)
    while (inBskyOutage(c)) c += CYCLE
    p.searchCycle = c
    if (!bskyByCycle.has(c)) bskyByCycle.set(c, [])
    bskyByCycle.get(c)!.push(p)
  }
  const sortAt = (p: GenPost): number => Math.min(Date.parse(p.createdAtField!) || 0, p.indexedMs!)
  const truncateAt = Date.UTC(2025, 6, 19, 15)
  let truncatedPlaced = false
  for (let t = START_MS + CYCLE; t <= END_MS + CYCLE; t += CYCLE) {
    if (inBskyOutage(t)) continue
    const items = (bskyByCycle.get(t) ?? []).sort((a, b) => sortAt(b) - sortAt(a))
    const base = (t + 20 * SEC) * 1000
    if (items.length === 0) {
      push(base, { posts: [] }, 'bsky-empty')
      continue
    }
    for (let off = 0, page = 0; off < items.length; off += BSKY_PAGE, page++) {
      const slice = items.slice(off, off + BSKY_PAGE)
      const out: Record<string, unknown> = { posts: slice.map((p) => postView(p, t + 20 * SEC + page * 400)) }
      if (off + BSKY_PAGE < items.length) {
        out.cursor = String(off + BSKY_PAGE)
        bump('bsky:pages-with-cursor')
      }
      const at = base + page * 400_000
      if (!truncatedPlaced && t >= truncateAt && slice.length >= 2) {
        // The fault: a partial write of this page (cut mid-JSON), then the complete page after the retry.
        const full = JSON.stringify(out)
        lines.push({ at, seq: seq++, json: full.slice(0, Math.floor(full.length * 0.55)), kind: 'fault-truncated' })
        bump('lines:fault-truncated')
        truncatedPlaced = true
      }
      push(at + 1, out, 'bsky-page')
      bump('bsky:postviews-in-pages', slice.length)
    }
  }

  // ---- Jetstream ----
  const jet = rng // same stream, named for readability
  const revOf = (us: number): string => tid(us - jet.int(0, 400), jet.int(0, 1023))
  for (const p of bsky) {
    if (!p.viaJet) continue
    push(
      p.jetUs!,
      {
        did: p.author.id,
        time_us: p.jetUs,
        kind: 'commit',
        commit: { rev: revOf(p.jetUs!), operation: 'create', collection: 'app.bsky.feed.post', rkey: p.rkey, record: p.record, cid: p.cid },
      },
      'jet-create',
    )
  }
  // Three edits: same rkey, changed text, new CID (Jetstream-only posts, so no search copy is stale).
  const editable = bsky.filter((p) => p.viaJet && !p.viaSearch && !p.quotedBy && !p.fault && (p.record!.text as string).length > 20 && p.ms > ARTICLE_MS)
  for (let i = 0; i < 3; i++) {
    const p = editable.splice(jet.int(0, editable.length - 1), 1)[0]!
    const record = { ...p.record!, text: `${p.record!.text as string}${EDIT_NOTE[p.lang]}` }
    const cid = cidFor(JSON.stringify(record))
    const us = p.jetUs! + jet.int(4, 40) * 60_000_000
    p.update = { us, record, cid }
    push(
      us,
      {
        did: p.author.id,
        time_us: us,
        kind: 'commit',
        commit: { rev: revOf(us), operation: 'update', collection: 'app.bsky.feed.post', rkey: p.rkey, record, cid },
      },
      'jet-update',
    )
  }
  // About fifteen deletions of posts made earlier, after every copy of them was collected.
  const deletable = bsky.filter((p) => !p.quotedBy && !p.fault && !p.update && !p.author.watched && p.ms < END_MS - 30 * HOUR)
  for (let i = 0; i < 15; i++) {
    const p = deletable.splice(jet.int(0, deletable.length - 1), 1)[0]!
    const last = Math.max(p.jetUs! / 1000, p.searchCycle ?? 0)
    const us = Math.round((last + jet.logUniform(0.5, 28) * HOUR) * 1000)
    p.deleteUs = us
    push(
      us,
      { did: p.author.id, time_us: us, kind: 'commit', commit: { rev: revOf(us), operation: 'delete', collection: 'app.bsky.feed.post', rkey: p.rkey } },
      'jet-delete',
    )
  }
  // About a hundred likes: another collection, which the pipeline ignores.
  const likers = book.all.filter((a) => a.platform === 'bluesky' && !a.watched)
  const likeable = bsky.filter((p) => !p.fault)
  const likeWeights = likeable.map((p) => 1 + p.eng.likes)
  for (let i = 0; i < 100; i++) {
    const p = jet.weighted(likeable, likeWeights)
    const liker = jet.pick(likers.filter((a) => a !== p.author))
    const ms = p.ms + Math.round(jet.logUniform(20 * SEC, 20 * HOUR))
    if (ms >= END_MS || (p.deleteUs && ms * 1000 >= p.deleteUs)) continue
    const us = ms * 1000 + jet.int(200_000, 2_500_000)
    const record = { $type: 'app.bsky.feed.like', createdAt: iso(ms), subject: { cid: p.cid, uri: p.uri } }
    const rkey = tid(ms * 1000 + jet.int(0, 999), jet.int(0, 1023))
    push(
      us,
      {
        did: liker.id,
        time_us: us,
        kind: 'commit',
        commit: { rev: revOf(us), operation: 'create', collection: 'app.bsky.feed.like', rkey, record, cid: cidFor(JSON.stringify(record)) },
      },
      'jet-like',
    )
  }
  // Identity and account events, always delivered whatever the collection filter.
  const posting = new Set(posts.map((p) => p.author))
  const quiet = likers.filter((a) => !posting.has(a))
  const seqOf = (us: number): number => 8_400_000_000 + Math.floor((us / 1000 - START_MS) / 3)
  for (let i = 0; i < 20; i++) {
    const ms = START_MS + Math.floor(jet.next() * (END_MS - START_MS))
    const us = ms * 1000 + jet.int(0, 999)
    if (i < 10) {
      const a = jet.pick(likers)
      push(us, { did: a.id, time_us: us, kind: 'identity', identity: { did: a.id, handle: a.username, seq: seqOf(us), time: iso(ms) } }, 'jet-identity')
    } else {
      const deactivate = i === 19
      const a = deactivate ? jet.pick(quiet) : jet.pick(likers)
      const account: Record<string, unknown> = { active: !deactivate, did: a.id, seq: seqOf(us), time: iso(ms) }
      if (deactivate) account.status = 'deactivated'
      push(us, { did: a.id, time_us: us, kind: 'account', account }, 'jet-account')
    }
  }

  // ---- Unknown payload shape ----
  push(Date.UTC(2025, 6, 21, 9, 7, 13) * 1000, { hello: 'world' }, 'fault-unknown-shape')

  lines.sort((a, b) => a.at - b.at || a.seq - b.seq)
  return { lines, stats }
}

// ---------------------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------------------

function table(rows: [string, string | number][]): string {
  const w = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')
}

function printFigures(built: Built, book: AccountBook, asm: Assembly, rawBytes: number, gzBytes: number): void {
  const { posts } = built
  const on = posts.filter((p) => p.stance !== 'offtopic')
  const off = posts.filter((p) => p.stance === 'offtopic')
  const count = <T>(xs: T[], f: (x: T) => string): Map<string, number> => {
    const m = new Map<string, number>()
    for (const x of xs) m.set(f(x), (m.get(f(x)) ?? 0) + 1)
    return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)))
  }
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`
  const out: string[] = []
  out.push(
    `Wrote ${path.relative(ROOT, SAMPLE_FILE)}: ${asm.lines.length} lines, ${(rawBytes / 1e6).toFixed(2)} MB of JSONL, ${(gzBytes / 1e6).toFixed(2)} MB gzipped`,
  )
  out.push('\nAccounts (invented):')
  const used = new Set(posts.map((p) => p.author))
  out.push(
    table([
      ['total', book.all.length],
      ...[...count(book.all, (a) => `${a.platform} ${a.lang}`)].map(([k, v]) => [`  ${k}`, v] as [string, number]),
      ['posting in the sample', used.size],
    ]),
  )
  const perAuthor = [...count(posts, (p) => `${p.platform}:${p.author.username}`)].sort((a, b) => b[1] - a[1]).slice(0, 5)
  out.push(`  heaviest posters: ${perAuthor.map(([k, v]) => `${k} (${v})`).join(', ')}`)
  out.push('\nDistinct posts (ground truth):')
  out.push(
    table([
      ['total', posts.length],
      ['on-topic (from concern/praise/neutral texts)', on.length],
      ['off-topic (from offtopic texts)', off.length],
      ...[...count(posts, (p) => p.platform)].map(([k, v]) => [`platform ${k}`, `${v} (${pct(v, posts.length)})`] as [string, string]),
      ...[...count(on, (p) => p.lang)].map(([k, v]) => [`on-topic ${k}`, `${v} (${pct(v, on.length)})`] as [string, string]),
      ['replies', posts.filter((p) => p.isReply).length],
      ['quotes', `${posts.filter((p) => p.quoted).length} (${pct(posts.filter((p) => p.quoted).length, posts.length)})`],
      ['with an article link', on.filter((p) => p.linkVariant).length],
      ['long X posts (note_tweet)', posts.filter((p) => p.xRender?.note).length],
      ['Bluesky external embeds', posts.filter((p) => (p.record?.embed as { $type?: string } | undefined)?.$type === 'app.bsky.embed.external').length],
    ]),
  )
  out.push(
    '  link variants: ' +
      [
        ...count(
          on.filter((p) => p.linkVariant),
          (p) => `${p.platform}:${p.linkVariant!.replace('https://www.nytimes.com/2025/07/16/technology/', '…/')}`,
        ),
      ]
        .map(([k, v]) => `${k} ${v}`)
        .join('; '),
  )
  out.push('\nStance of on-topic posts by language (concern / praise / neutral):')
  for (const lang of LANGS) {
    const xs = on.filter((p) => p.lang === lang)
    const s = (st: Stance): string => pct(xs.filter((p) => p.stance === st).length, xs.length)
    out.push(`  ${lang}  ${s('concern')} / ${s('praise')} / ${s('neutral')}`)
  }
  const zh = on.filter((p) => p.lang === 'zh')
  const inS2 = zh.filter((p) => p.ms >= SPIKE2[0] && p.ms < SPIKE2[1])
  const restPost = zh.filter((p) => p.ms >= ARTICLE_MS && !(p.ms >= SPIKE2[0] && p.ms < SPIKE2[1]))
  out.push(
    `  zh praise share: ${pct(inS2.filter((p) => p.stance === 'praise').length, inS2.length)} of ${inS2.length} posts during the H20 spike, ${pct(restPost.filter((p) => p.stance === 'praise').length, restPost.length)} otherwise after the article`,
  )
  out.push('\nOn-topic posts per New York day (created):')
  const days = count(on, (p) => DateTime.fromMillis(p.ms, { zone: NY }).toISODate()!)
  out.push([...days].map(([d, n]) => `  ${d}  ${String(n).padStart(4)} ${'#'.repeat(Math.round(n / 8))}`).join('\n'))
  const s1 = on.filter((p) => p.ms >= SPIKE1[0] && p.ms < SPIKE1[1]).length
  const s2 = on.filter((p) => p.ms >= SPIKE2[0] && p.ms < SPIKE2[1]).length
  // The same New York hours on the other days after the article, for scale.
  const sameHours = (fromH: number, toH: number, skipDay: string): number => {
    const xs = on.filter((p) => {
      const d = DateTime.fromMillis(p.ms, { zone: NY })
      return p.ms >= Date.UTC(2025, 6, 17, 4) && d.toISODate() !== skipDay && d.hour >= fromH && d.hour < toH
    })
    return xs.length / 9 / (toH - fromH)
  }
  const b1 = sameHours(6, 13, '2025-07-22')
  const b2 = sameHours(14, 17, '2025-07-22')
  out.push(
    `  article spike 2025-07-16 06:00-13:00 NY: ${s1} posts, ${(s1 / 7).toFixed(1)}/h = ${(s1 / 7 / b1).toFixed(1)}x the ${b1.toFixed(1)}/h of those hours on other post-article days`,
  )
  out.push(
    `  H20 spike 2025-07-22 14:00-17:00 NY: ${s2} posts, ${(s2 / 3).toFixed(1)}/h = ${(s2 / 3 / b2).toFixed(1)}x the ${b2.toFixed(1)}/h of those hours on other post-article days`,
  )
  const bsky = posts.filter((p) => p.platform === 'bluesky')
  const xs = posts.filter((p) => p.platform === 'x')
  out.push('\nCollection:')
  out.push(
    table([
      [
        'X posts returned by two queries',
        `${xs.filter((p) => p.xDeliveries!.length > 1).length} (${pct(xs.filter((p) => p.xDeliveries!.length > 1).length, xs.length)})`,
      ],
      ['X pages with next_token', asm.stats['x:pages-with-next_token'] ?? 0],
      ['X largest run of one query', asm.stats['x:largest-query-run'] ?? 0],
      ['Bluesky via search only', bsky.filter((p) => p.viaSearch && !p.viaJet).length],
      ['Bluesky via Jetstream only', bsky.filter((p) => !p.viaSearch && p.viaJet).length],
      ['Bluesky via both', bsky.filter((p) => p.viaSearch && p.viaJet).length],
      ['Bluesky search pages with cursor', asm.stats['bsky:pages-with-cursor'] ?? 0],
    ]),
  )
  out.push('\nLines by kind:')
  out.push(
    table(
      Object.entries(asm.stats)
        .filter(([k]) => k.startsWith('lines:'))
        .sort()
        .map(([k, v]) => [k.slice(6), v]),
    ),
  )
  out.push(
    '\nFaults planted: 1 truncated JSON line, 1 {"hello":"world"} line, 1 X tweet without id, Bluesky createdAt 0001-01-01 and 2031 (1 each), 1 app.bsky.embed.gallery#view embed;',
  )
  out.push(
    `  hostile texts on X: ${HOSTILE_IDS.map((id) => posts.filter((p) => p.textId === id && p.platform === 'x').length).join('/')}, on Bluesky: ${HOSTILE_IDS.map((id) => posts.filter((p) => p.textId === id && p.platform === 'bluesky').length).join('/')} (${HOSTILE_IDS.join(', ')})`,
  )
  out.push(
    `  watched accounts: ${posts
      .filter((p) => p.author.watched)
      .map((p) => `${p.platform}:${p.author.username}`)
      .join(', ')}`,
  )
  console.log(out.join('\n'))
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const texts = loadTexts()
  const book = makeAccounts()
  const built = buildPosts(texts, book)
  const asm = assemble(built, book)
  const jsonl = asm.lines.map((l) => l.json).join('\n') + '\n'
  const raw = Buffer.from(jsonl, 'utf8')
  const gz = gzipSync(raw, { level: 9 })
  mkdirSync(path.dirname(SAMPLE_FILE), { recursive: true })
  writeFileSync(SAMPLE_FILE, gz)
  printFigures(built, book, asm, raw.length, gz.length)
  if (process.argv.includes('--check')) {
    const { runCheck } = await import('./check.js')
    const ok = runCheck(SAMPLE_FILE)
    if (!ok) process.exitCode = 1
  }
}

await main()
