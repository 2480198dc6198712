import { FhirError } from '../../src/domain/errors.js';
import { parseSearch } from '../../src/search/parse.js';
import { buildRegistry } from '../../src/search/registry.js';
import { expect } from './support/chai.js';
import { fails } from './support/assert.js';
import { LENIENT, parse, registry, STRICT } from './support/fixtures.js';

describe('search/parse: result parameters', () => {
  it('defaults', () => {
    const r = parse('Slot', '');
    expect(r).to.deep.equal({
      request: { types: ['Slot'], where: [], sort: [], count: 20, total: 'none' },
      include: [], revinclude: [], issues: [],
    });
  });
  it('the default count never exceeds the maximum', () => {
    const r = parseSearch(['Slot'], [], registry, { strict: false, defaultCount: 50, maxCount: 10 });
    expect(r.request.count).to.equal(10);
  });

  describe('_sort', () => {
    it('several keys, - for descending', () => {
      expect(parse('Slot', '_sort=start,-_lastUpdated,status').request.sort).to.deep.equal([
        { p: 'start', desc: false }, { p: '_lastUpdated', desc: true }, { p: 'status', desc: false },
      ]);
      expect(parse('Appointment', '_sort=-date,_id').request.sort).to.deep.equal([{ p: 'date', desc: true }, { p: '_id', desc: false }]);
    });
    it('repeated keys keep the first', () => {
      expect(parse('Slot', '_sort=start,-start').request.sort).to.deep.equal([{ p: 'start', desc: false }]);
    });
    it('unknown keys: ignored with a warning, or 400 under strict', () => {
      const r = parse('Slot', '_sort=nope,start');
      expect(r.request.sort).to.deep.equal([{ p: 'start', desc: false }]);
      expect(r.issues).to.have.length(1);
      expect(r.issues[0]).to.deep.include({ severity: 'warning', code: 'not-supported', expression: ['_sort'] });
      fails('Slot', '_sort=nope', /Unknown search parameter 'nope' for Slot/, '_sort', STRICT);
    });
    it('system searches sort by common parameters only', () => {
      expect(parse(['Slot', 'Appointment'], '_sort=-_lastUpdated').request.sort).to.deep.equal([{ p: '_lastUpdated', desc: true }]);
      fails(['Slot', 'Appointment'], '_sort=status', /Unknown search parameter 'status'/, '_sort', STRICT);
    });
    it('malformed keys and unsortable types are 400s', () => {
      fails('Slot', '_sort=st art', /not a sort key/, '_sort');
      fails('Slot', '_sort=start,', /not a sort key/);
      fails('Location', '_sort=near', /Cannot sort by special parameter 'near'/, '_sort', STRICT);
      fails('Patient', '_sort=phonetic', /Cannot sort by phonetic parameter 'phonetic'/, '_sort', STRICT);
    });
  });

  describe('_count', () => {
    it('sets the page size', () => expect(parse('Slot', '_count=5').request.count).to.equal(5));
    it('0 asks for the total only', () => {
      const r = parse('Slot', '_count=0');
      expect(r.request.count).to.equal(0);
      expect(r.summary).to.equal('count');
      expect(r.request.total).to.equal('accurate');
    });
    it('over the maximum: capped, with a warning', () => {
      const r = parse('Slot', '_count=1000');
      expect(r.request.count).to.equal(100);
      expect(r.issues).to.deep.equal([{
        severity: 'warning', code: 'too-costly', diagnostics: '_count=1000 exceeds the maximum page size; 100 used', expression: ['_count'],
      }]);
    });
    it('malformed: 400', () => {
      fails('Slot', '_count=-1', /non-negative integer/, '_count');
      fails('Slot', '_count=ten', /non-negative integer/);
      fails('Slot', '_count=1.5', /non-negative integer/);
      fails('Slot', '_count:x=1', /takes no modifier/, '_count:x');
    });
  });

  it('_total', () => {
    expect(parse('Slot', '_total=accurate').request.total).to.equal('accurate');
    expect(parse('Slot', '_total=estimate').request.total).to.equal('estimate');
    expect(parse('Slot', '_total=none').request.total).to.equal('none');
    fails('Slot', '_total=all', /_total must be/, '_total');
  });

  it('_summary', () => {
    for (const v of ['true', 'data', 'text', 'false']) {
      const r = parse('Slot', `_summary=${v}`);
      expect(r.summary).to.equal(v);
      expect(r.request.total).to.equal('none');
    }
    const count = parse('Slot', '_summary=count&_count=10');
    expect(count.summary).to.equal('count');
    expect(count.request.total).to.equal('accurate');
    expect(count.request.count).to.equal(0);
    expect(parse('Slot', '_count=0&_summary=data').summary).to.equal('data');
    fails('Slot', '_summary=yes', /_summary must be/, '_summary');
  });

  it('_elements', () => {
    expect(parse('Slot', '_elements=status,start,%20schedule,status').elements).to.deep.equal(['status', 'start', 'schedule']);
    expect(parse('Slot', '_elements=Slot.status').elements).to.deep.equal(['Slot.status']);
    fails('Slot', '_elements=status,sta-rt', /not an element name/, '_elements');
  });

  it('_cursor, _format, _pretty', () => {
    const r = parse('Slot', '_cursor=opaque.abc-123&_format=json&_pretty=true');
    expect(r.request.cursor).to.equal('opaque.abc-123');
    expect(r.issues).to.deep.equal([]);
  });

  it('_type narrows a system search, and makes type parameters available', () => {
    const r = parse(['Slot', 'Schedule', 'Appointment'], '_type=Slot,Appointment&_lastUpdated=2025');
    expect(r.request.types).to.deep.equal(['Slot', 'Appointment']);
    const one = parse(['Slot', 'Schedule'], '_type=Slot&status=free');
    expect(one.request.types).to.deep.equal(['Slot']);
    expect(one.request.where).to.deep.equal([{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] }]);
    fails(['Slot', 'Schedule'], '_type=Observation', /not a resource type served here/, '_type');
    fails(['Slot', 'Schedule'], '_type=Appointment', /leaves nothing/);
  });

  it('unknown types are 400s', () => {
    expect(() => parseSearch(['Observation'], [], registry, LENIENT)).to.throw(FhirError, /not a resource type served here/);
    expect(() => parseSearch([], [], registry, LENIENT)).to.throw(FhirError);
  });
});

