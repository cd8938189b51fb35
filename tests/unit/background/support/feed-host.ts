/**
 * A class-feed host in memory, standing in for `fetch` (src/platform/network.ts
 * is the extension's only network traffic): it stores what a PUT sends and
 * serves it back with an ETag, answering If-None-Match with 304, as any
 * host the README names does. A test decides how it answers: a status code,
 * or 'unreachable' for a network that fails (fetch then throws, as in a
 * browser, "Failed to fetch").
 */
import { ReadableStream } from 'node:stream/web';
import { TextEncoder } from 'node:util';

export type HostAnswer = number | 'unreachable';

export interface HostRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((init?.headers ?? {}) as Record<string, string>)) out[name.toLowerCase()] = value;
  return out;
}

/** The parts of a fetch Response that src/platform/network.ts reads. */
function response(status: number, body: string | null, headers: Record<string, string> = {}): Response {
  const bytes = body === null ? null : new TextEncoder().encode(body);
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  if (bytes !== null) lower['content-length'] = String(bytes.length);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null },
    body:
      bytes === null
        ? null
        : new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new Uint8Array(bytes));
              controller.close();
            },
          }),
  } as unknown as Response;
}

export class FeedHost {
  /** What the host holds, by URL. */
  readonly documents = new Map<string, { readonly body: string; readonly etag: string }>();
  /** Every request, in order. */
  readonly requests: HostRequest[] = [];
  /** How PUTs are answered: 201 stores the document. */
  putAnswer: HostAnswer = 201;
  /** How GETs are answered: null serves what is stored (404 when nothing is). */
  getAnswer: HostAnswer | null = null;
  /** The host's clock, sent as the Date header of every answer; null: no Date header. */
  clock: (() => number) | null = null;
  private version = 0;

  /** Stores a document as a PUT would, e.g. one signed by another teacher's browser. */
  store(url: string, body: string): void {
    this.version += 1;
    this.documents.set(url, { body, etag: `"v${this.version}"` });
  }

  /** The requests of one method. */
  sent(method: 'GET' | 'PUT'): HostRequest[] {
    return this.requests.filter((request) => request.method === method);
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = headersOf(init);
    this.requests.push({ method, url, headers, body: typeof init?.body === 'string' ? init.body : null });
    const answer = method === 'PUT' ? this.putAnswer : this.getAnswer;
    if (answer === 'unreachable') throw new TypeError('Failed to fetch');
    const date: Record<string, string> = this.clock === null ? {} : { Date: new Date(this.clock()).toUTCString() };
    if (method === 'PUT') {
      const status = this.putAnswer as number;
      if (status >= 200 && status < 300) this.store(url, String(init?.body ?? ''));
      return response(status, '', date);
    }
    if (answer !== null) return response(answer, '', date);
    const stored = this.documents.get(url);
    if (stored === undefined) return response(404, 'not found', date);
    if (headers['if-none-match'] === stored.etag) return response(304, null, { ETag: stored.etag, ...date });
    return response(200, stored.body, { ETag: stored.etag, 'Content-Type': 'application/jose', ...date });
  };
}
