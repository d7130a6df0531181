export * from './registry.js';
export * from './sandbox/adapter.js';
export * from './sandbox/cards.js';
export * from './sandbox/webhook.js';
export * from './stripe/adapter.js';
export * from './adyen/adapter.js';
