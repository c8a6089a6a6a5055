import { describe, expect, it } from 'vitest'
import { detectLang, type DetectedLang } from '../../src/text/detect-lang.js'

const cases = (rows: [string, DetectedLang][]) => rows

describe('detectLang', () => {
  it.each(
    cases([
      // Short posts
      ['China is pouring money into AI start-ups', 'en'],
      // Too short for the identifier: no language rather than a guess (the word lists said English).
      ['lol', 'und'],
      ['中国的人工智能基金', 'zh'],
      ['太离谱了', 'zh'],
      ["La Chine investit dans les start-up de l'IA", 'fr'],
      ['Très intéressant', 'fr'],
      ["C'est fou", 'fr'],
      ['ディープシーク', 'ja'],
      ['すごい', 'ja'],
      ['AIファンド', 'ja'],
    ]),
  )('short post %j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      [
        "The NYT piece on China's state AI fund is worth reading. It explains how the government picks the so-called little giants, " +
          'why the money goes to chips and models, and what happens to start-ups that cannot raise private capital afterwards.',
        'en',
      ],
      [
        '纽约时报这篇文章讲了国家人工智能产业投资基金怎么挑选“小巨人”企业。钱主要投向芯片和大模型，' +
          '但很多初创公司拿到补贴以后并没有真正的商业模式，这种产业政策能不能成功还要看退出机制。',
        'zh',
      ],
      [
        "L'article du NYT sur le fonds d'État chinois pour l'IA est passionnant : il explique comment Pékin choisit ses " +
          'petits géants, pourquoi les milliards vont aux puces et aux modèles, et ce que deviennent les start-up ensuite.',
        'fr',
      ],
      [
        'ニューヨーク・タイムズの記事によると、中国の国家AIファンドは「小さな巨人」と呼ばれるスタートアップに出資している。' +
          '半導体やモデル開発に資金が集中しているが、民間の投資が続かない企業も多いようだ。',
        'ja',
      ],
    ]),
  )('long post → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      ['国家AI基金投资了DeepSeek和Qwen等大模型公司，OpenAI和Nvidia都在关注', 'zh'],
      ['我们测试了DeepSeek-R1、Qwen2.5-Max、Kimi k1.5和ChatGPT o3-mini', 'zh'],
      ['ChatGPT と DeepSeek の比較をしてみた', 'ja'],
      ['OpenAI、Anthropic、Google DeepMindはどう対抗するのか', 'ja'],
      ['中国のAIファンドが小さな巨人に投資している', 'ja'],
      ['DeepSeek R1 est impressionnant', 'fr'],
      ['한국 인공지능 펀드', 'ko'],
    ]),
  )('mixed scripts: %j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      ['@nytimes #ChinaAI https://t.co/Xy12AbCdEf 太离谱了', 'zh'],
      ['Wow @人民日报 #中国AI https://www.nytimes.com/2025/07/16/technology/china-ai.html', 'und'],
      // Two Latin words are too few for any identifier ("so proud" scores German above English); four are enough.
      ['#中国AI #国产大模型 so proud of them', 'en'],
      ['@meilin.bsky.social すごい', 'ja'],
      ['https://www.nytimes.com/2025/07/16/technology/china-ai.html @nytimes #ChinaAI', 'und'],
    ]),
  )('ignores URLs, mentions and hashtags: %j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      ['必读 nytimes.com/2025/07/16/tech...', 'zh'],
      ['必読の記事 nytimes.com/2025/07/16/tech...', 'ja'],
    ]),
  )('ignores the scheme-less links Bluesky writes into post text: %j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      ['', 'und'],
      ['   ', 'und'],
      ['12345', 'und'],
      ['😀😀🔥', 'und'],
      ['!!!', 'und'],
    ]),
  )('%j has no language → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  // Five short posts per language, none with the topic's words doing the work.
  const perLanguage: Record<Exclude<DetectedLang, 'und'>, string[]> = {
    en: [
      'anyone know a good plumber in east london?',
      'Rain all weekend. Perfect excuse to finish that book.',
      'gym at 6am, who am I',
      'ok sounds good',
      'Kubernetes broke again, send help',
    ],
    fr: [
      'Il pleut encore à Paris, quelle surprise',
      'ça marche, on se voit demain à la gare',
      'le wifi du TGV ne marche jamais',
      'bonne journée à tous',
      'trop cringe ce post',
    ],
    es: [
      'mi perro se comió mis zapatillas nuevas 😭',
      '¿Cuál es vuestra playa favorita en Galicia?',
      'ojalá llegue pronto la primavera',
      'qué crack eres',
      'el meeting de hoy fue un fail total',
    ],
    de: [
      'Stau auf der A7, ich komme zu spät',
      'hoffentlich wird es bald Frühling',
      'Homeoffice heute, yay',
      'Das Meeting war ein totaler Fail',
      'Der Drucker im Büro ist schon wieder kaputt',
    ],
    it: [
      'Fa un caldo pazzesco a Roma oggi',
      'speriamo che arrivi presto la primavera',
      'che cringe questo post',
      'Piove da tre giorni senza sosta',
      'il meeting di oggi è stato un flop',
    ],
    pt: [
      'meu cachorro comeu meu tênis novo 😭',
      'tomara que a primavera chegue logo',
      'bom dia, gente',
      'O wifi do hotel é um desastre',
      'Acabou a luz no bairro inteiro',
    ],
    ru: ['скорее бы весна', 'Дождь идёт уже третий день', 'го в кино', 'Wi-Fi в отеле просто ужас', 'Пробки на МКАДе, опаздываю'],
    zh: ['春天快点来吧', '用了一周 iPhone 16 Pro，续航一般', '今天 Nvidia 发布 H20 新版本', '週末有人一起去爬山嗎？', '酒店的WiFi太差了'],
    ja: ['三日連続で雨', '東京今日暑すぎる', 'ホテルのWiFiが最悪', 'ニュースの後Nvidia株が上昇、どう思う？', '今日は実家でご飯'],
    ko: ['주말에 등산 갈 사람?', '첫 하프 마라톤 완주 🏃', 'KTX가 한 시간 늦게 왔어요', 'DeepSeek 또 화제네, Nvidia 긴장하겠다 #AI', '빨리 봄이 왔으면 좋겠다'],
  }
  it.each(Object.entries(perLanguage).flatMap(([lang, texts]) => texts.map((t) => [t, lang] as [string, DetectedLang])))('%j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })

  it.each(
    cases([
      ['Dit is een mooie dag om te fietsen', 'und'],
      ['Dzisiaj jest piękna pogoda, idę na spacer', 'und'],
      ['Bugün hava çok güzel, sahile gidiyoruz', 'und'],
      ['Нарешті п’ятниця, хто йде в бар?', 'und'],
      ['Επιτέλους Παρασκευή, ποιος έρχεται για μπύρα;', 'und'],
    ]),
  )('a language outside the ten is undetermined, not one of ours: %j → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang)
  })
})
