// POST [base]/Slot/[id]/$hold (Parameters in, no parameters defined): reserve a free slot for the
// caller for HOLD_MINUTES while the patient decides. Answers the held Slot; whether the slot may be
// held, and for how long, is the scheduling rules' decision (src/scheduling/hold-rules.ts).
import type { Ctx } from '../context.js';
import { versionHeaders } from '../headers.js';
import type { FhirResponse } from '../types.js';
import { operationInputs } from './parameters.js';

export async function holdSlot(ctx: Ctx, id: string): Promise<FhirResponse> {
  operationInputs(ctx.req, []);
  // Holding is the first half of booking: whoever may book (create an Appointment on a slot they
  // can read) may hold, even without the right to edit Slots.
  const v = await ctx.guard.operate('$hold', 'Slot', id, [['read', 'Slot'], ['create', 'Appointment']]);
  return { status: 200, headers: versionHeaders(v, ctx.req.baseUrl, false), body: v.resource! };
}
