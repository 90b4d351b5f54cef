import { describe, expect, it } from 'vitest';
import { errorField, toApiError } from './apiError';

describe('toApiError', () => {
  it("reads Lathe's error shape with the field its details name", () => {
    const error = toApiError(
      { error: { code: 'invalid_input', message: 'temperature: too high', details: [{ field: 'temperature' }] } },
      422,
    );
    expect(error).toMatchObject({ status: 422, code: 'invalid_input', message: 'temperature: too high' });
    expect(errorField(error)).toBe('temperature');
  });

  it("reads the OpenAI shape of /v1 errors, its param as the field", () => {
    const error = toApiError(
      { error: { message: 'model nope not found', type: 'invalid_request_error', param: 'model', code: 'not_found' } },
      404,
    );
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'model nope not found' });
    expect(errorField(error)).toBe('model');
  });

  it('falls back to the OpenAI error type when the code is null', () => {
    const error = toApiError({ error: { message: 'bad token', type: 'authentication_error', param: null, code: null } }, 401);
    expect(error).toMatchObject({ code: 'authentication_error', message: 'bad token' });
    expect(errorField(error)).toBeNull();
  });
});
