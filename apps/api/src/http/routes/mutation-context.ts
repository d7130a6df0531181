import type { Request, Response } from 'express';
import type { MutationContext } from '../../services/context.js';
import { scopeOf } from '../authenticate.js';
import { requestIdOf } from '../request-id.js';

export function tenantMutationContext(req: Request, res: Response): MutationContext {
  return { actor: { type: 'tenant', id: scopeOf(res).tenantId }, requestId: requestIdOf(res), ip: req.ip ?? null };
}
