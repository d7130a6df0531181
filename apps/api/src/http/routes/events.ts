import { Router } from 'express';
import { AppError, eventListQuerySchema } from '@platform/core';
import { EventSchema } from '../../db/entities/index.js';
import { toEventObject } from '../../services/events.js';
import { tenantEm } from '../authenticate.js';
import { parseInput } from '../validation.js';

export function eventRoutes(): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const query = parseInput(eventListQuerySchema, req.query);
    const rows = await tenantEm(res).find(
      EventSchema,
      {
        ...(query.type ? { type: query.type } : {}),
        ...(query.startingAfter ? { id: { $lt: query.startingAfter } } : {}),
      },
      { orderBy: { id: 'desc' }, limit: query.limit + 1 },
    );
    res.json({ object: 'list', data: rows.slice(0, query.limit).map(toEventObject), hasMore: rows.length > query.limit });
  });

  router.get('/events/:id', async (req, res) => {
    const event = await tenantEm(res).findOne(EventSchema, { id: req.params.id });
    if (!event) throw new AppError('resource_missing', `No such event: '${req.params.id}'`, { param: 'id' });
    res.json(toEventObject(event));
  });

  return router;
}
