import { describe, expect, it } from 'vitest'
import { wordTokens } from '../../src/text/stem.js'
import { charNgrams, normaliseEntities, splitHashtag } from '../../src/text/tokenize.js'

describe('wordTokens: Chinese and Japanese', () => {
  // natural's default (aggressive) tokenizer splits on [^a-zA-Z0-9] and returns [] for these.
  it('segments Chinese into words', () => {
    expect(wordTokens('中国的人工智能基金投资了很多初创公司', 'zh')).toEqual(['中国', '的', '人工', '智能', '基金', '投资', '了', '很多', '初创', '公司'])
  })

  it('segments Japanese into words, lower-casing embedded Latin', () => {
    const t = wordTokens('中国のAIファンドがスタートアップに投資', 'ja')
    expect(t).toEqual(['中国', 'の', 'ai', 'ファンド', 'が', 'スタート', 'アップ', 'に', '投資'])
    expect(t).not.toContain('AI')
  })

  it('keeps non-BMP characters (𠮷) in tokens', () => {
    expect(wordTokens('𠮷野家の牛丼', 'ja').join('')).toContain('𠮷')
  })

  it('drops punctuation and spaces', () => {
    expect(wordTokens('好！ 好。', 'zh')).toEqual(['好', '好'])
  })

  it('marks the words after a Chinese negator that stands alone', () => {
    expect(wordTokens('政府不应该补贴', 'zh')).toEqual(['政府', '不', 'NOT_应该', 'NOT_补贴'])
    expect(wordTokens('这家公司没有前途', 'zh')).toEqual(['这', '家', '公司', '没有', 'NOT_前途'])
  })

  it('stops Chinese negation scope at punctuation', () => {
    expect(wordTokens('没有钱，公司照样开', 'zh')).not.toContain('NOT_公司')
  })

  it.each([
    ['我不喜欢这个政策', 'NOT_喜欢'],
    ['这个基金不好', 'NOT_好'],
    ['这不是好主意', 'NOT_好主意'],
    ['我觉得国家队不会成功', 'NOT_成功'],
  ])('marks negation when the segmenter glues 不 to a neighbour: %s', (text, marked) => {
    expect(wordTokens(text, 'zh')).toContain(marked)
  })
})

describe('wordTokens: URLs, mentions and hashtags', () => {
  it('replaces a URL by a placeholder and its site name, and a mention by a placeholder', () => {
    const t = wordTokens('Read https://www.nytimes.com/2025/07/16/technology/china-ai.html?smid=url-share via @mei_lin_ai', 'und')
    expect(t).toEqual(['read', 'xurl', 'nytimes', 'via', 'xmention'])
  })

  it('replaces a Bluesky handle mention (with dots) by one placeholder', () => {
    expect(wordTokens('cc @nytimes.com', 'und')).toEqual(['cc', 'xmention'])
  })

  it('does not take an e-mail address for a mention', () => {
    expect(normaliseEntities('mail tips@nytimes.com')).toBe('mail tips@nytimes.com')
  })

  it('uses the same placeholders in Chinese and Japanese', () => {
    expect(wordTokens('@nytimes 好文 https://t.co/Xy12AbCdEf', 'zh')).toEqual(['xmention', '好文', 'xurl', 't'])
    expect(wordTokens('#中国AI 很厉害', 'zh')).toEqual(['xhashtag', '中国', 'ai', '很', '厉害'])
  })

  it('splits a camel-case hashtag into words after a placeholder', () => {
    expect(wordTokens('#DeepSeekR1 rocks', 'und')).toEqual(['xhashtag', 'deep', 'seek', 'r', '1', 'rocks'])
    expect(wordTokens('#ChinaAI', 'und')).toEqual(['xhashtag', 'china', 'ai'])
  })
})

describe('splitHashtag', () => {
  it.each([
    ['DeepSeekR1', 'Deep Seek R 1'],
    ['ChinaAI', 'China AI'],
    ['NYTimes', 'NY Times'],
    ['XMLHttpRequest', 'XML Http Request'],
    ['GPT4o', 'GPT 4o'],
    ['中国AI', '中国 AI'],
    ['AI基金', 'AI 基金'],
    ['state_fund', 'state fund'],
    ['deepseek', 'deepseek'],
    ['国产大模型', '国产大模型'],
  ])('%s → %s', (tag, expected) => {
    expect(splitHashtag(tag)).toBe(expected)
  })
})

describe('wordTokens: negation scope (English and French)', () => {
  it('marks the three words after an English negator', () => {
    expect(wordTokens('China is not a good investor', 'en')).toEqual(['china', 'is', 'not', 'NOT_a', 'NOT_good', 'NOT_investor'])
  })

  it("treats contractions (don't, can't) as negators", () => {
    expect(wordTokens("I don't like it", 'en')).toEqual(['i', 'dont', 'NOT_like', 'NOT_it'])
    expect(wordTokens("I can't support subsidies", 'en')).toEqual(['i', 'cant', 'NOT_support', 'NOT_subsidi'])
  })

  it('ends the scope at punctuation', () => {
    expect(wordTokens('Not bad. Great fund', 'en')).toEqual(['not', 'NOT_bad', 'great', 'fund'])
  })

  it('ends the scope after three words', () => {
    expect(wordTokens('never a good idea for the state', 'en')).toEqual(['never', 'NOT_a', 'NOT_good', 'NOT_idea', 'for', 'the', 'state'])
  })

  it("opens a French negation at the elided n' (n'est pas) and marks what follows", () => {
    const t = wordTokens("Ce fonds n'est pas une bonne idée", 'fr')
    expect(t.slice(0, 3)).toEqual(['ce', 'fond', 'ne'])
    expect(t).toContain('NOT_est')
    expect(t).toContain('pas')
    expect(t).toContain('NOT_bon')
    expect(t).not.toContain('bon')
  })

  it('marks the words after a French "ne … jamais"', () => {
    expect(wordTokens('Les subventions ne marchent jamais', 'fr')).toEqual(['le', 'subvent', 'ne', 'NOT_marchent', 'jamais'])
  })

  it("removes other French elisions (l', d', qu')", () => {
    expect(wordTokens("l'État qu'il finance", 'fr')).toEqual(['etat', 'il', 'financ'])
  })
})

describe('wordTokens: stemming and folding', () => {
  it('stems English', () => {
    expect(wordTokens('investments investing subsidies', 'en')).toEqual(['invest', 'invest', 'subsidi'])
  })

  it('stems French', () => {
    expect(wordTokens('les investissements chinois', 'fr')).toEqual(['le', 'invest', 'chinois'])
  })

  it('does not stem languages without a stemmer, nor numbers', () => {
    expect(wordTokens('investments 2025', 'und')).toEqual(['investments', '2025'])
    expect(wordTokens('8500 investments', 'en')).toEqual(['8500', 'invest'])
  })

  it('folds full-width letters and accents before stemming', () => {
    expect(wordTokens('Ｄｅｅｐ café', 'und')).toEqual(['deep', 'cafe'])
  })
})

describe('charNgrams', () => {
  it('builds padded, folded character n-grams across scripts', () => {
    expect(charNgrams('AI 基金', 2, 2)).toEqual([' a', 'ai', 'i ', ' 基', '基金', '金 '])
  })

  it('counts a non-BMP character as one character', () => {
    expect(charNgrams('𠮷', 1, 1)).toEqual([' ', '𠮷', ' '])
  })

  it('normalises URLs before building n-grams', () => {
    expect(charNgrams('https://t.co/x', 3, 3).join('|')).not.toContain('htt')
  })
})
