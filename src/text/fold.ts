/**
 * Text as the matcher and tokenizers compare it: compatibility forms unified (full-width Ａ→A, ｶ→カ),
 * lower case, Latin accents removed (é→e) so "defense" finds "défense". Only the Latin combining range is
 * stripped: Japanese voiced marks (U+3099/U+309A) are combining too and must stay.
 */
export function foldForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC')
}

/** True for a character of the scripts that write words without spaces. */
export function isCjkChar(ch: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u.test(ch)
}
