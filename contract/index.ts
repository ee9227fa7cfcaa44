/** The device contract v1: topics, payload types, schemas and the validator. */
export * from './payloads.js';
export * from './schemas.js';
export * from './topics.js';
export * from './upstream.js';
export * from './validate.js';
