/** How far long work has got, for a progress bar: bytes, posts, queries or time, whatever `total` counts. */
export interface Progress {
  done: number
  total: number
  label: string
}
