// Which scenarios each suite runs. A new scenario module (read, create, booking, audit …) is added to
// its own suite here and to `all`; the runner, the report and the npm scripts need no change.
import type { Scenario } from './scenario.js';
import { SEARCH_SCENARIOS } from './scenarios/search.js';

export const SUITES: Readonly<Record<string, readonly Scenario[]>> = {
  search: SEARCH_SCENARIOS,
  all: [...SEARCH_SCENARIOS],
};
