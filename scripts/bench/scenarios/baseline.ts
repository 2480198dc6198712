// The baseline scenario: any GET to the bare Node server, which answers with the captured bytes of a
// real free-slot search response (see baseline-server.ts).
import type { Scenario } from '../scenario.js';

export const baseline: Scenario = {
  id: 'baseline',
  title: 'Bare node:http server answering the captured bytes of a free-slot search response',
  target: 'baseline',
  example: 'GET /fhir/Slot?… (any path; always the same bytes)',
  create() {
    return {
      next: () => ({ method: 'GET', path: '/fhir/Slot' }),
      check: (status, body) => {
        if (status !== 200 || body.length === 0) throw new Error(`baseline answered ${status} with ${body.length} bytes`);
        return { matches: 0, included: 0 };
      },
    };
  },
};