describe('search/parse: _include and _revinclude', () => {
  it('Source:param and Source:param:Target', () => {
    const r = parse('Slot', '_include=Slot:schedule&_include=Slot:schedule:Schedule&_include=Slot:schedule');
    expect(r.include).to.deep.equal([
      { sourceType: 'Slot', param: 'schedule', iterate: false, wildcard: false },
      { sourceType: 'Slot', param: 'schedule', targetType: 'Schedule', iterate: false, wildcard: false },
    ]);
  });
  it(':iterate (and the older :recurse)', () => {
    const r = parse('Appointment', '_include=Appointment:slot&_include:iterate=Slot:schedule&_include:recurse=Schedule:actor:Location');
    expect(r.include).to.deep.equal([
      { sourceType: 'Appointment', param: 'slot', iterate: false, wildcard: false },
      { sourceType: 'Slot', param: 'schedule', iterate: true, wildcard: false },
      { sourceType: 'Schedule', param: 'actor', targetType: 'Location', iterate: true, wildcard: false },
    ]);
  });
  it('wildcards', () => {
    expect(parse(['Slot', 'Schedule'], '_include=*').include).to.deep.equal([
      { sourceType: 'Slot', param: '*', iterate: false, wildcard: true },
      { sourceType: 'Schedule', param: '*', iterate: false, wildcard: true },
    ]);
    expect(parse('Slot', '_include=Slot:*').include).to.deep.equal([{ sourceType: 'Slot', param: '*', iterate: false, wildcard: true }]);
    expect(parse('Slot', '_revinclude=*').revinclude).to.deep.equal([{ sourceType: '*', param: '*', iterate: false, wildcard: true }]);
  });
  it('_revinclude', () => {
    const r = parse('Slot', '_revinclude=Appointment:slot&_revinclude:iterate=AuditEvent:entity');
    expect(r.revinclude).to.deep.equal([
      { sourceType: 'Appointment', param: 'slot', iterate: false, wildcard: false },
      { sourceType: 'AuditEvent', param: 'entity', iterate: true, wildcard: false },
    ]);
    expect(parse('Patient', '_revinclude=Appointment:actor:Patient').revinclude).to.deep.equal([
      { sourceType: 'Appointment', param: 'actor', targetType: 'Patient', iterate: false, wildcard: false },
    ]);
  });
  it('what cannot apply is ignored with a warning (400 under strict)', () => {
    const r = parse('Slot', '_include=Appointment:slot&_revinclude=Appointment:patient&_include=Slot:status&_include=Observation:subject');
    expect(r.include).to.deep.equal([]);
    expect(r.revinclude).to.deep.equal([]);
    expect(r.issues.map((i) => i.expression![0])).to.deep.equal(['_include', '_revinclude', '_include', '_include']);
    fails('Slot', '_include=Appointment:slot', /not the searched type/, '_include', STRICT);
    fails('Slot', '_revinclude=Appointment:patient', /does not refer to Slot/, '_revinclude', STRICT);
    fails('Slot', '_include=Slot:status', /not a reference parameter of Slot/, '_include', STRICT);
  });
  it('malformed values are 400s', () => {
    fails('Slot', '_include=Slot', /Type:parameter/, '_include');
    fails('Slot', '_include=Slot:schedule:Patient', /cannot refer to 'Patient'/);
    fails('Slot', '_include=Slot:*:Schedule', /target type cannot follow/);
    fails('Slot', '_include:deep=Slot:schedule', /Unknown modifier ':deep'/, '_include:deep');
  });
});

