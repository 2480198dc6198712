// Which scenarios each suite runs. A new scenario module is added to its own suite here and to `all`;
// the runner and the report need no change. `all` is the load step of `npm run bench` (whole-set.ts),
// which adds start-up, booking (on its own pool), the audit log and the store size around it.
import type { Scenario } from './scenario.js';
import { createReferral } from './scenarios/create.js';
import { readAppointment } from './scenarios/read.js';
import { freeSlots, SEARCH_SCENARIOS } from './scenarios/search.js';

export const SUITES: Readonly<Record<string, readonly Scenario[]>> = {
  search: SEARCH_SCENARIOS,
  // The audited read first: the baseline replays the bytes of the suite's first scenario.
  audit: [readAppointment, freeSlots],
  create: [createReferral],
  all: [readAppointment, ...SEARCH_SCENARIOS, createReferral],
};
