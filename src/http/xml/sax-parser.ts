// One way to make a sax parser for FHIR XML: strict (well-formedness errors are errors), namespace
// aware, and knowing only the five predefined XML entities (sax otherwise also expands some 250 HTML
// entity names, which are not XML and would make `&nbsp;` mean something here and nothing elsewhere).
import sax from 'sax';

// sax refuses any single token (an attribute value, a run of text) longer than 64 K characters, yet
// a base64 attachment or a long string may legitimately be longer. Input is already bounded by the
// request body limit, so the per-token limit is lifted.
(sax as unknown as { MAX_BUFFER_LENGTH: number }).MAX_BUFFER_LENGTH = Number.MAX_SAFE_INTEGER;

export function newParser(trackPosition: boolean): sax.SAXParser {
  return sax.parser(true, { xmlns: true, position: trackPosition, strictEntities: true } as sax.SAXOptions);
}
