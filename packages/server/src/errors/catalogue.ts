// One catalogue from stable code to sentence (style.md §2). The code type is derived
// from the keys, so a code without a sentence does not compile. Capabilities add their
// own entries here; HTTP status and Graph error code travel with the sentence.
export const errorCatalogue = {
  invalid_request_body: { status: 400, graphCode: 'BadRequest', sentence: 'The request body is not valid JSON or does not match the expected shape.' },
  validation_failed: { status: 400, graphCode: 'BadRequest', sentence: 'One or more properties are invalid.' },
  not_found: { status: 404, graphCode: 'Request_ResourceNotFound', sentence: 'The requested object does not exist.' },
  conflict: { status: 409, graphCode: 'Request_MultipleObjectsWithSameKeyValue', sentence: 'An object with the same key already exists.' },
  unauthenticated: { status: 401, graphCode: 'InvalidAuthenticationToken', sentence: 'The access token is missing, expired or invalid.' },
  forbidden: { status: 403, graphCode: 'Authorization_RequestDenied', sentence: 'Insufficient privileges to complete the operation.' },
  invalid_filter: { status: 400, graphCode: 'BadRequest', sentence: 'The $filter expression is not supported or is malformed.' },
  config_invalid: { status: 500, graphCode: 'InternalServerError', sentence: 'The server configuration is invalid.' },
  internal_error: { status: 500, graphCode: 'InternalServerError', sentence: 'An internal error occurred; the request was not completed.' },
} as const satisfies Record<string, { status: number; graphCode: string; sentence: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error a user, script or client is meant to read: stable code, one sentence, optional detail. */
export class MonbanError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly { target: string; message: string }[];
  constructor(code: ErrorCode, detail?: string, details: readonly { target: string; message: string }[] = []) {
    const entry = errorCatalogue[code];
    super(detail ? `${entry.sentence} ${detail}` : entry.sentence);
    this.name = 'MonbanError';
    this.code = code;
    this.status = entry.status;
    this.details = details;
  }
}
