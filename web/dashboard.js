/*
 * The dashboard's client: the chart, filters that apply on change, labelling with one key and undo, the
 * review queue, alert states, retraining. Served from our own origin (the CSP allows no inline script).
 * Everything it writes into the page goes through textContent, never innerHTML: post text stays text.
 */
'use strict'

const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''
const page = document.body.dataset.page

/** A change: JSON, same origin, with the CSRF token. */
async function send(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body ?? {}),
  })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`)
  return data
}

let toastTimer = 0
function toast(text, undo) {
  const t = document.getElementById('toast')
  if (!t) return
  t.replaceChildren(document.createTextNode(text))
  if (undo) {
    const b = document.createElement('button')
    b.type = 'button'
    b.textContent = 'Undo (u)'
    b.addEventListener('click', () => void undo())
    t.append(' ', b)
  }
  t.hidden = false
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => (t.hidden = true), 8000)
}

// Filters apply as soon as a select changes.
for (const s of document.querySelectorAll('form.filters select.auto')) s.addEventListener('change', () => s.form.requestSubmit())

/** The badge of a post after a label: who says what now. */
function showStance(card, stance) {
  const badge = card.querySelector('.stance')
  if (!badge) return
  const label = stance?.label ?? 'unclassified'
  const who =
    stance?.source === 'human' ? 'person' : stance?.source === 'model' ? `model ${stance.confidence == null ? '' : stance.confidence.toFixed(2)}` : 'not scored'
  badge.dataset.label = label
  badge.dataset.source = stance?.source ?? ''
  const small = document.createElement('small')
  small.textContent = `(${who})`
  badge.replaceChildren(document.createTextNode(`${label} `), small)
}

const labelled = []

async function label(card, value) {
  // In the queue, the next post comes at once: a person labelling by keyboard does not wait for the server,
  // and a second key press cannot land on the post just labelled. A refused label brings the post back.
  card.dataset.done = '1'
  if (page === 'review') nextCard()
  try {
    const r = await send('/api/labels', { post: Number(card.dataset.post), label: value === '' ? null : value, topic: card.dataset.topic })
    showStance(card, r.stance)
    labelled.push(card)
    toast(value === '' ? `#${card.dataset.post} handed back to the model` : `#${card.dataset.post} labelled ${value}`, undo)
    const count = document.getElementById('people-labels')
    if (count && r.changed) count.textContent = String(Number(count.textContent) + (value === '' ? -1 : r.previous?.source === 'human' ? 0 : 1))
  } catch (e) {
    delete card.dataset.done
    if (page === 'review') focusCard(card)
    toast(`Not saved: ${e.message}`)
  }
}

async function undo() {
  try {
    const r = await send('/api/labels/undo')
    if (!r.batch) return toast('Nothing to undo')
    for (const x of r.restored) {
      const card = document.querySelector(`article.post[data-post="${Number(x.postId)}"]`)
      if (!card) continue
      showStance(card, x.restored ? { label: x.restored, source: 'human' } : { label: x.stance, source: x.stance ? 'model' : null, confidence: null })
      delete card.dataset.done
      card.classList.remove('skipped')
      if (page === 'review') focusCard(card)
    }
    toast(
      `Undone: ${r.restored.map((x) => `#${x.postId} back to ${x.restored ?? x.stance ?? 'unclassified'}`).join(', ')}${r.skipped.length ? `; ${r.skipped.length} left as changed since` : ''}`,
    )
  } catch (e) {
    toast(`Undo failed: ${e.message}`)
  }
}

// Posts and review: buttons, and keys on the focused post.
const cards = () => [...document.querySelectorAll('article.post')]
let current = null
function focusCard(card) {
  if (!card) return
  for (const c of cards()) c.classList.toggle('current', c === card)
  current = card
  card.focus({ preventScroll: true })
  card.scrollIntoView({ block: 'nearest' })
}
function nextCard() {
  const all = cards()
  focusCard(all.find((c) => !c.dataset.done && !c.classList.contains('skipped')) ?? all.at(-1))
}

for (const card of cards()) {
  card.addEventListener('focus', () => focusCard(card))
  for (const b of card.querySelectorAll('button.label-btn')) b.addEventListener('click', () => void label(card, b.dataset.label ?? ''))
}
if (page === 'review') nextCard()
else if (page === 'posts' && cards().length) current = cards()[0]

document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return
  const t = ev.target
  if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return
  if (page !== 'posts' && page !== 'review') return
  const all = cards()
  const card = current ?? all[0]
  if (ev.key === 'u') return void undo()
  if (!card) return
  const buttons = [...card.querySelectorAll('button.label-btn:not(.clear)')]
  const n = Number(ev.key)
  if (Number.isInteger(n) && n >= 1 && n <= buttons.length) return void label(card, buttons[n - 1].dataset.label)
  if (ev.key === 'c') return void label(card, '')
  if (ev.key === 'j') return focusCard(all[Math.min(all.indexOf(card) + 1, all.length - 1)])
  if (ev.key === 'k') return focusCard(all[Math.max(all.indexOf(card) - 1, 0)])
  if (ev.key === 's' && page === 'review') {
    card.classList.add('skipped')
    nextCard()
  }
})

// Review: retrain.
document.getElementById('retrain')?.addEventListener('click', async (ev) => {
  const button = ev.currentTarget
  const out = document.getElementById('retrain-result')
  button.disabled = true
  out.textContent = 'training…'
  try {
    const r = await send('/api/retrain', { topic: button.dataset.topic })
    const d = r.decision
    out.textContent = `${r.version}: cross-validated accuracy ${(r.cv.accuracy * 100).toFixed(1)}%, macro-F1 ${r.cv.macro_f1.toFixed(3)}; ${d.status === 'refused' ? `refused (${d.problems.join('; ')}), the previous model stays` : 'now active; posts are re-scored by the next classify run'}`
  } catch (e) {
    out.textContent = `Not retrained: ${e.message}`
  } finally {
    button.disabled = false
  }
})

