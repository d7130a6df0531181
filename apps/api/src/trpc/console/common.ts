import { z } from 'zod';
import { modeSchema } from '@platform/core';

/** Input pieces shared by console procedures. */
export const idSchema = z.string().min(3).max(100);
export const cursorSchema = z.string().min(1).max(200).optional();
export const limitSchema = z.number().int().min(1).max(200).default(50);
export { modeSchema };

/** An ISO 8601 instant or a calendar day (UTC midnight). */
export const instantSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date or date-time' })
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));
