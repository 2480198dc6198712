// Which scenarios each suite runs. A new scenario module (read, create, booking, audit …) is added to
// its own suite here and to `all`; the runner, the report and the npm scripts need no change.
import type { Scenario } from './scenario.js';
import { readAppointment } from './scenarios/read.js';
import { freeSlots, SEARCH_SCENARIOS } from './scenarios/search.js';

export const SUITES: Readonly<Record<string, readonly Scenario[]>> = {
  search: SEARCH_SCENARIOS,
  // The audited read first: the baseline replays the bytes of the suite's first scenario.
  audit: [readAppointment, freeSlots],
  all: [...SEARCH_SCENARIOS, readAppointment],
};
