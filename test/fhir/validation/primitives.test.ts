// Focused tests of primitive checking: calendar rules, timezone rules, instant precision, numbers,
// and the Java-to-JavaScript translation of the R4 patterns.
import { expect } from 'chai';
import { checkPrimitive, daysInMonth, isLeapYear, javaToJs } from '../../../src/fhir/validation/primitives.js';

const ok = (type: string, value: unknown) => expect(checkPrimitive(type, value), `${type} ${JSON.stringify(value)}`).to.equal(undefined);
const bad = (type: string, value: unknown, code: 'value' | 'structure' = 'value') => {
  const p = checkPrimitive(type, value);
  expect(p, `${type} ${JSON.stringify(value)} should fail`).to.not.equal(undefined);
  expect(p!.severity).to.equal('error');
  expect(p!.code).to.equal(code);
};

describe('validation: primitives', () => {
  describe('leap years and calendar dates', () => {
    it('follows the Gregorian leap-year rule', () => {
      expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).to.deep.equal([false, true, false, true, false, true]);
      expect(daysInMonth(2024, 2)).to.equal(29);
      expect(daysInMonth(2023, 2)).to.equal(28);
      expect(daysInMonth(2023, 4)).to.equal(30);
      expect(daysInMonth(2023, 12)).to.equal(31);
    });
    it('accepts 29 February only in leap years', () => {
      ok('date', '2024-02-29');
      ok('date', '2000-02-29');
      bad('date', '2023-02-29');
      bad('date', '1900-02-29');
      ok('dateTime', '2024-02-29T12:00:00Z');
      bad('dateTime', '2023-02-29T12:00:00Z');
      bad('instant', '2100-02-29T12:00:00Z');
    });
    it('rejects days a month does not have, and impossible months and days', () => {
      bad('date', '2023-02-30');
      bad('date', '2023-04-31');
      ok('date', '2023-05-31');
      bad('date', '2023-13-01');
      bad('date', '2023-00-10');
      bad('date', '2023-01-00');
      bad('date', '2023-01-32');
    });
    it('accepts partial dates, but not year 0000 or two-digit years', () => {
      ok('date', '2023');
      ok('date', '2023-02');
      ok('dateTime', '2023');
      ok('dateTime', '2023-02');
      bad('date', '0000');
      bad('date', '23-01-01');
      bad('date', '2023-1-1');
    });
  });

  describe('dateTime timezone rules', () => {
    it('requires a timezone whenever a time is present', () => {
      ok('dateTime', '2023-06-01');
      ok('dateTime', '2023-06-01T10:00:00Z');
      ok('dateTime', '2023-06-01T10:00:00+01:00');
      ok('dateTime', '2023-06-01T10:00:00.123-05:30');
      bad('dateTime', '2023-06-01T10:00:00');
      bad('dateTime', '2023-06-01T10:00');
      bad('dateTime', '2023-06-01T10:00Z');
      bad('dateTime', '2023-06-01T');
    });
    it('limits offsets to the range -14:00..+14:00', () => {
      ok('dateTime', '2023-06-01T10:00:00+14:00');
      ok('dateTime', '2023-06-01T10:00:00-13:59');
      bad('dateTime', '2023-06-01T10:00:00+14:30');
      bad('dateTime', '2023-06-01T10:00:00+15:00');
      bad('dateTime', '2023-06-01T10:00:00+0100');
    });
    it('checks hours and minutes', () => {
      bad('dateTime', '2023-06-01T24:00:00Z');
      bad('dateTime', '2023-06-01T10:60:00Z');
      ok('dateTime', '2023-06-30T23:59:60Z'); // a leap second is lexically allowed
    });
  });

  describe('instant precision', () => {
    it('requires date, time to the second, and timezone', () => {
      ok('instant', '2015-02-07T13:28:17Z');
      ok('instant', '2015-02-07T13:28:17.239+02:00');
      ok('instant', '2015-02-07T13:28:17.123456789Z');
      bad('instant', '2015-02-07');
      bad('instant', '2015-02');
      bad('instant', '2015-02-07T13:28Z');
      bad('instant', '2015-02-07T13:28:17');
      bad('instant', '2015-02-07 13:28:17Z');
    });
  });

  describe('time', () => {
    it('is a time of day without a timezone', () => {
      ok('time', '00:00:00');
      ok('time', '23:59:59.5');
      bad('time', '24:00:00');
      bad('time', '09:00');
      bad('time', '09:00:00Z');
    });
  });

  describe('numbers and booleans', () => {
    it('requires JSON numbers and booleans, not strings', () => {
      bad('integer', '1', 'structure');
      bad('decimal', '1.5', 'structure');
      bad('boolean', 'true', 'structure');
      bad('boolean', 1, 'structure');
      bad('string', 1, 'structure');
      bad('string', { value: 'x' }, 'structure');
      bad('code', ['a'], 'structure');
      bad('date', null, 'structure');
      ok('boolean', false);
    });
    it('keeps integers whole and within 32 bits', () => {
      ok('integer', -2147483648);
      ok('integer', 2147483647);
      bad('integer', 2147483648);
      bad('integer', 1.5);
      ok('decimal', 1.5);
      ok('decimal', -0.001);
    });
    it('enforces the lower bounds of positiveInt and unsignedInt', () => {
      ok('positiveInt', 1);
      bad('positiveInt', 0);
      ok('unsignedInt', 0);
      bad('unsignedInt', -1);
    });
  });

  describe('strings and codes', () => {
    it('rejects empty strings in every string-based type', () => {
      for (const t of ['string', 'code', 'uri', 'id', 'markdown', 'date', 'canonical']) bad(t, '');
    });
    it('warns about whitespace-only strings but keeps them', () => {
      const p = checkPrimitive('string', '   ');
      expect(p?.severity).to.equal('warning');
    });
    it('reads \\s and \\S as Java does, so a no-break space is ordinary text', () => {
      ok('string', 'activity.\u00a0 May be skipped');
      ok('code', 'a\u00a0b');
      ok('uri', 'http://example.org/a\u00a0b');
    });
    it('allows single spaces inside codes but no leading, trailing or doubled whitespace', () => {
      ok('code', 'a b');
      bad('code', ' a');
      bad('code', 'a ');
      bad('code', 'a  b');
    });
    it('checks ids, uris, oids and uuids', () => {
      ok('id', 'a-b.C1');
      ok('id', 'x'.repeat(64));
      bad('id', 'x'.repeat(65));
      bad('id', 'a_b');
      bad('uri', 'http://example.org/a b');
      ok('canonical', 'http://hl7.org/fhir/ValueSet/x|4.0.1');
      ok('oid', 'urn:oid:1.2.3');
      bad('oid', 'urn:oid:1.02');
      ok('uuid', 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520');
      bad('uuid', 'urn:uuid:C757873D-EC9A-4326-A141-556F43239520');
    });
    it('checks base64 content without the exponential R4 pattern', () => {
      ok('base64Binary', 'aGVsbG8=');
      ok('base64Binary', 'aGVs bG8=');
      bad('base64Binary', 'aGVsbG8');
      bad('base64Binary', 'aGV=bG8=');
      // This input takes the R4 pattern seconds to reject in JavaScript.
      const hostile = `${'AAAA   '.repeat(5000)}!`;
      const t0 = performance.now();
      bad('base64Binary', hostile);
      expect(performance.now() - t0).to.be.lessThan(50);
    });
    it('accepts a namespaced narrative div and refuses active content', () => {
      const div = (inner: string) => `<div xmlns="http://www.w3.org/1999/xhtml">${inner}</div>`;
      ok('xhtml', div('<p>Hello <b>world</b></p>'));
      bad('xhtml', '<p>no div</p>');
      bad('xhtml', '<div>no namespace</div>');
      bad('xhtml', div('<script>alert(1)</script>'));
      bad('xhtml', div('<img src="x" onerror="alert(1)"/>'));
      bad('xhtml', div('<a href="javascript:alert(1)">x</a>'));
    });
  });

  describe('Java pattern translation', () => {
    it('rewrites \\s and \\S with Java meaning, inside and outside classes', () => {
      expect(javaToJs('\\S*')).to.equal('[^ \\t\\n\\x0B\\f\\r]*');
      expect(javaToJs('[ \\r\\n\\t\\S]+')).to.equal('[^\\x0B\\f]+');
      expect(javaToJs('[^\\s]+(\\s[^\\s]+)*')).to.equal('[^ \\t\\n\\x0B\\f\\r]+([ \\t\\n\\x0B\\f\\r][^ \\t\\n\\x0B\\f\\r]+)*');
      expect(javaToJs('[A-Za-z0-9\\-\\.]{1,64}')).to.equal('[A-Za-z0-9\\-\\.]{1,64}');
    });
  });
});
