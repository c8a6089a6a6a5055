import { InputError } from '../domain/errors.js'

/** How a text file's bytes were decoded. */
export type Encoding = 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'utf-16le' | 'utf-16be'

/**
 * A text file's bytes as a string with LF line ends, and how they were decoded: UTF-8 (with or without a
 * byte-order mark), UTF-16 only from its byte-order mark, else Windows-1252 when the bytes look Western
 * European. What cannot be read is an `InputError` naming `name`; every guess ends up in `warnings`.
 */
export function decodeText(bytes: Buffer, name: string, warnings: string[]): { text: string; encoding: Encoding } {
  let text: string
  let encoding: Encoding
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8-bom'
    text = strictDecode('utf-8', bytes.subarray(3), name, 'it starts with a UTF-8 byte-order mark')
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le'
    text = strictDecode('utf-16le', bytes.subarray(2), name, 'it starts with a UTF-16 LE byte-order mark')
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be'
    text = strictDecode('utf-16be', bytes.subarray(2), name, 'it starts with a UTF-16 BE byte-order mark')
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      encoding = 'utf-8'
    } catch {
      ;({ text, encoding } = decodeNotUtf8(bytes, name, warnings))
    }
  }
  if (text.includes('\u0000')) {
    throw new InputError(
      `${name}: the file contains NUL characters, so it is probably UTF-16 or UTF-32 without a byte-order mark, or not a text file. ` +
        'Fix: save it as UTF-8 (in a spreadsheet: "CSV UTF-8" or "Unicode text" with a byte-order mark)',
    )
  }
  return { text: text.replace(/\r\n?/g, '\n'), encoding }
}

function strictDecode(label: string, bytes: Uint8Array, name: string, why: string): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new InputError(`${name}: ${why} but is not valid ${label.toUpperCase()}. Fix: re-save the file as UTF-8`)
  }
}

/**
 * Not valid UTF-8. Usually a Windows-1252 (Western European) export; but a UTF-8 file with a few broken bytes
 * must not turn into mojibake as a whole, and a Chinese GBK file must not be read as Latin letters.
 */
function decodeNotUtf8(bytes: Buffer, name: string, warnings: string[]): { text: string; encoding: Encoding } {
  const scan = scanUtf8(bytes)
  if (scan.validMultiByte > scan.invalid.length) {
    const lines = [...new Set(linesAt(bytes, scan.invalid))]
    warnings.push(
      `${scan.invalid.length} ${scan.invalid.length === 1 ? 'byte that is' : 'bytes that are'} not valid UTF-8 replaced with "\uFFFD" (${listLines(lines)}); the rest of the file is UTF-8`,
    )
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' }
  }
  // In Windows-1252 text, non-ASCII letters stand mostly alone ("café", "Müller", “quotes”). In double-byte
  // encodings (GBK, Big5, Shift-JIS) or Cyrillic/Greek code pages nearly every high byte is in a long run.
  let high = 0
  let inLongRuns = 0
  let run = 0
  const endRun = () => {
    if (run >= 4) inLongRuns += run
    run = 0
  }
  for (const b of bytes) {
    if (b >= 0x80) {
      high++
      run++
    } else endRun()
  }
  endRun()
  if (high >= 16 && inLongRuns / high > 0.5) {
    throw new InputError(
      `${name}: the file is not UTF-8, and does not look like Windows-1252 either: its non-ASCII bytes come in long runs, ` +
        'as in Chinese, Japanese or Korean legacy encodings (GBK/GB18030, Big5, Shift-JIS) or Cyrillic and Greek code pages. ' +
        'Fix: convert it to UTF-8 first, e.g. `iconv -f GB18030 -t UTF-8 in.tsv > out.tsv` for Chinese text',
    )
  }
  warnings.push('the file is not valid UTF-8: decoded as Windows-1252 (Western European); if accented letters look wrong, convert it to UTF-8')
  return { text: decodeWindows1252(bytes), encoding: 'windows-1252' }
}

/** Count well-formed multi-byte UTF-8 sequences and the offsets of bytes that are not part of one. */
function scanUtf8(bytes: Uint8Array): { validMultiByte: number; invalid: number[] } {
  let validMultiByte = 0
  const invalid: number[] = []
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need = 0
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    }
    let ok = need > 0
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) ok = false
    }
    if (ok) {
      validMultiByte++
      i += need + 1
    } else {
      invalid.push(i)
      i++
    }
  }
  return { validMultiByte, invalid }
}

/** 1-based line of each byte offset (offsets ascending), counting LF, CRLF and lone CR as line breaks. */
function linesAt(bytes: Uint8Array, offsets: number[]): number[] {
  const out: number[] = []
  let line = 1
  let i = 0
  for (const pos of offsets) {
    for (; i < pos; i++) {
      if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++
    }
    out.push(line)
  }
  return out
}

/** WHATWG windows-1252 for bytes 0x80–0x9F (the rest of the high half is Latin-1). Decoded by hand because
 * some Node versions' TextDecoder('windows-1252') yields C1 control characters for this range. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = ''
  const CHUNK = 8192
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes: number[] = []
    const end = Math.min(bytes.length, start + CHUNK)
    for (let i = start; i < end; i++) {
      const b = bytes[i]!
      codes.push(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b)
    }
    out += String.fromCharCode(...codes)
  }
  return out
}

/** "line 4", "lines 3, 9, 12": at most 20, then how many more. */
export function listLines(lines: number[]): string {
  const MAX = 20
  const shown = lines.slice(0, MAX).join(', ')
  const more = lines.length > MAX ? `, and ${lines.length - MAX} more` : ''
  return `${lines.length === 1 ? 'line' : 'lines'} ${shown}${more}`
}
