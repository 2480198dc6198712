// Focused tests for the bugs the search parity suite turned up outside the store adapters (in
// src/search), so that each stays fixed even if the parity corpus changes.
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/domain/fhir.js';
import { createIndexer } from '../../../src/search/indexer.js';
import { parseSearch } from '../../../src/search/parse.js';
import { loadR4Registry } from '../../../src/search/registry.js';
import { filter } from '../../search/support/evaluator.js';
import { PARSE_OPTIONS, queryPairs } from './run.js';

const registry = loadR4Registry();

describe('search parity regressions (src/search)', () => {
  describe('a versioned canonical under a uri parameter (_profile) is found by its unversioned url', () => {
    const url = 'http://example.org/fhir/StructureDefinition/envelope-patient';
    const resources: Resource[] = [
      { resourceType: 'Patient', id: 'versioned', meta: { profile: [`${url}|1.0`] } } as Resource,
      { resourceType: 'Patient', id: 'plain', meta: { profile: [url] } } as Resource,
      { resourceType: 'Patient', id: 'other', meta: { profile: [`${url}-extra|1.0`] } } as Resource,
      { resourceType: 'ServiceRequest', id: 'uri', instantiatesUri: [`${url}|1.0`] } as Resource,
    ];
    const found = (type: string, query: string, fastPath: boolean) => {
      const index = createIndexer(registry, { fastPath });
      const world = { resources: resources.map((r) => ({ type: r.resourceType, id: r.id!, index: index(r) })) };
      return filter(parseSearch([type], queryPairs(query), registry, PARSE_OPTIONS).request, world).map((r) => r.id);
    };

    for (const fastPath of [true, false]) {
      it(`${fastPath ? 'direct JSON walker' : 'fhirpath.js'}: both the versioned and the plain declaration match`, () => {
        assert.deepEqual(found('Patient', `_profile=${url}`, fastPath), ['versioned', 'plain']);
        assert.deepEqual(found('Patient', `_profile=${url}|1.0`, fastPath), ['versioned']);
        assert.deepEqual(found('Patient', `_profile:below=http://example.org/fhir/StructureDefinition`, fastPath), ['versioned', 'plain', 'other']);
      });
    }

    it('a plain uri (not a canonical) is taken as written, bar and all', () => {
      assert.deepEqual(found('ServiceRequest', `instantiates-uri=${url}|1.0`, true), ['uri']);
      assert.deepEqual(found('ServiceRequest', `instantiates-uri=${url}`, true), []);
    });
  });
});
