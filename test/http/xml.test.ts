// FHIR XML conversion without HTTP: every official example of the twelve served types survives
// JSON -> XML -> JSON unchanged; hand-written XML in the spec's own style parses to the JSON a
// client would send; and the parser refuses what FHIR XML refuses (DTDs, entities, stray text,
// foreign namespaces, deep nesting) with a 400 that points at the place.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCE_TYPES } from '../../src/domain/fhir.js';
import { FhirError } from '../../src/domain/errors.js';
import type { ReleasedBody } from '../../src/fhir/types.js';
import { MAX_XML_DEPTH, parseXml } from '../../src/http/xml/parse.js';
import { writeXml, XmlUnrepresentableError } from '../../src/http/xml/write.js';

const EXAMPLES = 'node_modules/hl7.fhir.r4.examples';
const NS = 'xmlns="http://hl7.org/fhir"';
const XHTML = 'xmlns="http://www.w3.org/1999/xhtml"';

/** Tests stand in for the access layer here: the writer accepts released values only. */
const released = (json: object) => json as unknown as ReleasedBody;
const toXml = (json: object, pretty = false) => writeXml(released(json), pretty);

function officialExamples(): { file: string; json: Record<string, unknown> }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && RESOURCE_TYPES.some((t) => f.startsWith(`${t}-`)))
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Record<string, unknown> }));
}

function refusal(xml: string): FhirError {
  try {
    parseXml(xml);
  } catch (e) {
    expect(e).to.be.instanceOf(FhirError);
    expect((e as FhirError).status).to.equal(400);
    return e as FhirError;
  }
  throw new Error(`parsed without complaint: ${xml.slice(0, 120)}`);
}

