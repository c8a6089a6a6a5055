/**
 * Text as the matcher and tokenizers compare it: compatibility forms unified (full-width Ａ→A, ｶ→カ),
 * lower case, Latin accents removed (é→e) so "defense" finds "défense". Only the Latin combining range is
 * stripped: Japanese voiced marks (U+3099/U+309A) are combining too and must stay.
 */
export function foldForMatch(text: string): string {
  // Plain ASCII (most English posts) needs no normalisation at all.
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase()
  const lower = text.normalize('NFKC').toLowerCase()
  return /[\u00c0-\u024f\u1e00-\u1eff]/.test(lower)
    ? lower
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .normalize('NFC')
    : lower
}

/** True for a character of the scripts that write words without spaces. */
export function isCjkChar(ch: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u.test(ch)
}
