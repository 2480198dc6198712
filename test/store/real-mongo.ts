// Clean-up for tests against a real MongoDB server (MONGODB_URI): each store gets a private database,
// dropped when the test is done, then the store is closed.
import { MongoClient } from 'mongodb';
import type { Store } from '../../src/store/port.js';

export async function dropAndClose(uri: string, dbName: string, store: Store): Promise<void> {
  const admin = new MongoClient(uri);
  try {
    await admin.db(dbName).dropDatabase();
  } finally {
    await admin.close();
    await store.close();
  }
}
