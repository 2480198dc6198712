// chai 6 ships no type declarations (and @types/chai is not installed): this gives the search tests
// a typed entry point so they compile cleanly under `strict`.
// @ts-ignore -- untyped module; harmless once declarations exist
import * as chai from 'chai';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const expect: (value: unknown, message?: string) => any = (chai as any).expect;
