import { stopwordsFor } from '../text/stopwords.js'

/*
 * The background an article's words are ranked against, so that common words never become keyword rules.
 *
 * Why a hand-kept list and not word frequencies from the texts in this repository: the only bundled texts
 * (the sample, the seeds, the bench sets) are all about one subject, China's AI fund. Used as a background
 * they would mark "China", "AI" and "chips" as common and hide them from the next article on the same
 * subject, while saying nothing about ordinary news words. What makes a word useless as a rule is being
 * common in *all* news, so the background is: natural's stopwords per language, plus the words that are
 * frequent in news writing whatever the story (reporting verbs, time words, generic nouns), a few hundred
 * per language, written here. A word in it is never a rule on its own; it can still be part of a name
 * ("New York Times") or a distinctive phrase.
 *
 * `BROAD` are names so frequent that a post mentioning one is not about the article (countries, blocs,
 * "AI"): they make good `with` context, never a rule by themselves.
 */

const NEWS_EN = `said says say told according report reported reports reporting year years month months week weeks day days
today yesterday tomorrow time times new news first last next one two three four five six seven eight nine ten hundred
thousand million billion percent per people person man men woman women government officials official company companies
firm firms business world country countries state states city cities group groups number part way well also just
like make made making take took taken get got go going gone come came see seen know known think want use used using
work working works could would should might may must will can need needs many much more most less least other others
another some any every each such even still already yet back now then later early earlier late recent recently since
ago around among between against during without within including include includes included called call calls told
public private national international local global major big small large high low long short good bad best better
great little own same different former current political economic social new old young help show shows shown
according spokesman spokeswoman statement interview article story stories editor editors newsletter subscribe
subscription read reading share click photo video image credit copyright rights reserved sign account free
thing things lot something nothing anything everything someone everyone way ways place places point points case cases
fact facts issue issues problem problems question questions end start started began begin become became set sets
move moved moves plan plans planned effort efforts deal deals money cost costs price prices market markets
percent data use users user service services system systems program programs plan plans policy policies
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december mr mrs ms dr inc ltd co corp information industry industries ministry
department agency investment investments university institute center centre council committee association office`

const NEWS_FR = `dit dire selon a ont été était sont être fait faire plus moins très aussi encore déjà après avant depuis
pendant année années an ans mois semaine semaines jour jours aujourd'hui hier demain premier première dernier dernière
nouveau nouvelle nouveaux nouvelles deux trois quatre cinq dix cent mille million millions milliard milliards pour
cent gouvernement entreprise entreprises société sociétés pays monde ville groupe partie fois façon chose choses
point cas question questions fin début plan projet prix marché marchés lundi mardi mercredi jeudi vendredi samedi
dimanche janvier février mars avril mai juin juillet août septembre octobre novembre décembre article abonnez
abonné abonnés lire partager photo vidéo crédit droits réservés`

const NEWS_ZH = `表示 认为 报道 记者 今年 去年 明年 目前 已经 可以 进行 没有 这个 那个 一个 我们 他们 自己 公司 企业 国家 政府
问题 时候 时间 方面 情况 工作 发展 通过 以及 其中 同时 因为 所以 如果 但是 还是 可能 需要 相关 主要 其他 一些 非常`

const NEWS_JA = `こと もの ため よう これ それ あれ ここ そこ 今年 昨年 来年 現在 記者 報道 会社 企業 政府 問題 時間 関係 必要
可能 一部 主要 以上 以下 など について による として ている ました です ます`

const BROAD_NAMES = `ai a.i. us u.s. usa uk u.k. eu e.u. un u.n. america american americans china chinese beijing europe european
japan japanese france french britain british germany german india indian russia russian washington london paris
tokyo world internet tech technology 中国 美国 日本 欧洲 人工智能 科技 中国人 美国人 日本人`

const words = (s: string) => s.split(/\s+/).filter(Boolean)

const NEWS: Record<string, ReadonlySet<string>> = {
  en: new Set(words(NEWS_EN)),
  fr: new Set(words(NEWS_FR)),
  zh: new Set(words(NEWS_ZH)),
  ja: new Set(words(NEWS_JA)),
}

const BROAD = new Set(words(BROAD_NAMES))

/** A word (lower case) that says nothing about a story in this language: a stopword or a word common in all news. */
export function isCommonWord(word: string, lang: string): boolean {
  const w = word.toLowerCase()
  // English function words turn up in every language's articles (quotes, names of things), so they always count.
  return stopwordsFor(lang).has(w) || stopwordsFor('en').has(w) || (NEWS[lang]?.has(w) ?? false) || (NEWS.en?.has(w) ?? false)
}

/** A name so frequent that mentioning it does not make a post about this article (a country, "AI"). */
export function isBroadName(term: string): boolean {
  return BROAD.has(term.toLowerCase())
}
