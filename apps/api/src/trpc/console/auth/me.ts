import { consoleProcedure } from '../../init.js';
import type { ConsoleUser } from '../../../console/sessions.js';

/** The signed-in user, or null (the UI shows the login form). */
export const meProcedure = consoleProcedure.query(({ ctx }): ConsoleUser | null => ctx.user);
