// Server-Sent Events over fetch: the parser (pure) and a reader of one response body.
//
// fetch rather than the browser's EventSource: it works the same in browsers and in Node (which has no
// EventSource), it can read the JSON error body of a refused stream (EventSource only reports "error" and
// stops, so a `position_expired` could not be told apart from a network failure), and reconnecting stays
// in the SDK's hands (backoff, `since`, the token of the moment).

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental `text/event-stream` parser (the WHATWG rules: `event`, `data` (joined with "\n"), `id`,
 * comments starting with ':', CRLF / LF / CR line ends, dispatch at a blank line; `retry` is ignored: the
 * SDK has its own backoff).
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;
  private sawCR = false;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  push(chunk: string): void {
    let text = chunk;
    if (this.sawCR && text.startsWith('\n')) text = text.slice(1); // the LF of a CRLF split across chunks
    this.sawCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (ch === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.sawCR = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.event = value; break;
      case 'data': this.data.push(value); break;
      case 'id': if (!value.includes('\0')) this.id = value; break;
      default: break; // retry and unknown fields
    }
  }
}

/** Reads a response body as SSE until it ends; `onActivity` is called for every chunk (comments included). */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void, onActivity: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser(onEvent);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onActivity();
      parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    try { reader.releaseLock(); } catch { /* already released */ }
  }
}
