/** How much of a request body has been sent; `total` is null when the browser cannot tell. */
export interface TransferProgress {
  loaded: number;
  total: number | null;
}

/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function parseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A header the Fetch API does not accept: leave it out.
    }
  }
  return headers;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** A `fetch` for the generated API client (its per-call `fetch` option) that sends the request
 * over XMLHttpRequest, the one browser transport that reports upload progress: the request the
 * client built (URL, method, headers with the bearer token, the multipart body) goes out as it
 * is, and the answer comes back as a Response for the client to parse as usual. A dropped
 * connection rejects with a TypeError, like fetch; an aborted signal with its reason. */
export function createXhrFetch(onUploadProgress: (progress: TransferProgress) => void): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const { signal } = request;
    if (signal.aborted) throw abortError(signal);
    // A Blob of the encoded body; for a form with a file, browsers keep the file part by reference.
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.blob();

    return new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        done();
      };
      // Rejects at once: an XMLHttpRequest not yet sent on the wire fires no abort event.
      function onAbort() {
        xhr.abort();
        settle(() => reject(abortError(signal)));
      }

      xhr.open(request.method, request.url, true);
      request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
      xhr.responseType = 'arraybuffer';
      xhr.withCredentials = request.credentials === 'include';
      xhr.upload.addEventListener('progress', (event) => {
        onUploadProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : null });
      });
      xhr.addEventListener('load', () =>
        settle(() => {
          const status = xhr.status;
          const payload = NULL_BODY_STATUSES.has(status) ? null : (xhr.response as ArrayBuffer | null);
          resolve(
            new Response(payload, {
              status,
              statusText: xhr.statusText,
              headers: parseHeaders(xhr.getAllResponseHeaders()),
            }),
          );
        }),
      );
      xhr.addEventListener('error', () => settle(() => reject(new TypeError('Failed to fetch'))));
      xhr.addEventListener('timeout', () => settle(() => reject(new TypeError('Failed to fetch (timed out)'))));
      xhr.addEventListener('abort', () => settle(() => reject(abortError(signal))));
      signal.addEventListener('abort', onAbort, { once: true });

      xhr.send(body);
    });
  };
}
