import { buildDist } from './compiled.js'

/** Once before the tests: the compiled CLI the process tests start is the current sources'. */
export default function setup(): void {
  buildDist()
}
