// Public surface of the MongoDB adapter.
export { openMongoStore, type MongoStoreOptions } from './store.js';
export type { MongoClientLike, DbLike, CollectionLike, SessionLike, CursorLike, AdminLike, Doc, IndexSpec } from './driver.js';
