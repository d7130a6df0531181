/**
 * The official `@adyen/api-library`, imported the one way that works under Node ESM (tsx, vitest,
 * `node --import tsx`): the package is CommonJS and defines its named exports as getters, which
 * Node's CJS lexer cannot see, so `import { Client } from '@adyen/api-library'` fails at link
 * time ("does not provide an export named 'Client'"). The default import is `module.exports`.
 */
import adyen from '@adyen/api-library';
import type { Types } from '@adyen/api-library';

export const { Client, CheckoutAPI, Config, EnvironmentEnum, HttpClientException, hmacValidator: HmacValidator } = adyen;

export type AdyenClient = InstanceType<typeof Client>;
export type AdyenConfig = InstanceType<typeof Config>;
export type AdyenHttpClientException = InstanceType<typeof HttpClientException>;
export type AdyenPaymentsApi = InstanceType<typeof CheckoutAPI>['PaymentsApi'];
export type AdyenModificationsApi = InstanceType<typeof CheckoutAPI>['ModificationsApi'];
export type NotificationRequestItem = Types.notification.NotificationRequestItem;
export type SessionStatus = `${Types.checkout.SessionResultResponse.StatusEnum}`;

/** The library's pluggable HTTP client (`new Client(config, httpClient)`), as its `httpClient` property types it. */
export type AdyenHttpClient = AdyenClient['httpClient'];
/** The per-call options the generated API methods take (`idempotencyKey`, `params`, https.RequestOptions). */
export type AdyenRequestOptions = NonNullable<Parameters<AdyenPaymentsApi['sessions']>[1]>;
