/**
 * The extension's only network traffic besides the live socket (./socket.ts; docs/design.md, "Privacy"): fetching a
 * class's document from the class feed, and a teacher's PUT of one. No
 * cookies or other credentials of the browser go along (`credentials:
 * 'omit'`), no referrer, and the HTTP cache is bypassed so that the
 * If-None-Match sent is the one Lesmodus chose and a 304 reaches it as such.
 */

const TIMEOUT_MS = 10_000;

type FeedGetAnswer =
  | { readonly kind: 'document'; readonly body: string; readonly etag: string | null }
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'oversized'; readonly detail: string }
  /** `status`: the HTTP status the feed answered with; null when it did not answer. */
  | { readonly kind: 'error'; readonly message: string; readonly status: number | null };

/** The answer, with the feed host's clock (its Date header, ms since 1970) when it sent one. */
type FeedGetResult = FeedGetAnswer & { readonly date: number | null };

/** The Date header of a response, or null when there is none or it is not a date. */
function dateOf(response: Response): number | null {
  const header = response.headers.get('date');
  const time = header === null ? NaN : Date.parse(header);
  return Number.isFinite(time) ? time : null;
}

type FeedPutResult = { readonly kind: 'status'; readonly status: number } | { readonly kind: 'error'; readonly message: string };

function describe(error: unknown): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${TIMEOUT_MS / 1000} s`;
  return error instanceof Error ? error.message : String(error);
}

/** Reads at most `maxBytes` of a body; null when there is more. */
async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** GETs a class document, conditionally when `etag` is given. */
export async function fetchFeedDocument(url: string, etag: string | null, maxBytes: number): Promise<FeedGetResult> {
  let date: number | null = null;
  const answer = await getFeedDocument(url, etag, maxBytes, (response) => {
    date = dateOf(response);
  });
  return { ...answer, date };
}

async function getFeedDocument(url: string, etag: string | null, maxBytes: number, onResponse: (response: Response) => void): Promise<FeedGetAnswer> {
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: etag === null ? {} : { 'If-None-Match': etag },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    onResponse(response);
    if (response.status === 304) return { kind: 'not-modified' };
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { kind: 'not-found' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: 'error', message: `the class feed answered HTTP ${response.status}`, status: response.status };
    }
    const body = await readCapped(response, maxBytes);
    if (body === null) return { kind: 'oversized', detail: `the class feed sent more than ${maxBytes} bytes` };
    return { kind: 'document', body: body.trim(), etag: response.headers.get('etag') };
  } catch (error) {
    return { kind: 'error', message: describe(error), status: null };
  }
}

/** PUTs a signed class document, with IT's Authorization header when there is one. */
export async function putFeedDocument(url: string, jws: string, authorization: string | undefined): Promise<FeedPutResult> {
  try {
    const response = await fetch(url, {
      method: 'PUT',
      body: jws,
      headers: { 'Content-Type': 'application/jose', ...(authorization !== undefined ? { Authorization: authorization } : {}) },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { kind: 'status', status: response.status };
  } catch (error) {
    return { kind: 'error', message: describe(error) };
  }
}

type ChannelInfoResult = { readonly kind: 'answer'; readonly status: number; readonly body: string | null } | { readonly kind: 'error'; readonly message: string };

/**
 * Asks the feed host how many browsers follow a class: a GET of the feed URL
 * with the teacher's Authorization and `Accept: application/json`
 * (docs/class-feed-nginx.md, "Counting"). Only the answer's status and (for
 * 200) its first few KB travel back; what the count means is core's.
 */
export async function fetchChannelInfo(url: string, authorization: string | undefined): Promise<ChannelInfoResult> {
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: { Accept: 'application/json', ...(authorization !== undefined ? { Authorization: authorization } : {}) },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { kind: 'answer', status: response.status, body: null };
    }
    return { kind: 'answer', status: response.status, body: await readCapped(response, 4096) };
  } catch (error) {
    return { kind: 'error', message: describe(error) };
  }
}