// Alerts: state.
for (const s of document.querySelectorAll('select.alert-state')) {
  s.addEventListener('change', async () => {
    try {
      const a = await send(`/api/alerts/${Number(s.dataset.alert)}/state`, { state: s.value })
      toast(`Alert #${a.id}: ${a.state}`)
    } catch (e) {
      toast(`Not changed: ${e.message}`)
    }
  })
}

// Stance over time: the chart, from the JSON the page carries.
const COLORS = { concern: '#c0392b', praise: '#1e8449', neutral: '#566573', uncertain: '#b7950b', unclassified: '#aab7b8' }
const PALETTE = ['#2e86c1', '#8e44ad', '#d35400', '#17a589']

function drawChart() {
  const el = document.getElementById('chart')
  const data = JSON.parse(document.getElementById('stance-data')?.textContent ?? 'null')
  if (!el || !data || typeof uPlot === 'undefined') return
  const s = data.series
  const labels = s.labels.filter((l) => l !== 'unclassified' || s.totals.labels.find((x) => x.label === l).count > 0)
  const xs = s.buckets.map((b) => Date.parse(b.start) / 1000)
  const share = (l, k) => s.buckets.map((b) => (b.total ? b.labels.find((x) => x.label === l)[k] : null))
  const cols = [xs]
  const series = [{}]
  const bands = []
  labels.forEach((l, i) => {
    const color = COLORS[l] ?? PALETTE[i % PALETTE.length]
    const at = cols.length
    cols.push(share(l, 'share').map((v) => (v == null ? null : v * 100)))
    cols.push(s.buckets.map((b) => (b.total ? b.labels.find((x) => x.label === l).ci95[1] * 100 : null)))
    cols.push(s.buckets.map((b) => (b.total ? b.labels.find((x) => x.label === l).ci95[0] * 100 : null)))
    series.push({ label: l, stroke: color, width: 2, value: (u, v) => (v == null ? '–' : `${v.toFixed(0)}%`) })
    series.push({ label: `${l} 95% high`, stroke: 'transparent', show: true, value: () => '' })
    series.push({ label: `${l} 95% low`, stroke: 'transparent', show: true, value: () => '' })
    bands.push({ series: [at + 1, at + 2], fill: `${color}22` })
  })
  const toX = (u, iso) => u.valToPos(Date.parse(iso) / 1000, 'x', true)
  const marks = (u) => {
    const ctx = u.ctx
    const { top, height } = u.bbox
    ctx.save()
    // Before the topic's first collection: hatched, so that it never reads as days without posts.
    ctx.strokeStyle = 'rgba(120,120,120,0.35)'
    ctx.lineWidth = devicePixelRatio
    for (const b of s.buckets) {
      if (b.collected) continue
      const x0 = Math.max(toX(u, b.start), u.bbox.left)
      const x1 = Math.min(toX(u, b.end), u.bbox.left + u.bbox.width)
      ctx.save()
      ctx.beginPath()
      ctx.rect(x0, top, x1 - x0, height)
      ctx.clip()
      for (let x = x0 - height; x < x1; x += 8 * devicePixelRatio) {
        ctx.moveTo(x, top + height)
        ctx.lineTo(x + height, top)
      }
      ctx.stroke()
      ctx.restore()
    }
    ctx.fillStyle = 'rgba(120,120,120,0.25)'
    for (const g of data.gaps) {
      const x0 = Math.max(toX(u, g.start), u.bbox.left)
      const x1 = Math.min(toX(u, g.end), u.bbox.left + u.bbox.width)
      if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, height)
    }
    ctx.strokeStyle = '#e74c3c'
    ctx.lineWidth = 2 * devicePixelRatio
    for (const a of data.alerts) {
      const x = toX(u, a.start)
      ctx.beginPath()
      ctx.moveTo(x, top)
      ctx.lineTo(x, top + height)
      ctx.stroke()
    }
    ctx.restore()
  }
  const width = () => Math.max(280, el.clientWidth)
  const opts = {
    width: width(),
    height: 320,
    series,
    bands,
    scales: { y: { range: [0, 100] } },
    axes: [{}, { values: (u, ticks) => ticks.map((t) => `${t}%`) }],
    legend: { live: true },
    hooks: { draw: [marks] },
    cursor: { drag: { x: false, y: false } },
  }
  const chart = new uPlot(opts, cols, el)
  // The interval bounds are series only to fill their bands: keep them out of the legend.
  const rows = chart.root.querySelectorAll('.u-legend .u-series')
  series.forEach((x, i) => {
    if (/ 95% (high|low)$/.test(x.label ?? '') && rows[i]) rows[i].style.display = 'none'
  })
  el.dataset.points = String(xs.length)
  // The totals the chart shows, for a person comparing views (and for the tests).
  el.dataset.totals = JSON.stringify(Object.fromEntries(s.totals.labels.map((x) => [x.label, x.count])))
  // Click a bucket: the posts behind it.
  chart.over.addEventListener('click', () => {
    const i = chart.cursor.idx
    if (i == null) return
    const b = s.buckets[i]
    const q = new URLSearchParams(data.postsBase.replace(/^\/posts\?/, ''))
    q.set('from', b.start)
    q.set('to', b.end)
    location.assign(`/posts?${q}`)
  })
  let resize = 0
  addEventListener('resize', () => {
    clearTimeout(resize)
    resize = setTimeout(() => chart.setSize({ width: width(), height: 320 }), 100)
  })
}
if (page === 'stance') drawChart()
