// A hold ($hold) is recorded in the Slot itself, so it survives restarts and is visible to every
// process: the slot is `busy-tentative` and carries the extension
//   https://envelope.example/fhir/StructureDefinition/slot-hold
//     holder        valueString      the holder's subject (token `sub`)
//     organization  valueIdentifier  the holder's organisation (ODS code), when the token has one
//     expires       valueInstant     when the hold lapses
// A lapsed hold is treated as absent by every rule the moment it expires; the sweeper only makes the
// stored status say so.
import type { r4 } from '../domain/fhir.js';
import type { Principal } from '../domain/principal.js';
import { EXTENSION_BASE, findExtension, ODS_SYSTEM, subExtension, withExtension, withoutExtension } from './extensions.js';

export const HOLD_EXTENSION = `${EXTENSION_BASE}slot-hold`;

export interface Hold {
  holder: string;
  organization?: string;
  /** ISO instant. */
  expires: string;
}

export function holdOf(slot: r4.Slot): Hold | undefined {
  const ext = findExtension(slot, HOLD_EXTENSION);
  if (!ext) return undefined;
  const holder = subExtension(ext, 'holder')?.valueString;
  const expires = subExtension(ext, 'expires')?.valueInstant;
  if (!holder || !expires) return undefined;
  const hold: Hold = { holder, expires };
  const org = subExtension(ext, 'organization')?.valueIdentifier?.value;
  if (org) hold.organization = org;
  return hold;
}

/** The hold of a busy-tentative slot, while it has not expired. */
export function liveHold(slot: r4.Slot, now: Date): Hold | undefined {
  if (slot.status !== 'busy-tentative') return undefined;
  const hold = holdOf(slot);
  return hold && Date.parse(hold.expires) > now.getTime() ? hold : undefined;
}

/** A busy-tentative slot whose hold has lapsed (or was never recorded by $hold). */
export function isLapsedHold(slot: r4.Slot, now: Date): boolean {
  return slot.status === 'busy-tentative' && holdOf(slot) !== undefined && liveHold(slot, now) === undefined;
}

export function holdFor(principal: Principal, now: Date, minutes: number): Hold {
  const hold: Hold = { holder: principal.sub, expires: new Date(now.getTime() + minutes * 60_000).toISOString() };
  if (principal.organization) hold.organization = principal.organization;
  return hold;
}

export function isHolder(hold: Hold, principal: Principal): boolean {
  return hold.holder === principal.sub && (hold.organization ?? '') === (principal.organization ?? '');
}

/** The slot held: busy-tentative with the hold recorded. */
export function held(slot: r4.Slot, hold: Hold): r4.Slot {
  const ext: r4.Extension = { url: HOLD_EXTENSION, extension: [{ url: 'holder', valueString: hold.holder }] };
  if (hold.organization) ext.extension!.push({ url: 'organization', valueIdentifier: { system: ODS_SYSTEM, value: hold.organization } });
  ext.extension!.push({ url: 'expires', valueInstant: hold.expires });
  return { ...withExtension(slot, ext), status: 'busy-tentative' };
}

/** The slot with its hold record removed (status unchanged). */
export function unheld(slot: r4.Slot): r4.Slot {
  return withoutExtension(slot, HOLD_EXTENSION);
}
