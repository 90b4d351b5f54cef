/** Every failure the UI shows comes through here: the API's one error shape
 * `{"error": {"code", "message", "details"}}`, a network failure, or an unexpected body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

interface ErrorBodyLike {
  code: string;
  message: string;
  details?: unknown;
}

function isErrorBody(value: unknown): value is ErrorBodyLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/** The `error` member of an error response, when the value has that shape. */
export function errorBodyOf(value: unknown): ErrorBodyLike | null {
  if (typeof value !== 'object' || value === null) return null;
  const inner = (value as Record<string, unknown>).error;
  return isErrorBody(inner) ? inner : null;
}

/** The OpenAI-compatible routes (/v1) answer `{"error": {"message", "type", "param", "code"}}`,
 * as OpenAI clients expect; read as Lathe's shape, `param` (the field at fault) becomes
 * `details: [{field}]` and a missing code falls back to the type. */
function openAiErrorBodyOf(value: unknown): ErrorBodyLike | null {
  if (typeof value !== 'object' || value === null) return null;
  const inner = (value as Record<string, unknown>).error;
  if (typeof inner !== 'object' || inner === null) return null;
  const { message, type, param, code } = inner as Record<string, unknown>;
  if (typeof message !== 'string' || typeof type !== 'string') return null;
  return {
    code: typeof code === 'string' ? code : type,
    message,
    details: typeof param === 'string' ? [{ field: param }] : null,
  };
}

/** Builds an ApiError from an error body (already parsed) and the HTTP status (0: no response). */
export function toApiError(body: unknown, status: number): ApiError {
  if (body instanceof ApiError) return body;
  const parsed = openAiErrorBodyOf(body) ?? errorBodyOf(body) ?? (isErrorBody(body) ? body : null);
  if (parsed) return new ApiError(status, parsed.code, parsed.message, parsed.details ?? null);
  if (status === 0) {
    const reason = body instanceof Error ? body.message : String(body);
    return new ApiError(0, 'network_error', `Could not reach the Lathe server (${reason}).`);
  }
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : '';
  return new ApiError(
    status,
    'http_error',
    text ? `The server answered ${status}: ${text}` : `The server answered with status ${status}.`,
  );
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.code === 'unauthorized');
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'Something went wrong.';
}

/** The request field an API error names, from `details` (`{field}` or `[{field}, ...]`). */
export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const { details } = error;
  const first: unknown = Array.isArray(details) ? details[0] : details;
  if (typeof first === 'object' && first !== null) {
    const field = (first as Record<string, unknown>).field;
    if (typeof field === 'string') return field;
  }
  return null;
}