describe('http/xml: round trip over the official R4 examples', () => {
  const examples = officialExamples();

  it('covers every served type', () => {
    expect(new Set(examples.map((e) => e.json.resourceType))).to.have.property('size', RESOURCE_TYPES.length);
    expect(examples.length).to.be.greaterThan(100);
  });

  it('JSON -> XML -> JSON gives back each example exactly, compact and pretty', () => {
    const failures: string[] = [];
    for (const { file, json } of examples) {
      for (const pretty of [false, true]) {
        try {
          expect(parseXml(toXml(json, pretty))).to.deep.equal(json);
        } catch (e) {
          failures.push(`${file} (pretty=${pretty}): ${(e as Error).message.slice(0, 300)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('the XML follows the format: namespace, definition order, value attributes, narrative verbatim', () => {
    const appt = examples.find((e) => e.file === 'Appointment-example.json')!.json;
    // Put the JSON members in reverse order: XML order must still be the definition's.
    const reversed = Object.fromEntries(Object.entries(appt).reverse());
    const xml = toXml(reversed);
    expect(xml).to.match(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?><Appointment ${NS}><id value="example"/><text><status value="generated"/>`));
    expect(xml).to.contain(`<div ${XHTML}>Brian MRI results discussion</div>`);
    const order = ['<id ', '<text>', '<status value="booked"/>', '<serviceCategory>', '<priority value="5"/>', '<start ', '<end ', '<participant>'];
    const positions = order.map((tag) => xml.indexOf(tag));
    expect(positions.every((p) => p >= 0)).to.equal(true);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
    expect(xml).to.contain('<priority value="5"/>');
  });
});

describe('http/xml: parsing XML written in the spec\'s style', () => {
  it('types primitives from the definitions and lines primitive extensions up with nulls', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment is ignored -->
      <Patient ${NS} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir patient.xsd">
        <id value="p1"/>
        <active value="true"/>
        <name>
          <family value="Chalmers"/>
          <given value="Peter"/>
          <given id="g2">
            <extension url="http://example.org/nickname"><valueString value="Pete"/></extension>
          </given>
          <given value="James"/>
        </name>
        <birthDate value="1974-12-25">
          <extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">
            <valueDateTime value="1974-12-25T14:35:45-05:00"/>
          </extension>
        </birthDate>
        <deceasedBoolean value="false"/>
        <multipleBirthInteger value="2"/>
      </Patient>`;
    expect(parseXml(xml)).to.deep.equal({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      name: [{
        family: 'Chalmers',
        given: ['Peter', null, 'James'],
        _given: [null, { id: 'g2', extension: [{ url: 'http://example.org/nickname', valueString: 'Pete' }] }, null],
      }],
      birthDate: '1974-12-25',
      _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' }] },
      deceasedBoolean: false,
      multipleBirthInteger: 2,
    });
  });

  it('keeps decimals as JSON numbers and leaves values of the wrong kind as strings for validation to refuse', () => {
    const json = parseXml(`<Location ${NS}><position><longitude value="-83.6945691"/><latitude value="1.50"/><altitude value="1e3"/></position>
      <mode value="instance"/></Location>`);
    expect(json).to.deep.equal({ resourceType: 'Location', position: { longitude: -83.6945691, latitude: 1.5, altitude: 1000 }, mode: 'instance' });
    const wrong = parseXml(`<Schedule ${NS}><active value="yes"/><comment value="007"/></Schedule>`);
    expect(wrong).to.deep.equal({ resourceType: 'Schedule', active: 'yes', comment: '007' });
    const num = parseXml(`<Appointment ${NS}><priority value="05"/><minutesDuration value="15"/></Appointment>`);
    expect(num).to.deep.equal({ resourceType: 'Appointment', priority: '05', minutesDuration: 15 });
  });

  it('unwraps contained resources and Bundle entries, keeps narrative as its exact text', () => {
    // Offsets are UTF-16 code units in sax as in JavaScript strings: astral characters must not shift the slice.
    const div = `<div ${XHTML}><p>Dr &amp; <b>Mrs</b> Smith&#160;&#x263A; 😀 é</p><!-- kept --><br/></div>`;
    const xml = `<Bundle ${NS}><type value="collection"/>
      <entry><fullUrl value="urn:uuid:1"/><resource><ServiceRequest>
        <id value="sr"/>
        <text><status value="generated"/>${div}</text>
        <contained><Patient><id value="pat"/><gender value="male"/></Patient></contained>
        <status value="active"/><intent value="order"/>
        <subject><reference value="#pat"/></subject>
      </ServiceRequest></resource></entry>
      <entry><resource><Organization><name value="A"/></Organization></resource></entry>
    </Bundle>`;
    expect(parseXml(xml)).to.deep.equal({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: {
            resourceType: 'ServiceRequest', id: 'sr',
            text: { status: 'generated', div },
            contained: [{ resourceType: 'Patient', id: 'pat', gender: 'male' }],
            status: 'active', intent: 'order', subject: { reference: '#pat' },
          },
        },
        { resource: { resourceType: 'Organization', name: 'A' } },
      ],
    });
  });

  it('reads the documents its own writer produces, whatever the JSON order, escapes included', () => {
    const samples: Record<string, unknown>[] = [
      { resourceType: 'Organization', name: 'Quotes " & <angles> and\ttabs\nnew lines\r\n', alias: ['a', 'b'], _alias: [null, { extension: [{ url: 'urn:x', valueBoolean: true }] }] },
      { resourceType: 'Slot', schedule: { reference: 'Schedule/1' }, status: 'free', start: '2030-01-01T09:00:00Z', end: '2030-01-01T09:15:00Z', overbooked: false },
      { resourceType: 'Patient', _gender: { id: 'only-an-extension', extension: [{ url: 'urn:g', valueCode: 'x' }] }, modifierExtension: [{ url: 'urn:m', valueDecimal: 0.1 }] },
      { resourceType: 'Parameters', parameter: [{ name: 'a', valueInteger: -3 }, { name: 'r', resource: { resourceType: 'Organization', id: 'o' } }, { name: 'p', part: [{ name: 'q', valueString: 'x' }] }] },
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'a < b', expression: ['Patient.name[0]'] }] },
    ];
    for (const json of samples) expect(parseXml(toXml(json, true))).to.deep.equal(json);
    const org = toXml(samples[0]!);
    expect(org).to.contain('value="Quotes &quot; &amp; &lt;angles&gt; and&#9;tabs&#10;new lines&#13;&#10;"');
  });

  it('an element the definitions do not have, or a cardinality breach, reaches validation as JSON would', () => {
    expect(parseXml(`<Organization ${NS}><name value="X"/><colour value="red"/></Organization>`))
      .to.deep.equal({ resourceType: 'Organization', name: 'X', colour: 'red' });
    expect(parseXml(`<Organization ${NS}><name value="X"/><name value="Y"/></Organization>`))
      .to.deep.equal({ resourceType: 'Organization', name: ['X', 'Y'] });
    expect(parseXml(`<Organization ${NS}><name/></Organization>`)).to.deep.equal({ resourceType: 'Organization', name: null });
    expect(parseXml(`<Unicorn ${NS}><horn value="1"/></Unicorn>`)).to.deep.equal({ resourceType: 'Unicorn', horn: '1' });
  });

  it('an element named __proto__ becomes an ordinary member, as JSON.parse makes it, never the prototype', () => {
    const json = parseXml(`<Organization ${NS}><__proto__><active value="true"/></__proto__><name value="X"/></Organization>`);
    expect(Object.getPrototypeOf(json)).to.equal(Object.prototype);
    expect(Object.keys(json)).to.deep.equal(['resourceType', '__proto__', 'name']);
    expect((json as { active?: unknown }).active).to.equal(undefined);
    // (Inside an unknown element nothing is typed: validation refuses the element itself.)
    expect(json).to.deep.equal(JSON.parse('{"resourceType":"Organization","__proto__":{"active":"true"},"name":"X"}'));
  });
});

