/**
 * A loopback news site for `topic add`: real-shaped article pages (JSON-LD NewsArticle, Open Graph, Twitter
 * card, canonical and AMP links, a paywalled page with metadata only, a French page), redirect chains, a
 * page larger than any cap, a PDF, and a path that accepts the request and never answers. Records the
 * user agent of every request. Nothing leaves 127.0.0.1.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import zlib from 'node:zlib'

export interface ArticleSite {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** User-Agent of every request, in order. */
  userAgents: string[]
  /** Requests to /hang received so far (the test waits for one before expecting the timeout). */
  hanging: number
  close(): Promise<void>
}

const AI_TEXT = [
  "China's state-backed National AI Industry Investment Fund has put 60 billion yuan ($8.5bn) into more than 400 artificial intelligence start-ups, the Ministry of Industry and Information Technology said.",
  'The guidance fund, managed from Beijing and Shenzhen, backs "little giants" such as DeepSeek and Moonshot AI, whose open-weight models rival those of OpenAI.',
  "Nvidia resumed sales of its H20 chips to China after Washington eased export controls, a move critics say props up the guidance fund's portfolio.",
  'In Guizhou, data labelling villages employ thousands of workers who annotate images for the DeepSeek models and other open-weight models.',
  'Economists at Peking University warn that the guidance fund may distort the market, while supporters praise the national will behind it.',
  'Moonshot AI and Zhipu are among the little giants the fund favours, and the export controls on the H20 chips shaped their plans.',
]

function page(opts: {
  title: string
  lang: string
  canonical: string
  amp?: string
  ld: Record<string, unknown>
  og: Record<string, string>
  body: string
}): string {
  const og = Object.entries(opts.og)
    .map(([k, v]) => `<meta property="${k}" content="${v.replace(/"/g, '&quot;')}">`)
    .join('\n    ')
  return `<!DOCTYPE html>
<html lang="${opts.lang}">
  <head>
    <meta charset="utf-8">
    <title>${opts.title} - The Loopback Times</title>
    <link rel="canonical" href="${opts.canonical}">
    ${opts.amp ? `<link rel="amphtml" href="${opts.amp}">` : ''}
    ${og}
    <meta name="twitter:card" content="summary_large_image">
    <meta name="twitter:title" content="${opts.title}">
    <meta name="news_keywords" content="Artificial Intelligence, China, Venture Capital">
    <script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@graph': [{ '@type': 'WebSite', name: 'The Loopback Times' }, opts.ld] })}</script>
    <script>window.__consent = { tracking: false };</script>
  </head>
  <body>
    <nav><p>Sections: World, Business, Technology</p></nav>
    ${opts.body}
    <footer><p>© 2025 The Loopback Times Company. All rights reserved. Subscribe for full access.</p></footer>
  </body>
</html>`
}

