import { router } from '../../init.js';
import { addProviderAccountProcedure } from './add.js';
import { listProviderAccountsProcedure } from './list.js';
import { removeProviderAccountProcedure } from './remove.js';
import { setRoutingProcedure } from './set-routing.js';

export const providerAccountsRouter = router({
  list: listProviderAccountsProcedure,
  add: addProviderAccountProcedure,
  remove: removeProviderAccountProcedure,
  setRouting: setRoutingProcedure,
});
