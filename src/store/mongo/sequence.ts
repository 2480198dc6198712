// Write order within one millisecond. lastUpdated has millisecond precision and the shared clock
// (../common/clock.ts) is non-decreasing, not strictly increasing, across resources, so two versions
// written in the same millisecond tie on `lu`. History is newest first in commit order, so every
// version also gets `seq`, a counter that continues from the highest stored value when the store
// opens. Across processes writing at once the tie is broken arbitrarily (but consistently), which is
// all a concurrent order can promise.
export class WriteSequence {
  private last = 0;

  observe(n: unknown): void {
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > this.last) this.last = n;
  }

  next(): number {
    return ++this.last;
  }
}
