/** `['topics', 0, 'stance', 'labels', 1, 'id']` → `topics[0].stance.labels[1].id`, as people read config keys. */
export function formatKey(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(top level)'
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '')
}
