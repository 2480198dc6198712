// In-memory stand-in for the MongoDB driver, executing the adapter's real filters with mingo.
export { MongoDouble, DoubleDb, DoubleNetwork, type DoubleOptions } from './client.js';
export { DoubleCollection, type OpRecord } from './collection.js';
export { DoubleSession } from './session.js';
export { DoubleServerError, DoubleDriverError } from './errors.js';
