/**
 * Deterministic site lists, so every run measures the same work: host names
 * like `sport.reken123.nl` (three in ten with a subdomain), each one unique
 * by its number. All of them are plain host names, as nearly all of a real
 * IT blocklist is, so compile() takes its fast path for every entry and puts
 * them in `requestDomains` rules (10,000 to a rule).
 */

/** A pseudo-random generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['school', 'reken', 'taal', 'game', 'video', 'news', 'mail', 'quiz', 'wiki', 'les', 'kaart', 'sport', 'muziek', 'play', 'chat'];
const TLDS = ['nl', 'com', 'org', 'net', 'be', 'de', 'eu', 'io'];

/** One host name; `index` makes it unique. */
export function host(next: () => number, index: number): string {
  const word = WORDS[Math.floor(next() * WORDS.length)]!;
  const tld = TLDS[Math.floor(next() * TLDS.length)]!;
  const sub = next() < 0.3 ? `${WORDS[Math.floor(next() * WORDS.length)]}.` : '';
  return `${sub}${word}${index}.${tld}`;
}

/** `count` unique host names from `seed`. */
export function hostList(seed: number, count: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, index) => host(next, index));
}

/** The 50,000-entry IT `blocked` list the compile, policy and cold-start figures use. */
export const IT_LIST_SIZE = 50_000;
export const IT_LIST_SEED = 7;