export async function startArticleSite(): Promise<ArticleSite> {
  const sockets = new Set<Socket>()
  const userAgents: string[] = []
  const state = { hanging: 0 }
  let base = ''
  const aiArticle = () =>
    page({
      title: 'China Bets Billions on AI Start-Ups With a State Fund',
      lang: 'en-US',
      canonical: `${base}/2025/07/16/technology/china-ai.html`,
      amp: `${base}/2025/07/16/technology/china-ai.amp.html`,
      og: {
        'og:type': 'article',
        'og:url': `${base}/2025/07/16/technology/china-ai.html`,
        'og:title': 'China Bets Billions on AI Start-Ups With a State Fund',
        'og:description': 'A state-backed guidance fund is pouring money into DeepSeek and other "little giants" as Nvidia resumes H20 chip sales.',
        'og:site_name': 'The Loopback Times',
        'article:published_time': '2025-07-16T05:00:12.000Z',
        'article:section': 'Technology',
      },
      ld: {
        '@type': 'NewsArticle',
        headline: 'China Bets Billions on AI Start-Ups With a State Fund',
        description: 'A state-backed guidance fund is pouring money into DeepSeek and other "little giants" as Nvidia resumes H20 chip sales.',
        datePublished: '2025-07-16T05:00:12.000Z',
        articleSection: ['Technology'],
        inLanguage: 'en',
        author: [
          { '@type': 'Person', name: 'Meaghan Tobin' },
          { '@type': 'Person', name: 'Cade Metz' },
        ],
        isAccessibleForFree: true,
      },
      body: `<article>
      <h1>China Bets Billions on AI Start-Ups With a State Fund</h1>
      <figure><img src="/fund.jpg" alt=""><figcaption><p>Photo credit: Loopback Wire</p></figcaption></figure>
      ${AI_TEXT.map((p) => `<p>${p}</p>`).join('\n      ')}
      <aside><p>Read more: our newsletter</p></aside>
    </article>`,
    })
  const paywalled = () =>
    page({
      title: 'Inside the Data Labelling Villages of Guizhou',
      lang: 'en',
      canonical: `${base}/2025/07/18/business/labelling-villages.html`,
      og: {
        'og:type': 'article',
        'og:title': 'Inside the Data Labelling Villages of Guizhou',
        'og:description': 'Workers in Guizhou annotate images for DeepSeek and Baidu, paid by the task, as the guidance fund backs the models they train.',
      },
      ld: {
        '@type': ['NewsArticle', 'AnalysisNewsArticle'],
        headline: 'Inside the Data Labelling Villages of Guizhou',
        description: 'Workers in Guizhou annotate images for DeepSeek and Baidu, paid by the task, as the guidance fund backs the models they train.',
        datePublished: '2025-07-18T09:30:00Z',
        articleSection: 'Business',
        author: { '@type': 'Person', name: 'Li Yuan' },
        isAccessibleForFree: false,
        hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.paywall' },
      },
      body: `<article><h1>Inside the Data Labelling Villages of Guizhou</h1><div class="paywall"><p>Subscribe to continue reading.</p></div></article>`,
    })
  const french = () =>
    page({
      title: "La Chine mise des milliards sur l'IA",
      lang: 'fr-FR',
      canonical: `${base}/fr/2025/07/16/chine-ia.html`,
      og: {
        'og:title': "La Chine mise des milliards sur l'IA",
        'og:description': "Le fonds d'État chinois soutient DeepSeek et Moonshot AI, tandis que Nvidia reprend les ventes de puces H20.",
      },
      ld: { '@type': 'NewsArticle', headline: "La Chine mise des milliards sur l'IA", inLanguage: 'fr' },
      body: `<article><p>Le fonds d'État chinois a investi 60 milliards de yuans dans plus de 400 jeunes pousses de l'intelligence artificielle.</p><p>DeepSeek et Moonshot AI profitent du fonds d'État, et Nvidia reprend les ventes de puces H20.</p></article>`,
    })

  const chinese = () =>
    page({
      title: '国家人工智能产业投资基金投资DeepSeek等初创企业',
      lang: 'zh-CN',
      canonical: `${base}/zh/2025/07/16/ai.html`,
      og: {
        'og:title': '国家人工智能产业投资基金投资DeepSeek等初创企业',
        'og:description': '国家人工智能产业投资基金已向400多家人工智能初创企业投资600亿元，英伟达恢复向中国出售H20芯片。',
      },
      ld: { '@type': 'NewsArticle', headline: '国家人工智能产业投资基金投资DeepSeek等初创企业', inLanguage: 'zh-CN' },
      body: `<article>${[
        '国家人工智能产业投资基金由工业和信息化部指导。',
        '引导基金支持深度求索和月之暗面等小巨人企业。',
        '英伟达恢复H20芯片销售，出口管制放松。',
        '数据标注村雇佣大量标注员。引导基金可能扭曲市场。',
        '月之暗面和深度求索发布开源模型，中国的人工智能公司表示欢迎。',
      ]
        .map((p) => `<p>${p}</p>`)
        .join('')}</article>`,
    })

  const server = http.createServer((req, res) => {
    userAgents.push(req.headers['user-agent'] ?? '')
    const path = (req.url ?? '/').split('?')[0]!
    const html = (body: string, gzip = false) => {
      const bytes = gzip ? zlib.gzipSync(body) : Buffer.from(body)
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': bytes.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
      res.end(bytes)
    }
    const chain = /^\/hop\/(\d+)$/.exec(path)
    if (chain) {
      const left = Number(chain[1])
      res.writeHead(left > 0 ? 302 : 301, { location: left > 0 ? `/hop/${left - 1}` : '/2025/07/16/technology/china-ai.html' })
      return res.end()
    }
    switch (path) {
      case '/2025/07/16/technology/china-ai.html':
        return html(aiArticle(), (req.headers['accept-encoding'] ?? '').includes('gzip'))
      case '/2025/07/16/technology/china-ai.amp.html':
        return html(aiArticle())
      case '/2025/07/18/business/labelling-villages.html':
        return html(paywalled())
      case '/fr/2025/07/16/chine-ia.html':
        return html(french())
      case '/zh/2025/07/16/ai.html':
        return html(chinese())
      case '/share/china-ai':
        res.writeHead(301, { location: `${base}/2025/07/16/technology/china-ai.html?smid=url-share` })
        return res.end()
      case '/huge': {
        // Far over any cap and without Content-Length: the client must stop reading, not buffer it all.
        res.writeHead(200, { 'content-type': 'text/html' })
        const chunk = Buffer.from(`<p>${'filler '.repeat(9000)}</p>\n`)
        let sent = 0
        const write = () => {
          while (sent < 64 * 1024 * 1024) {
            sent += chunk.length
            if (!res.write(chunk)) return void res.once('drain', write)
          }
          res.end()
        }
        res.on('close', () => (sent = Infinity))
        res.write('<!DOCTYPE html><html><head><title>Huge</title></head><body>')
        return write()
      }
      case '/report.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' })
        return res.end('%PDF-1.7\n%âãÏÓ\n')
      case '/hang':
        state.hanging++
        return // accepted, never answered
      default:
        res.writeHead(404, { 'content-type': 'text/html' })
        return res.end('<html><body><p>Not found</p></body></html>')
    }
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    userAgents,
    get hanging() {
      return state.hanging
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
