import { afterAll, describe, expect, it } from 'vitest'
import { readEnv } from '../../src/config/env.js'
import { loadConfig } from '../../src/config/load.js'
import { ConfigError } from '../../src/domain/errors.js'
import { CONFIG, tempDir } from '../helpers.js'
import { assistantConfig } from './setup.js'

describe('assistant configuration', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())

  it('is off by default, with the documented defaults', () => {
    expect(loadConfig(CONFIG).config.topics[0]!.assistant).toEqual({
      enabled: false,
      sample_size: 100,
      max_tokens_per_run: 50_000,
      max_cost_usd_per_run: 1,
      usd_per_1k_input_tokens: 0,
      usd_per_1k_output_tokens: 0,
      use_for_training: false,
      training_weight: 1,
      timeout_seconds: 30,
      max_retries: 3,
    })
  })

  it('refuses an enabled assistant without a model, naming the key and the fix', () => {
    const file = assistantConfig(tmp.dir, { model: undefined })
    const e = (() => {
      try {
        loadConfig(file)
      } catch (x) {
        return x
      }
    })()
    expect(e).toBeInstanceOf(ConfigError)
    expect((e as ConfigError).problems[0]).toMatchObject({ key: 'topics[0].assistant.model', message: expect.stringContaining('without a model') })
  })

  it('reads LLM_BASE_URL and LLM_API_KEY, and refuses a base URL that is not http(s)', () => {
    expect(readEnv({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1/', LLM_API_KEY: ' k ' }).llm).toEqual({ baseUrl: 'http://127.0.0.1:8080/v1', apiKey: 'k' })
    expect(() => readEnv({ LLM_BASE_URL: 'localhost:8080' })).toThrow(/LLM_BASE_URL: "localhost:8080" is not a http or https URL/)
  })
})
