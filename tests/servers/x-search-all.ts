import { loadConfig } from '../../src/config/load.js'
import { compileXQueries } from '../../src/sources/x/queries.js'

/**
 * Every page the X server answers for each of a config's compiled queries, paged to the end over plain HTTP
 * within [start, end): the complete answer a collector's database is compared with.
 */
export async function* searchAllPages(
  server: { url: string },
  configFile: string,
  bearer: string,
  window: { start: number; end?: number },
): AsyncGenerator<{ meta: { next_token?: string; result_count: number } }> {
  const { config } = loadConfig(configFile)
  for (const q of compileXQueries(config.topics[0]!)) {
    let token: string | undefined
    do {
      const u = new URL(`${server.url}/2/tweets/search/recent`)
      u.searchParams.set('query', q.query)
      u.searchParams.set('max_results', '100')
      u.searchParams.set('start_time', new Date(window.start).toISOString())
      if (window.end) u.searchParams.set('end_time', new Date(window.end).toISOString())
      u.searchParams.set('expansions', 'author_id')
      u.searchParams.set('tweet.fields', 'created_at,entities,referenced_tweets,note_tweet,lang,public_metrics,conversation_id,author_id')
      if (token) u.searchParams.set('next_token', token)
      const body = (await (await fetch(u, { headers: { authorization: `Bearer ${bearer}` } })).json()) as {
        meta: { next_token?: string; result_count: number }
      }
      yield body
      token = body.meta?.next_token
    } while (token)
  }
}
