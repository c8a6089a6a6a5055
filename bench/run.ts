/*
 * `npm run bench`: every bench/*.bench.ts in turn. Each compares stancewatch against a baseline measured in
 * the same run and prints the ratio; absolute times on a shared machine mean little. Never fails CI.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = import.meta.dirname
const only = process.argv[2]
for (const f of readdirSync(dir).filter((x) => x.endsWith('.bench.ts')).sort()) {
  if (only && !f.includes(only)) continue
  console.log(`\n## ${f}`)
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run: () => Promise<void> }
  await mod.run()
}