describe('search/parse: unknown parameters and empty values', () => {
  it('lenient: ignored with a warning naming the parameter', () => {
    const r = parse('Slot', 'nope=1&status=free&_text=x&_content=y&_list=z');
    expect(r.request.where).to.deep.equal([{ k: 'idx', p: 'status', tests: [{ f: 'code', op: 'eq', v: 'free' }] }]);
    expect(r.issues).to.deep.equal([
      { severity: 'warning', code: 'not-supported', diagnostics: "Unknown search parameter 'nope' for Slot; ignored", expression: ['nope'] },
      { severity: 'warning', code: 'not-supported', diagnostics: "Search parameter '_text' is not supported; ignored", expression: ['_text'] },
      { severity: 'warning', code: 'not-supported', diagnostics: "Search parameter '_content' is not supported; ignored", expression: ['_content'] },
      { severity: 'warning', code: 'not-supported', diagnostics: "Search parameter '_list' is not supported; ignored", expression: ['_list'] },
    ]);
  });
  it('strict: 400 with the parameter as expression', () => {
    const e = fails('Slot', 'nope:exact=1', /Unknown search parameter 'nope' for Slot/, 'nope:exact', STRICT);
    expect(e.issues[0]!.details!.code).to.equal('BAD_REQUEST');
  });
  it('listed but unsupported parameters (other special ones) count as unknown', () => {
    const sp = {
      resourceType: 'SearchParameter', url: 'urn:y', name: 'y', status: 'active', description: 'd',
      code: 'y', base: ['Slot'], type: 'special', xpathUsage: 'other', expression: 'Slot.status',
    };
    const reg = buildRegistry({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: sp as never }] }, { types: ['Slot'] });
    const r = parse('Slot', 'y=1', LENIENT, reg);
    expect(r.request.where).to.deep.equal([]);
    expect(r.issues[0]!.diagnostics).to.match(/'y' is not supported: special parameter 'y'/);
    fails('Slot', 'y=1', /special parameter 'y'/, 'y', STRICT, reg);
  });
  it('type parameters in a system search are unknown', () => {
    const r = parse(['Slot', 'Schedule'], 'status=free&_tag=a|b');
    expect(r.request.where).to.deep.equal([{ k: 'idx', p: '_tag', tests: [{ f: 'sys', op: 'eq', v: 'a' }, { f: 'code', op: 'eq', v: 'b' }] }]);
    expect(r.issues[0]!.diagnostics).to.equal("Unknown search parameter 'status' for a search across Slot, Schedule; ignored");
  });
  it('empty values are ignored with a note (even under strict)', () => {
    const r = parse('Slot', 'status=&_sort=', STRICT);
    expect(r.request.where).to.deep.equal([]);
    expect(r.request.sort).to.deep.equal([]);
    expect(r.issues.map((i) => [i.code, i.expression![0]])).to.deep.equal([['informational', 'status'], ['informational', '_sort']]);
  });
  it('malformed values fail even when lenient', () => {
    fails('Slot', 'start=2024-02-31', /not a valid date/, 'start', LENIENT);
  });
});
