/**
 * The only place that opens WebSockets: a student device's live connection
 * to its class feed (docs/class-feed-nginx.md, "On the socket"). Like the
 * fetch in ./network.ts it carries no credentials of the browser: a
 * WebSocket sends no Authorization, no subprotocol is asked for, and the
 * handshake's Origin is the extension's own (the feed host lets extension
 * origins through and refuses web pages').
 *
 * Thin on purpose: what a frame means, when to ping and when to reconnect
 * is decided in core/feed/live.ts and background/feed/live.ts.
 */

export interface SocketEvents {
  /** The handshake succeeded. */
  onOpen(): void;
  /** A text frame, or the size of a binary one (never read: it is not a class document). */
  onFrame(data: string | { readonly bytes: number }): void;
  /** The socket is gone: closed by either side, refused, or dropped. `opened`: whether it ever opened. Called once. */
  onClose(code: number, reason: string, opened: boolean): void;
}

export interface OpenSocket {
  /** Sends a text frame; false when the socket is not open. */
  send(text: string): boolean;
  /** Closes the socket; onClose follows (at once, with code 1000, if the browser would not say). */
  close(): void;
}

/** True where this context can open WebSockets (an extension's service worker or event page can). */
export function socketsAvailable(): boolean {
  return typeof WebSocket === 'function';
}

/** Opens a WebSocket to `url` (ws: or wss:); null when the browser has none or refuses the address at once. */
export function openSocket(url: string, events: SocketEvents): OpenSocket | null {
  if (!socketsAvailable()) return null;
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    return null;
  }
  let opened = false;
  let closed = false;
  const finish = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    events.onClose(code, reason, opened);
  };
  socket.onopen = () => {
    opened = true;
    events.onOpen();
  };
  socket.onmessage = (event: MessageEvent) => {
    if (closed) return;
    const { data } = event;
    if (typeof data === 'string') events.onFrame(data);
    else if (data instanceof ArrayBuffer) events.onFrame({ bytes: data.byteLength });
    else if (data instanceof Blob) events.onFrame({ bytes: data.size });
    else events.onFrame({ bytes: 0 });
  };
  // An error is always followed by a close event, which says more.
  socket.onerror = () => undefined;
  socket.onclose = (event: CloseEvent) => finish(event.code, event.reason);
  return {
    send(text) {
      if (closed || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(text);
      return true;
    },
    close() {
      if (closed) return;
      try {
        socket.close(1000);
      } catch {
        // Already closing.
      }
      finish(1000, 'closed by Lesmodus');
    },
  };
}