describe('http/xml: what the parser refuses', () => {
  it('a DOCTYPE, with or without entity declarations (XXE, billion laughs)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient ${NS}><name><family value="&xxe;"/></name></Patient>`;
    expect(refusal(xxe).message).to.match(/DOCTYPE/);
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><Patient ${NS}><id value="&lol2;"/></Patient>`;
    expect(refusal(laughs).message).to.match(/DOCTYPE/);
    expect(refusal(`<!DOCTYPE Patient><Patient ${NS}/>`).message).to.match(/DOCTYPE/);
  });

  it('entities other than the five XML defines, even HTML ones', () => {
    expect(refusal(`<Patient ${NS}><name><family value="a&nbsp;b"/></name></Patient>`).message).to.match(/not well-formed/);
    expect(refusal(`<Patient ${NS}><text><status value="generated"/><div ${XHTML}>a&nbsp;b</div></text></Patient>`).message).to.match(/not well-formed/);
  });

  it('malformed XML, with the place', () => {
    const e = refusal(`<Patient ${NS}>\n  <name>\n    <family value="x">\n  </name>\n</Patient>`);
    expect(e.message).to.match(/not well-formed XML.*line 4/);
    expect(e.issues[0]!.expression).to.deep.equal(['Patient.name[0].family']);
    refusal(`<Patient ${NS}><id value="a" value="b"/></Patient>`);
    refusal(`<Patient ${NS}/><Patient ${NS}/>`);
    refusal('');
    refusal('{"resourceType":"Patient"}');
  });

  it('processing instructions, other encodings, forbidden characters', () => {
    expect(refusal(`<?xml-stylesheet href="x.xsl"?><Patient ${NS}/>`).message).to.match(/Processing instructions/);
    expect(refusal(`<?xml version="1.0" encoding="ISO-8859-1"?><Patient ${NS}/>`).message).to.match(/UTF-8/);
    refusal(`<Patient ${NS}><id value="a\u0001"/></Patient>`);
    refusal(`<Patient ${NS}><id value="a&#1;"/></Patient>`);
    refusal(`<Patient ${NS}><id value="a&#x0;"/></Patient>`);
  });

  it('wrong namespaces, text content, misplaced attributes', () => {
    expect(refusal('<Patient><id value="x"/></Patient>').message).to.match(/FHIR namespace/);
    expect(refusal(`<Patient ${NS}><x:id xmlns:x="urn:other" value="x"/></Patient>`).issues[0]!.expression).to.deep.equal(['Patient.id']);
    expect(refusal(`<Patient ${NS}><text><status value="generated"/><div>no namespace</div></text></Patient>`).message).to.match(/XHTML/);
    expect(refusal(`<Patient ${NS}><name><family>Smith</family></name></Patient>`).message).to.match(/value attributes/);
    expect(refusal(`<Patient ${NS} id="p1"/>`).message).to.match(/resource's id is an element/);
    expect(refusal(`<Patient ${NS}><name value="Smith"/></Patient>`).message).to.match(/HumanName, which has no value attribute/);
    expect(refusal(`<Patient ${NS}><name colour="red"/></Patient>`).issues[0]!.expression).to.deep.equal(['Patient.name[0]']);
    refusal(`<Patient ${NS}><extension><url value="urn:x"/><valueString value="x"/></extension></Patient>`);
    refusal(`<Patient ${NS}><contained><Patient/><Patient/></contained></Patient>`);
  });

  it(`nesting deeper than ${MAX_XML_DEPTH}, inside FHIR elements or narrative, quickly and without a stack overflow`, () => {
    const n = 100_000;
    const ext = '<extension url="urn:x">'.repeat(n) + '</extension>'.repeat(n);
    const t0 = performance.now();
    expect(refusal(`<Patient ${NS}>${ext}</Patient>`).message).to.match(/nested deeper/);
    const div = `<div ${XHTML}>${'<span>'.repeat(n)}${'</span>'.repeat(n)}</div>`;
    expect(refusal(`<Patient ${NS}><text><status value="generated"/>${div}</text></Patient>`).message).to.match(/nested deeper/);
    expect(performance.now() - t0).to.be.below(2000);
    // Just inside the limit is fine.
    const ok = '<extension url="urn:x">'.repeat(MAX_XML_DEPTH - 2) + '<valueString value="x"/>' + '</extension>'.repeat(MAX_XML_DEPTH - 2);
    expect(() => parseXml(`<Patient ${NS}>${ok}</Patient>`)).to.not.throw();
  });
});

describe('http/xml: what the writer refuses to write', () => {
  it('a stored narrative that is not exactly one XHTML div cannot inject elements into the document', () => {
    const injected = `<div ${XHTML}>a</div><id value="forged"/><div ${XHTML}>b</div>`;
    expect(() => toXml({ resourceType: 'Patient', id: 'p', text: { status: 'generated', div: injected } }))
      .to.throw(XmlUnrepresentableError, /Patient\.text\.div/);
    for (const div of [`<div ${XHTML}>a & b</div>`, '<div>no namespace</div>', `<p ${XHTML}>x</p>`, `<div ${XHTML}><!DOCTYPE x>x</div>`]) {
      expect(() => toXml({ resourceType: 'Patient', text: { status: 'generated', div } }), div).to.throw(XmlUnrepresentableError);
    }
  });

  it('control characters XML cannot carry', () => {
    expect(() => toXml({ resourceType: 'Organization', name: 'a\u0001b' })).to.throw(XmlUnrepresentableError, /Organization\.name/);
  });

  it('anything outside the R4 definitions is a fault, never silently dropped', () => {
    expect(() => toXml({ resourceType: 'Organization', colour: 'red' })).to.throw(/Organization\.colour/);
    expect(() => toXml({ resourceType: 'Organization', contained: [{ resourceType: 'Script>', id: 'x' }] })).to.throw(/Script>/);
  });
});
