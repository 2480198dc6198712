// Store size per million resources: the clinical estate as seeded, and what the runs added since.
import { expect } from 'chai';
import { storeSize } from '../../scripts/bench/store-size.js';

describe('bench: store size per million resources', () => {
  it('divides bytes by resources and scales to a million, for the seeded estate, the growth and now', () => {
    const z = storeSize(
      { bytes: 3_000_000_000, counts: { Slot: 1_000_000, Patient: 500_000 } },
      { bytes: 4_000_000_000, counts: { Slot: 1_000_000, Patient: 500_000, AuditEvent: 400_000, ServiceRequest: 100_000 } },
    );
    expect(z.seeded).to.deep.equal({ resources: 1_500_000, bytes: 3_000_000_000, bytesPerMillion: 2_000_000_000 });
    expect(z.added.resources).to.equal(500_000);
    expect(z.added.bytes).to.equal(1_000_000_000);
    expect(z.added.bytesPerMillion).to.equal(2_000_000_000);
    expect(z.added.auditEvents).to.equal(400_000);
    expect(z.added.byType).to.deep.equal({ AuditEvent: 400_000, ServiceRequest: 100_000 });
    expect(z.now.resources).to.equal(2_000_000);
    expect(z.now.bytesPerMillion).to.equal(2_000_000_000);
  });

  it('counts only types that grew, and has no per-million figure when nothing was added', () => {
    const z = storeSize({ bytes: 1_000, counts: { Slot: 10, Patient: 5 } }, { bytes: 1_000, counts: { Slot: 10, Patient: 4 } });
    expect(z.added.byType).to.deep.equal({});
    expect(z.added.resources).to.equal(0);
    expect(z.added.bytesPerMillion).to.equal(undefined);
    expect(z.added.auditEvents).to.equal(0);
  });

  it('never reports negative growth in bytes (a database file does not shrink; a smaller one was replaced)', () => {
    const z = storeSize({ bytes: 5_000, counts: { Slot: 10 } }, { bytes: 4_000, counts: { Slot: 10, AuditEvent: 2 } });
    expect(z.added.bytes).to.equal(0);
    expect(z.added.bytesPerMillion).to.equal(0);
  });

  it('has no per-million figure for an empty store', () => {
    expect(storeSize({ bytes: 4096, counts: {} }, { bytes: 4096, counts: {} }).seeded.bytesPerMillion).to.equal(undefined);
  });
});
