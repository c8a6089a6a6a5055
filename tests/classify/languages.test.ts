import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSeedExamples } from '../../src/classify/seeds.js'
import { coveredLanguages, StanceModel, type ModelParams } from '../../src/classify/stance-model.js'
import { trainStanceModel } from '../../src/classify/training.js'
import { UNCERTAIN } from '../../src/domain/stance.js'

const SEEDS = path.join(import.meta.dirname, '../../config/seeds/china-ai-fund.jsonl')
const LABELS = ['concern', 'praise', 'neutral']

// Posts whose words lean hard one way: without the language rule a model would label them.
const SPANISH = ['El fondo estatal chino de IA es un despilfarro enorme y muy peligroso', 'Qué maravilla, el gobierno chino apuesta por sus startups de IA']
const GERMAN = ['Dieser staatliche KI-Fonds ist reine Geldverschwendung und gefährlich', 'Großartig, China investiert endlich richtig in seine KI-Startups']

describe('a language the model has no training data for', () => {
  // min_confidence 0: no post is uncertain for want of confidence, only for its language.
  const model = trainStanceModel(readSeedExamples(SEEDS, LABELS), LABELS, 0)

  it('the model records the languages its training set covered', () => {
    expect(model.params.languages).toEqual(['en', 'fr', 'ja', 'zh'])
  })

  it.each([...SPANISH, ...GERMAN])('%j is uncertain, with its scores still given', (text) => {
    const p = model.predict(text)
    expect(p.label).toBe(UNCERTAIN)
    expect(Object.keys(p.scores).sort()).toEqual([...LABELS].sort())
  })

  it('the language stored at ingest counts as a detected one', () => {
    expect(model.predict('El fondo estatal es un despilfarro', 'es').label).toBe(UNCERTAIN)
    expect(model.predict('The state fund is a huge waste of money', 'en').label).not.toBe(UNCERTAIN)
  })

  it('posts in the covered languages are labelled as before', () => {
    for (const text of ['The state fund is a huge waste of taxpayer money', '国家基金浪费纳税人的钱', "Ce fonds d'État est un gaspillage énorme"])
      expect(model.predict(text).label).not.toBe(UNCERTAIN)
  })

  it('explain says the same as predict', () => {
    expect(model.explain(GERMAN[0]!).label).toBe(UNCERTAIN)
  })

  it('the list survives serialize → load', () => {
    const { params, weights } = model.serialize()
    const loaded = StanceModel.load(params, weights)
    expect(loaded.params.languages).toEqual(model.params.languages)
    expect(loaded.predict(SPANISH[0]!).label).toBe(UNCERTAIN)
  })

  it('a model stored before languages were recorded scores every language, as it did', () => {
    const { params, weights } = model.serialize()
    const old = JSON.parse(params) as ModelParams
    delete old.languages
    const loaded = StanceModel.load(JSON.stringify(old), weights)
    expect(loaded.params.languages).toBeUndefined()
    for (const text of [...SPANISH, ...GERMAN]) {
      const p = loaded.predict(text)
      expect(p.label).not.toBe(UNCERTAIN)
      expect(p).toEqual({ ...model.predict(text), label: p.label })
    }
  })
})

describe('coveredLanguages', () => {
  const en = (n: number) => Array.from({ length: n }, (_, i) => `This is English post number ${i} about the weather today`)
  const es = (n: number) => Array.from({ length: n }, (_, i) => `Este es el mensaje número ${i} sobre el tiempo de hoy`)

  it('needs ten examples of a language', () => {
    expect(coveredLanguages([...en(50), ...es(9)])).toEqual(['en'])
    expect(coveredLanguages([...en(50), ...es(10)])).toEqual(['en', 'es'])
  })

  it('records nothing for a training set too small to tell (the model then scores every language)', () => {
    expect(coveredLanguages([...en(30), ...es(15)])).toBeUndefined()
    expect(
      trainStanceModel(
        [...en(20), ...es(20)].map((text, i) => ({ text, label: i % 2 ? 'a' : 'b' })),
        ['a', 'b'],
        0,
      ).params.languages,
    ).toBeUndefined()
  })
})
