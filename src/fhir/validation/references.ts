// Parses the `reference` string of a Reference into its kind and, where it names one, the target
// resource type. Only shapes a FHIR server can act on are accepted.

export type ParsedReference =
  | { kind: 'local'; id: string } // '#id' (contained) or '#' (the container itself, id '')
  | { kind: 'relative'; type: string; id: string }
  | { kind: 'conditional'; type: string } // 'Type?query', only meaningful inside a transaction
  | { kind: 'absolute'; type?: string } // type when the URL ends in a RESTful Type/id
  | { kind: 'urn' };

const ID = '[A-Za-z0-9\\-.]{1,64}';
const LOCAL_ID = new RegExp(`^${ID}$`);
const RELATIVE = new RegExp(`^([A-Z][A-Za-z]+)/(${ID})(?:/_history/${ID})?$`);
const RESTFUL_TAIL = new RegExp(`/([A-Z][A-Za-z]+)/${ID}(?:/_history/${ID})?$`);
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?\S+$/;
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const URN_OID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

/** Returns the parsed reference, or a message saying why it is malformed. */
export function parseReference(ref: string): ParsedReference | string {
  if (ref.startsWith('#')) {
    const id = ref.slice(1);
    return id === '' || LOCAL_ID.test(id) ? { kind: 'local', id } : 'Local reference must be # followed by an id';
  }
  if (ref.startsWith('urn:')) {
    return URN_UUID.test(ref) || URN_OID.test(ref) ? { kind: 'urn' } : 'Only urn:uuid: and urn:oid: URNs are resolvable references';
  }
  const rel = RELATIVE.exec(ref);
  if (rel) return { kind: 'relative', type: rel[1]!, id: rel[2]! };
  const cond = CONDITIONAL.exec(ref);
  if (cond) return { kind: 'conditional', type: cond[1]! };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !/\s/.test(ref)) {
    try {
      const url = new URL(ref);
      const tail = RESTFUL_TAIL.exec(url.pathname);
      return tail ? { kind: 'absolute', type: tail[1]! } : { kind: 'absolute' };
    } catch {
      return 'Not a well-formed absolute URL';
    }
  }
  return 'Expected Type/id, Type/id/_history/version, an absolute URL, #id or urn:uuid:/urn:oid:';
}
