import { router } from '../../init.js';
import { deliveriesProcedure } from './deliveries.js';
import { replayProcedure } from './replay.js';
import { sendTestProcedure } from './send-test.js';
import { updateEndpointProcedure } from './update-endpoint.js';

export const webhooksRouter = router({
  deliveries: deliveriesProcedure,
  replay: replayProcedure,
  sendTest: sendTestProcedure,
  updateEndpoint: updateEndpointProcedure,
});
