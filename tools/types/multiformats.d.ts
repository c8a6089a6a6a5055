// multiformats 9 keeps its types outside its package `exports`, where NodeNext resolution does not look:
// what the sample checker uses, as the library declares it.
declare module 'multiformats/cid' {
  export class CID {
    static parse(source: string): CID
    readonly version: 0 | 1
    readonly code: number
  }
}
