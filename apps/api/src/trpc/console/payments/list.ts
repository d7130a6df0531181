import { z } from 'zod';
import { PAYMENT_STATUSES, currencySchema } from '@platform/core';
import { authedProcedure } from '../../init.js';
import { CrossTenantReader } from '../../../console/db.js';
import { listPayments } from '../../../console/payments.js';
import { cursorSchema, idSchema, instantSchema, limitSchema, modeSchema } from '../common.js';

const minorUnits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const listPaymentsInput = z
  .object({
    tenantId: idSchema.optional(),
    mode: modeSchema.optional(),
    status: z.enum(PAYMENT_STATUSES).optional(),
    /** createdAt ≥ from (inclusive), < to (exclusive). */
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    /** ISO 4217 code (upper case): only payments in this currency. */
    currency: currencySchema.optional(),
    /** Minor units, inclusive; with `currency`, compared within that currency only. */
    amountMin: minorUnits.optional(),
    amountMax: minorUnits.optional(),
    /** Customer e-mail, exact and case-insensitive. */
    email: z.string().min(3).max(254).optional(),
    /** A payment id (exact). */
    id: idSchema.optional(),
    cursor: cursorSchema,
    limit: limitSchema,
  })
  .prefault({});

/** Payments across tenants, newest first, keyset-paginated: `{ data, nextCursor }`. */
export const listPaymentsProcedure = authedProcedure
  .input(listPaymentsInput)
  .query(({ ctx, input }) => listPayments(CrossTenantReader.of(ctx.platform.orm), input));
