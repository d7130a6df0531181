import { Router } from 'express';
import { AppError, eventListQuerySchema } from '@platform/core';
import { EventSchema } from '../../db/entities/index.js';
import { toEventObject } from '../../services/events.js';
import { keysetPage } from '../../services/keyset-page.js';
import { tenantEm } from '../authenticate.js';
import { parseInput } from '../validation.js';

export function eventRoutes(): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const query = parseInput(eventListQuerySchema, req.query);
    const page = await keysetPage(tenantEm(res), EventSchema, { filters: query.type ? { type: query.type } : {}, noun: 'event' }, query);
    res.json({ object: 'list', data: page.data.map(toEventObject), hasMore: page.hasMore });
  });

  router.get('/events/:id', async (req, res) => {
    const event = await tenantEm(res).findOne(EventSchema, { id: req.params.id });
    if (!event) throw new AppError('resource_missing', `No such event: '${req.params.id}'`, { param: 'id' });
    res.json(toEventObject(event));
  });

  return router;
}
