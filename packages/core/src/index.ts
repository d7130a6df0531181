export * from './currencies.js';
export * from './money.js';
export * from './payment-status.js';
export * from './errors.js';
export * from './redirect-urls.js';
export * from './ids.js';
export * from './schemas.js';
export * from './provider.js';
