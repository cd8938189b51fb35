/**
 * What a service worker and an extension page have and the test realms lack
 * or get subtly wrong: WebCrypto (jsdom has only getRandomValues) and
 * TextEncoder/TextDecoder (jsdom has none; Node's hand out Node's own
 * Uint8Array, which `instanceof Uint8Array` in the test realm — as jose
 * checks — does not recognise). Node's implementations are installed with
 * results copied into this realm. Crypto operations in flight are counted,
 * so a test can wait until the background has finished signing or hashing.
 * Import this before anything that loads jose.
 */
import { webcrypto } from 'node:crypto';
import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';

const nodeEncoder = new NodeTextEncoder();

class RealmTextEncoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    return new Uint8Array(nodeEncoder.encode(input));
  }
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number } {
    return nodeEncoder.encodeInto(input, destination);
  }
}

let inFlight = 0;

/** Crypto operations started and not yet settled. */
export function cryptoInFlight(): number {
  return inFlight;
}

const subtle = new Proxy(webcrypto.subtle, {
  get(target, property) {
    const value = Reflect.get(target, property, target) as unknown;
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      inFlight += 1;
      const result = Promise.resolve((value as (...inner: unknown[]) => Promise<unknown>).apply(target, args));
      return result.finally(() => {
        inFlight -= 1;
      });
    };
  },
});

Object.defineProperty(globalThis, 'crypto', {
  configurable: true,
  writable: true,
  value: {
    subtle,
    getRandomValues: <T extends ArrayBufferView | null>(array: T): T => webcrypto.getRandomValues(array as Uint8Array) as unknown as T,
    randomUUID: () => webcrypto.randomUUID(),
  },
});
if (typeof globalThis.TextEncoder === 'undefined' || !(new globalThis.TextEncoder().encode('') instanceof Uint8Array)) {
  Object.assign(globalThis, { TextEncoder: RealmTextEncoder, TextDecoder: NodeTextDecoder });
}
