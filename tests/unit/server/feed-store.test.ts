/**
 * The feed server's store: documents on disk, an index and a cache bounded
 * by bytes in memory. The cache never holds more than its budget, keeps the
 * documents served most recently, and never serves a document older than
 * the one stored. Listeners hear of each newly stored document.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteLru, etagOf, openFeedStore, type FeedStore } from '../../../src/server/feed-store';

const NOW = Date.UTC(2026, 2, 10, 9, 0);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const SIGNATURE = Buffer.alloc(64, 7).toString('base64url');

/** A document with the outline of a class document (the store checks no signature), padded to about `size` bytes. */
function documentOf(classId: string, issuedAt: number, size = 1000): Buffer {
  const header = b64({ alg: 'ES256', kid: 'k', typ: 'lesmodus-class+jws' });
  const base = { v: 1, class: classId, issuedAt, kid: 'k', lesson: null, pad: '' };
  base.pad = 'x'.repeat(Math.max(0, Math.floor(((size - header.length - SIGNATURE.length - 2) * 3) / 4) - JSON.stringify(base).length));
  return Buffer.from(`${header}.${b64(base)}.${SIGNATURE}`, 'latin1');
}

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lesmodus-feed-store-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const open = (cacheBytes: number, maxClasses = 100): Promise<FeedStore> => openFeedStore({ dataDir, maxBytes: 65536, maxClasses, cacheBytes });

describe('ByteLru', () => {
  const value = (size: number) => ({ body: Buffer.alloc(size) });

  it('evicts the least recently used values once the sizes exceed the budget', () => {
    const cache = new ByteLru(300);
    cache.set('a', value(100));
    cache.set('b', value(100));
    cache.set('c', value(100));
    cache.get('a');
    cache.set('d', value(100));
    expect([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined, cache.get('d') !== undefined]).toEqual([true, false, true, true]);
    expect(cache.bytes).toBe(300);
  });

  it('replaces a value under the same key, and keeps no value larger than the whole budget', () => {
    const cache = new ByteLru(300);
    cache.set('a', value(100));
    cache.set('a', value(250));
    expect([cache.size, cache.bytes]).toEqual([1, 250]);
    cache.set('b', value(301));
    expect([cache.get('b'), cache.size, cache.bytes]).toEqual([undefined, 1, 250]);
  });
});

describe('openFeedStore', () => {
  it('serves many classes right while the cache stays within its budget', async () => {
    const store = await open(5000);
    const documents = Array.from({ length: 40 }, (_, index) => documentOf(`c${index}`, NOW, 1000 + index));
    for (const [index, body] of documents.entries()) expect(await store.put(`c${index}`, body, NOW)).toMatchObject({ kind: 'stored', created: true });
    for (const round of [1, 2]) {
      for (const [index, body] of documents.entries()) {
        const read = await store.read(`c${index}`);
        expect([round, index, read?.body.equals(body), read?.etag]).toEqual([round, index, true, etagOf(body)]);
        expect(store.cached.bytes).toBeLessThanOrEqual(5000);
      }
    }
    expect(store.classCount).toBe(40);
    expect(store.cached.entries).toBeGreaterThan(0);
  });

  it('indexes the documents on disk when it opens, filling the cache only up to its budget', async () => {
    const first = await open(0);
    for (let index = 0; index < 10; index++) await first.put(`c${index}`, documentOf(`c${index}`, NOW, 1000), NOW);
    await writeFile(join(dataDir, 'notes.txt'), 'not a document');
    await writeFile(join(dataDir, 'c99.jws'), documentOf('c98', NOW));
    const store = await open(2500);
    expect(store.classCount).toBe(10);
    expect(store.cached.bytes).toBeLessThanOrEqual(2500);
    expect(store.entry('c3')).toMatchObject({ issuedAt: NOW, etag: etagOf(documentOf('c3', NOW, 1000)) });
    expect(store.entry('c99')).toBeUndefined();
  });

  it('never serves an older document than the one stored, also when a read from disk was under way during the write', async () => {
    // Room for two documents: reading "3A" and "4C" pushes 2B out, so the next read of 2B goes to the disk.
    const store = await open(2500);
    await store.put('2B', documentOf('2B', NOW), NOW);
    for (const classId of ['3A', '4C']) await store.put(classId, documentOf(classId, NOW), NOW);
    const reading = store.read('2B');
    const newer = documentOf('2B', NOW + 1000, 1200);
    await store.put('2B', newer, NOW + 1000);
    expect((await reading)?.body.equals(documentOf('2B', NOW))).toBe(true);
    expect((await store.read('2B'))?.body.equals(newer)).toBe(true);
    expect(store.entry('2B')?.etag).toBe(etagOf(newer));
  });

  it('keeps the newest document: an older one is refused, the same one again is taken as a retry', async () => {
    const store = await open(1 << 20);
    const current = documentOf('2B', NOW + 10);
    await store.put('2B', current, NOW + 10);
    expect(await store.put('2B', documentOf('2B', NOW), NOW)).toEqual({ kind: 'older', storedIssuedAt: NOW + 10 });
    expect(await store.put('2B', current, NOW + 10)).toEqual({ kind: 'same', etag: etagOf(current) });
  });

  it('takes no new class beyond maxClasses', async () => {
    const store = await open(1 << 20, 1);
    await store.put('2B', documentOf('2B', NOW), NOW);
    expect(await store.put('3A', documentOf('3A', NOW), NOW)).toEqual({ kind: 'full', maxClasses: 1 });
    expect(await store.put('2B', documentOf('2B', NOW + 1), NOW + 1)).toMatchObject({ kind: 'stored', created: false });
  });

  it('tells listeners of each newly stored document, in order, once it is served, and of nothing refused', async () => {
    const store = await open(1 << 20, 2);
    const heard: Array<[string, number, boolean, boolean]> = [];
    const stop = store.onStored(({ classId, body, etag, issuedAt }) => {
      // By the time a listener hears of it, a fetch gets the same document.
      heard.push([classId, issuedAt, etag === store.entry(classId)?.etag, etag === etagOf(body)]);
    });
    const current = documentOf('2B', NOW + 10);
    await Promise.all([store.put('2B', documentOf('2B', NOW), NOW), store.put('2B', current, NOW + 10)]);
    await store.put('2B', current, NOW + 10); // the same again
    await store.put('2B', documentOf('2B', NOW + 5), NOW + 5); // older
    await store.put('3A', documentOf('3A', NOW), NOW);
    await store.put('4C', documentOf('4C', NOW), NOW); // a class too many
    stop();
    await store.put('3A', documentOf('3A', NOW + 1), NOW + 1);
    expect(heard).toEqual([
      ['2B', NOW, true, true],
      ['2B', NOW + 10, true, true],
      ['3A', NOW, true, true],
    ]);
  });

  it('stores the document whatever a listener does', async () => {
    const store = await open(1 << 20);
    const heard: string[] = [];
    store.onStored(() => {
      throw new Error('listener broke');
    });
    store.onStored(({ classId }) => heard.push(classId));
    const written = process.stderr.write;
    const errors: string[] = [];
    process.stderr.write = ((text: string) => errors.push(text) > 0) as typeof process.stderr.write;
    try {
      expect(await store.put('2B', documentOf('2B', NOW), NOW)).toMatchObject({ kind: 'stored' });
    } finally {
      process.stderr.write = written;
    }
    expect(heard).toEqual(['2B']);
    expect(errors.join('')).toContain('listener broke');
    expect((await store.read('2B'))?.body.equals(documentOf('2B', NOW))).toBe(true);
  });
});
