import { describe, expect, it } from 'vitest'
import { LabelMemory, memoryUnits, unitHashes } from '../../src/classify/label-memory.js'
import { predictStance, trainingSet } from '../../src/classify/people-labels.js'
import type { Example } from '../../src/classify/stance-model.js'
import { trainStanceModel } from '../../src/classify/training.js'

const LABELLED = [
  { text: 'Subsidised compute + subsidised labs = a price war nobody outside China can win. This is dumping, just with GPUs.', label: 'concern', ref: '#1' },
  { text: '85亿美元、400多家初创企业，这就是国家意志！支持！🇨🇳', label: 'praise', ref: '#2' },
  { text: 'The fund is a bold, coherent response to export controls. You have to admire the resolve.', label: 'praise', ref: '#3' },
  { text: 'Saving this 🔖', label: 'neutral', ref: 'import:extra.tsv' },
]

describe('label memory', () => {
  const memory = new LabelMemory(LABELLED)

  it('gives a person’s label to the same words, whatever the links, mentions, case and emoji', () => {
    expect(memory.recall(LABELLED[0]!.text)).toEqual({ label: 'concern', ref: '#1', similarity: 1 })
    expect(
      memory.recall('SUBSIDISED compute + subsidised labs = a price war nobody outside China can win!! This is dumping, just with GPUs https://t.co/abc @x'),
    ).toEqual({
      label: 'concern',
      ref: '#1',
      similarity: 1,
    })
    expect(memory.recall('saving this')).toMatchObject({ label: 'neutral', ref: 'import:extra.tsv' })
  })

  it('recognises copy-pastes and quote posts that repeat the words with a little around them', () => {
    expect(memory.recall(`RT @someone: ${LABELLED[0]!.text}`)).toMatchObject({ label: 'concern', ref: '#1', similarity: 1 })
    expect(memory.recall(`This 👇\n"${LABELLED[0]!.text}"`)).toMatchObject({ label: 'concern', ref: '#1' })
    expect(memory.recall(`转发：${LABELLED[1]!.text}`)).toMatchObject({ label: 'praise', ref: '#2' })
    expect(memory.recall(`${LABELLED[2]!.text} #ChinaAI`)!.similarity).toBeGreaterThan(0.8)
  })

  it('does not recall an edit inside the text (a negation), another post, or a short text that is not the same', () => {
    expect(memory.recall('The fund is not a bold, coherent response to export controls. You have to admire the resolve.')).toBeNull()
    expect(memory.recall('The fund is a bold response. I do not admire it.')).toBeNull()
    expect(memory.recall('Saving this for later')).toBeNull()
    expect(new LabelMemory([]).recall(LABELLED[0]!.text)).toBeNull()
  })

  it('keeps the latest label of the same words', () => {
    const m = new LabelMemory([...LABELLED, { ...LABELLED[0]!, label: 'neutral', ref: '#9' }])
    expect(m.recall(LABELLED[0]!.text)).toMatchObject({ label: 'neutral', ref: '#9' })
  })

  it('splits CJK text into characters and Latin text into words', () => {
    expect(memoryUnits('RT @a: DeepSeek的模型 https://x.co/1')).toEqual(['deepseek', '的', '模', '型'])
  })

  it('hashes, in one pass over the characters, exactly the words memoryUnits finds', () => {
    const fnv = (w: string) => {
      let h = 0x811c9dc5
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193)
      return h >>> 0
    }
    const texts = [
      ...LABELLED.map((l) => l.text),
      'RT @a: DeepSeek的模型 https://x.co/1',
      'Ｆｕｌｌ-width ＡＩ and 𠮷野家 (a CJK extension character), Ελληνικά, русский, 한국어 텍스트, café naïve',
      '日本の「AI村」はデータラベリング、ｶﾀｶﾅ too; emoji 🇨🇳🚀 and ZWJ 👩‍💻 between words',
      'www.example.com/path @user //@转发者: 转发内容 #话题',
      '',
      '   ',
    ]
    for (const t of texts) expect([...unitHashes(t)], t).toEqual(memoryUnits(t).map(fnv))
  })

  it('a recalled prediction says whose label it is; the model’s scores stay for the record', () => {
    const seeds: Example[] = [
      ...['great plan', 'wonderful vision', 'admire the resolve', 'bold and smart', 'impressive commitment'].map((text) => ({ text, label: 'praise' })),
      ...['price war', 'dumping subsidies', 'zombie firms', 'security risk', 'waste of money'].map((text) => ({ text, label: 'concern' })),
    ]
    const model = trainStanceModel(seeds, ['praise', 'concern'], 0)
    const p = predictStance(
      model,
      new LabelMemory([{ text: 'what a great plan, truly bold and smart', label: 'concern', ref: '#5' }]),
      'what a great plan, truly bold and smart',
    )
    expect(p).toMatchObject({ label: 'concern', confidence: 1, remembered: { ref: '#5', similarity: 1 } })
    expect(p.scores.praise).toBeGreaterThan(p.scores.concern!)
    expect(predictStance(model, new LabelMemory([]), 'what a great plan').remembered).toBeNull()
  })
})

describe('people’s labels weigh more than seeds', () => {
  const ex = (label: string, texts: string[]): Example[] => texts.map((text) => ({ text, label }))
  const seeds: Example[] = [
    ...ex('concern', [
      'the subsidies will distort the market and private investors cannot compete',
      'selling chips again is a security mistake',
      'four hundred zombie start-ups kept alive by local banks',
      'state money means state priorities, surveillance first',
      'a price war on tokens funded by the state is dumping',
      'nobody audits the fund and savers will pay for the losses',
    ]),
    ...ex('praise', [
      'a bold national plan for AI, funded and executed',
      'the engineers did more with less, a proud year',
      'patient capital from the state is how an industry is built',
      'the open models are a gift to developers everywhere',
      'national will in action, decide fund build',
      'the talent is coming home because the support is real',
    ]),
    ...ex('neutral', [
      'how the government is funding its AI start-ups, the report says',
      'does anyone know how the companies were selected',
      'reading group on thursday to discuss the article',
      'nvidia to resume chip sales, the company says',
      'is the money equity or loans',
      'podcast episode on the fund, link in bio',
    ]),
  ]
  const labels = ['concern', 'praise', 'neutral']
  // A person reads a seed's words differently: the training set now holds both readings of the same text.
  const disputed = 'four hundred zombie start-ups kept alive by local banks'
  const nearCopy = 'honestly, four hundred zombie start-ups kept alive by local banks?'

  it('at the default weight a person’s label outvotes the seed and flips a near copy; at weight 1 it does not', () => {
    const person = [{ text: disputed, label: 'neutral' }]
    const weighted = trainStanceModel(trainingSet(seeds, person), labels, 0, { hyper: { C: 0.3 } })
    expect(weighted.predict(nearCopy).label).toBe('neutral')
    const flat = trainStanceModel(trainingSet(seeds, person, 1), labels, 0, { hyper: { C: 0.3 } })
    expect(flat.predict(nearCopy).label).toBe('concern')
  })

  it('seeds keep weight 1 and people’s labels carry the weight', () => {
    const set = trainingSet(seeds.slice(0, 2), [{ text: 'x', label: 'praise' }], 4)
    expect(set.map((e) => e.weight)).toEqual([undefined, undefined, 4])
  })
})
