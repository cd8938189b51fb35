/**
 * jsdom has no TextEncoder/TextDecoder, which Node and browsers both have.
 * The fake background uses core's class-feed code, which loads jose, which
 * makes one when it loads: import this first.
 */
import { TextDecoder, TextEncoder } from 'node:util';

if (typeof globalThis.TextEncoder === 'undefined') Object.assign(globalThis, { TextEncoder, TextDecoder });
