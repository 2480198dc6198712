// Negation that keeps compiled conditions small: a deny under a "nothing above R" label test would
// otherwise become not(not(...)).
import { not, type Cond } from '../../domain/search-types.js';

export function negate(c: Cond): Cond {
  return c.k === 'not' ? c.of : not(c);
}
