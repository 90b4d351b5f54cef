import { openaiCreateChatCompletion } from '../../api/sdk.gen';
import type { ChatChoice, ChatMessageIn, ChatSampling, Usage } from '../../api/types.gen';
import { ApiError, toApiError } from '../../lib/apiError';
import { readSse } from '../../lib/sse';
import type { ChatTarget } from './targets';

export type FinishReason = ChatChoice['finish_reason'];

export interface ReplyRequest {
  target: ChatTarget;
  /** The conversation so far, system prompt first; the reply answers its last message. */
  messages: ChatMessageIn[];
  sampling: ChatSampling;
}

export interface ReplyOutcome {
  text: string;
  finishReason: FinishReason;
  /** Token counts; null for a reply stopped before the server sent them. */
  usage: Usage | null;
}

/** One `data:` event of the stream. The OpenAPI document describes the stream only as text, so
 * the chunk (OpenAI's chat.completion.chunk) is typed here, from the generated types of its
 * parts; a generation that fails after the stream started sends an OpenAI error body instead. */
interface CompletionChunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: FinishReason | null }>;
  usage?: Usage | null;
  error?: unknown;
}

const DONE = '[DONE]';

/** Asks /v1/chat/completions for a streamed reply, as any OpenAI client does, and calls
 * `onDelta` with each piece of text in order. The generated SDK function sends it (base URL,
 * bearer token, ApiError for a refusal), asked for the raw body, which lib/sse reads. Aborting
 * `signal` closes the connection, which stops the generation on the server. */
export async function streamChatReply(
  request: ReplyRequest,
  signal: AbortSignal,
  onDelta: (text: string) => void,
): Promise<ReplyOutcome> {
  const { target, messages, sampling } = request;
  const { response } = await openaiCreateChatCompletion({
    body: {
      ...sampling,
      model: target.model,
      adapter: target.adapter,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    },
    parseAs: 'stream',
    signal,
    throwOnError: true,
  });
  if (!response.body) throw new ApiError(response.status, 'empty_stream', 'The server sent no reply.');
  // Aborting ends the reading at once, also where a body is not tied to its request (a mocked
  // or proxied response); in a browser, fetch's own abort ends it too.
  const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), { signal });
  let text = '';
  let finishReason: FinishReason | null = null;
  let usage: Usage | null = null;
  for await (const message of readSse(body)) {
    if (message.data === DONE) break;
    const chunk = JSON.parse(message.data) as CompletionChunk;
    if (chunk.error) throw toApiError(chunk, 500);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta?.content;
      if (delta) {
        text += delta;
        onDelta(delta);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  if (finishReason === null) {
    throw new ApiError(0, 'stream_cut', 'The connection closed before the reply was finished.');
  }
  return { text, finishReason, usage };
}
