// Characters XML 1.0 cannot carry at all, not even as character references: most C0 controls and
// U+FFFE/U+FFFF. (Lone surrogates are left to the UTF-8 encoder, as for JSON.)
export const XML_ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const CHAR_REF = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g;

export function isXmlChar(codePoint: number): boolean {
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd
    || (codePoint >= 0x20 && codePoint <= 0xd7ff)
    || (codePoint >= 0xe000 && codePoint <= 0xfffd)
    || (codePoint >= 0x10000 && codePoint <= 0x10ffff);
}

/** The first character reference in `text` that names a character XML forbids (`&#1;`), if any. */
export function illegalCharRef(text: string): string | undefined {
  if (!text.includes('&#')) return undefined;
  for (const m of text.matchAll(CHAR_REF)) {
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    if (!isXmlChar(cp)) return m[0];
  }
  return undefined;
}
