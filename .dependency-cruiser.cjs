/**
 * The layout of src/ as rules (README, "Layout"). Data flows one way: sources → normalize → match → store →
 * classify → aggregate → outputs (digest, alerts, notify, export); jobs/ are the use-cases; schedule/, web/ and
 * cli/ are the front doors. A folder may import only the folders listed for it (and packages, except those
 * named at the bottom, which belong to one place).
 */
const allowed = {
  domain: [],
  util: ['domain'],
  config: ['domain', 'util'],
  logger: ['util'],
  text: ['domain', 'util'],
  threads: ['domain', 'util'],
  sources: ['domain', 'util', 'config', 'logger', 'text', 'threads'],
  normalize: ['domain', 'util', 'text'],
  match: ['domain', 'util', 'config', 'text', 'normalize'],
  propose: ['domain', 'util', 'config', 'text', 'match'],
  store: ['domain', 'util', 'config'],
  context: ['domain', 'util', 'config', 'logger', 'match', 'store'],
  classify: ['domain', 'util', 'config', 'text'],
  aggregate: ['domain', 'util', 'config', 'store', 'text'],
  render: ['domain', 'util', 'text'],
  export: ['domain', 'util', 'config', 'normalize', 'store'],
  alerts: ['domain', 'util', 'config', 'context', 'logger', 'text', 'store', 'aggregate', 'render'],
  digest: ['domain', 'util', 'config', 'text', 'store', 'aggregate', 'alerts', 'render'],
  notify: ['domain', 'util', 'config', 'context', 'logger', 'render', 'store', 'sources'],
  jobs: [
    'domain',
    'util',
    'config',
    'context',
    'logger',
    'text',
    'threads',
    'sources',
    'normalize',
    'match',
    'store',
    'classify',
    'aggregate',
    'render',
    'export',
    'alerts',
    'digest',
    'notify',
  ],
  schedule: ['domain', 'util', 'config', 'context', 'logger', 'store', 'jobs'],
  web: ['domain', 'util', 'config', 'context', 'logger', 'store', 'aggregate', 'alerts', 'render', 'jobs'],
  cli: null, // the front door: anything in src/
}

const folderOf = (name) => (name === 'context' || name === 'logger' ? `^src/${name}\\.ts$` : `^src/${name}/`)

const layerRules = Object.entries(allowed)
  .filter(([, ok]) => ok !== null)
  .map(([name, ok]) => ({
    name: `${name}-imports`,
    comment: `src/${name} may import only: ${ok.length ? ok.join(', ') : 'nothing of ours'}`,
    severity: 'error',
    from: { path: folderOf(name) },
    to: { path: '^src/', pathNot: [folderOf(name), ...ok.map(folderOf)] },
  }))

/** Packages that belong to one part of the code. */
const owned = [
  { pkg: 'twitter-api-v2', in: ['sources'] },
  { pkg: 'ws', in: ['sources'] },
  { pkg: '@atproto/api', in: ['sources', 'notify'] },
  { pkg: 'natural', in: ['classify', 'text'] },
  { pkg: 'eld', in: ['text'] },
  { pkg: 'htmlparser2', in: ['sources'] },
  { pkg: 'openai', in: ['sources'] },
  { pkg: 'better-sqlite3', in: ['store'] },
  { pkg: 'nodemailer', in: ['notify'] },
  { pkg: 'pino', in: ['logger'] },
  { pkg: 'pino-pretty', in: ['logger'] },
]

const packageRules = owned.map((o) => ({
  name: `${o.pkg}-only-in-${o.in.join('-')}`,
  comment: `${o.pkg} is used only in src/${o.in.join(', src/')}`,
  severity: 'error',
  from: { path: '^src/', pathNot: o.in.map(folderOf) },
  to: { path: `node_modules/${o.pkg}/` },
}))

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles, type-only ones included', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'src-stands-alone',
      comment: 'the shipped code never imports tests, tools or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tests|tools|bench)/' },
    },
    {
      name: 'declared-dependencies',
      comment: 'every package imported is declared in package.json',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'shipped-code-uses-runtime-dependencies',
      comment: 'src/ imports only dependencies, not devDependencies',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'known-folders',
      comment: 'every file in src/ belongs to a folder of the layout: a new folder gets its line in `allowed` above',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', ...Object.keys(allowed).map(folderOf)] },
      to: {},
    },
    ...layerRules,
    ...packageRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
