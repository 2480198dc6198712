// Narrative is written into FHIR XML verbatim, so a stored div must be exactly one well-formed XHTML
// <div> element before it goes in: validation of JSON input only checks how the string starts and
// ends, and `<div ..>a</div><id value="x"/><div ..>b</div>` passes that check yet would inject
// FHIR elements into the document around it.
import type sax from 'sax';
import { illegalCharRef, XML_ILLEGAL_CHAR } from './chars.js';
import { newParser } from './sax-parser.js';

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Whether `div` parses, on its own, as one `<div>` in the XHTML namespace and nothing else. */
export function isStandaloneXhtmlDiv(div: string): boolean {
  if (XML_ILLEGAL_CHAR.test(div) || illegalCharRef(div) !== undefined) return false;
  const parser = newParser(false);
  let depth = 0;
  let roots = 0;
  let ok = true;
  const refuse = (): never => {
    ok = false;
    throw new StopParsing();
  };
  parser.onerror = refuse;
  parser.ondoctype = refuse;
  parser.onprocessinginstruction = refuse;
  parser.onopentag = (tag) => {
    if (depth === 0) {
      const t = tag as sax.QualifiedTag;
      roots++;
      if (roots > 1 || t.local !== 'div' || t.uri !== XHTML_NS) refuse();
    }
    depth++;
  };
  parser.onclosetag = () => {
    depth--;
  };
  try {
    parser.write(div).close();
  } catch (e) {
    if (!(e instanceof StopParsing)) throw e;
  }
  return ok && roots === 1;
}

class StopParsing extends Error {}
