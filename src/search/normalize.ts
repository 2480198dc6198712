// String normalisation shared by the indexer (stored `s`, token `text`) and the query parser (search
// values), so that both sides of a string comparison always went through the very same function.

const MARKS = /\p{M}+/gu;
const SPACES = /\s+/g;
// Printable ASCII without runs of blanks needs no Unicode work: the common case, kept cheap because the
// indexer calls this for every name part, display and text of every resource it sees.
const PLAIN_ASCII = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/**
 * Lower case, accents removed (canonical decomposition, then combining marks dropped), runs of white
 * space collapsed to one blank, trimmed. Case is folded before decomposing because some upper-case
 * letters lower-case to a letter plus a combining mark (İ → i̇).
 */
export function normalizeString(value: string): string {
  if (PLAIN_ASCII.test(value)) return value.toLowerCase();
  return value.toLowerCase().normalize('NFD').replace(MARKS, '').replace(SPACES, ' ').trim();
}
