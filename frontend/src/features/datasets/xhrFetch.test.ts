import { afterEach, describe, expect, it, vi } from 'vitest';
import { createXhrFetch, type TransferProgress } from './xhrFetch';

/** An XMLHttpRequest the test drives: it records what was sent and plays back events. */
class FakeXhr {
  static last: FakeXhr | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown = undefined;
  responseType = '';
  withCredentials = false;
  status = 0;
  statusText = '';
  response: ArrayBuffer | null = null;
  responseHeaders = '';
  aborted = false;
  private listeners = new Map<string, Array<(event: unknown) => void>>();
  upload = {
    listeners: [] as Array<(event: { loaded: number; total: number; lengthComputable: boolean }) => void>,
    addEventListener: (_name: string, listener: (event: { loaded: number; total: number; lengthComputable: boolean }) => void) => {
      this.upload.listeners.push(listener);
    },
  };

  constructor() {
    FakeXhr.last = this;
  }

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }

  addEventListener(name: string, listener: (event: unknown) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }

  send(body: unknown) {
    this.body = body;
  }

  abort() {
    this.aborted = true;
    this.emit('abort');
  }

  getAllResponseHeaders() {
    return this.responseHeaders;
  }

  progress(loaded: number, total: number, lengthComputable = true) {
    for (const listener of this.upload.listeners) listener({ loaded, total, lengthComputable });
  }

  respond(status: number, body: string, headers: string) {
    this.status = status;
    this.statusText = status === 202 ? 'Accepted' : '';
    this.response = new TextEncoder().encode(body).buffer as ArrayBuffer;
    this.responseHeaders = headers;
    this.emit('load');
  }

  emit(name: string) {
    for (const listener of this.listeners.get(name) ?? []) listener({});
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createXhrFetch', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXhr.last = null;
  });

  it('sends the request as built, reports upload progress and answers with a Response', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const progress: TransferProgress[] = [];
    const form = new FormData();
    form.append('name', 'chat');
    const request = new Request('http://lathe.test/api/datasets', {
      method: 'POST',
      body: form,
      headers: { Authorization: 'Bearer secret' },
    });
    const answer = createXhrFetch((p) => progress.push(p))(request);
    await tick();
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('http://lathe.test/api/datasets');
    expect(xhr.headers.authorization).toBe('Bearer secret');
    expect(xhr.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(xhr.responseType).toBe('arraybuffer');
    expect(await (xhr.body as Blob).text()).toContain('name="name"');

    xhr.progress(500, 1000);
    xhr.progress(1000, 1000);
    xhr.progress(10, 0, false);
    xhr.respond(202, '{"ok":true}', 'Content-Type: application/json\r\nX-Thing: 1\r\n');
    const response = await answer;
    expect(progress).toEqual([
      { loaded: 500, total: 1000 },
      { loaded: 1000, total: 1000 },
      { loaded: 10, total: null },
    ]);
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-thing')).toBe('1');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers a 204 without a body and rejects a dropped connection like fetch', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const xhrFetch = createXhrFetch(() => undefined);
    const deleted = xhrFetch(new Request('http://lathe.test/api/datasets/1', { method: 'DELETE' }));
    await tick();
    FakeXhr.last!.respond(204, '', '');
    expect((await deleted).status).toBe(204);

    const dropped = xhrFetch(new Request('http://lathe.test/api/datasets', { method: 'POST', body: 'x' }));
    await tick();
    FakeXhr.last!.emit('error');
    await expect(dropped).rejects.toBeInstanceOf(TypeError);
  });

  it('aborts the request when its signal fires', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const controller = new AbortController();
    const answer = createXhrFetch(() => undefined)(
      new Request('http://lathe.test/api/datasets', { method: 'POST', body: 'x', signal: controller.signal }),
    );
    await tick();
    controller.abort();
    await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeXhr.last!.aborted).toBe(true);
  });
});
