// Phonetic keys for the `phonetic` search parameters (Patient, Practitioner, Organization), shared by
// the indexer (one key per word of a name) and the query parser (the keys of the search words), so
// that both sides always went through the very same function.
//
// The algorithm is American Soundex as the U.S. National Archives specify it (the "Soundex Indexing
// System", NARA): the first letter is kept; the others become digits
//   b f p v → 1,  c g j k q s x z → 2,  d t → 3,  l → 4,  m n → 5,  r → 6;
// vowels (a e i o u y) are dropped but separate letters of the same code ("Tymczak" → T-522); h and w
// are dropped and do not separate ("Ashcraft" → A-261); letters next to each other with the same code
// count once, the first letter included ("Pfister" → P-236); the result is cut or padded with zeros to
// a letter and three digits. Robert and Rupert are both R163, Honeyman H555.
//
// Before coding, a word is case- and accent-folded (compatibility decomposition, combining marks
// dropped, so "Müller" codes as "muller" and full-width letters as ASCII), a few letters that do not
// decompose are spelt out (ß → ss, æ → ae, ø → o …), and apostrophes are removed ("O'Brien" is one
// word). Anything else that is not a letter a–z separates words ("Smith-Jones" is two words); a word
// with no Latin letter has no key.

const CODES: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3',
  l: '4',
  m: '5', n: '5',
  r: '6',
};

const SPELT_OUT: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ŋ: 'n', ħ: 'h',
};
const SPELT_OUT_RE = /[ßæœøđðþłıŋħ]/g;
const MARKS = /\p{M}+/gu;
const APOSTROPHES = /['\u2019\u02bc`]/g;

/** The words of `text` as Soundex sees them: folded to a–z, apostrophes removed, split on the rest. */
export function phoneticWords(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(MARKS, '')
    .replace(SPELT_OUT_RE, (c) => SPELT_OUT[c]!)
    .replace(APOSTROPHES, '');
  return folded.split(/[^a-z]+/).filter((w) => w !== '');
}

/** The Soundex key of one folded word (a–z only, non-empty), e.g. `robert` → `R163`. */
export function soundexWord(word: string): string {
  let key = word[0]!.toUpperCase();
  let last = CODES[word[0]!] ?? '';
  for (let i = 1; i < word.length && key.length < 4; i++) {
    const c = word[i]!;
    const code = CODES[c];
    if (code !== undefined) {
      if (code !== last) key += code;
      last = code;
    } else if (c !== 'h' && c !== 'w') {
      last = ''; // a vowel separates; h and w do not
    }
  }
  return key.padEnd(4, '0');
}

/** The distinct Soundex keys of the words of `text`, in order of first appearance. */
export function phoneticKeys(text: string): string[] {
  return [...new Set(phoneticWords(text).map(soundexWord))];
}
