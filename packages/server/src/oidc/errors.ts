// AADSTS codes for protocol errors (entra-reference.md §1.2, §5) and the reference's error
// body: error_codes, trace_id, correlation_id, timestamp, error_uri.
export interface ProtocolErrorInfo { error: string; detail: string | undefined; aadsts: number | undefined }

export function aadstsFor(info: ProtocolErrorInfo): { code: number; text: string } {
  if (info.aadsts !== undefined) return { code: info.aadsts, text: info.detail ?? info.error };
  const d = (info.detail ?? '').toLowerCase();
  switch (info.error) {
    case 'invalid_client':
      if (d.includes('not found')) return { code: 700016, text: 'Application not found in the directory.' };
      if (d.includes('expired')) return { code: 7000222, text: 'The provided client secret keys are expired.' };
      // jose's verification failures of a client assertion: no key matched, or none verified.
      if (d.includes('assertion') || d.includes('jwt') || d.includes('signature') || d.includes('key set') || d.includes('alg mismatch')) return { code: 700027, text: 'Client assertion failed signature validation.' };
      return { code: 7000215, text: 'Invalid client secret provided.' };
    case 'invalid_grant':
      if (d.includes('already used')) return { code: 70000, text: 'The provided grant has already been used; every token issued from it has been revoked.' };
      if (d.includes('pkce') || d.includes('code_verifier')) return { code: 501481, text: 'The code verifier does not match the code challenge supplied in the authorization request.' };
      if (d.includes('expired')) return { code: 70008, text: 'The provided authorization code or refresh token has expired.' };
      if (d.includes('not found')) return { code: 70000, text: 'The provided grant is invalid or malformed.' };
      return { code: 70000, text: `The provided grant is invalid: ${info.detail ?? 'rejected'}.` };
    case 'invalid_scope': return { code: 70011, text: `The provided request must include a valid 'scope' input parameter: ${info.detail ?? 'invalid scope'}.` };
    case 'invalid_target': return { code: 500011, text: `The resource principal was not found in the tenant: ${info.detail ?? ''}`.trim() };
    case 'unsupported_grant_type': return { code: 70003, text: 'The application requested an unsupported grant type.' };
    case 'unauthorized_client': return { code: 700016, text: info.detail ?? 'The client is not authorized to use this grant type.' };
    case 'invalid_request': return { code: 900144, text: `The request is not valid: ${info.detail ?? 'malformed request'}.` };
    case 'server_error': return { code: 90033, text: 'A transient error occurred; try again.' };
    default: return { code: 90000, text: info.detail ?? info.error };
  }
}

export interface ConditionalAccessChallenge { interrupt: boolean; failedPolicyIds: string[] }

export function referenceErrorBody(body: Record<string, unknown>, info: ProtocolErrorInfo, correlationId: string, now: Date, challenge?: ConditionalAccessChallenge): Record<string, unknown> {
  const { code, text } = aadstsFor(info);
  const timestamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    ...body,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${correlationId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: correlationId,
    correlation_id: correlationId,
    error_uri: `/error?code=${code}`,
    // Conditional access: `basic_action` = the user can satisfy it interactively, `message_only` = blocked.
    ...(challenge && challenge.failedPolicyIds.length > 0 ? {
      suberror: challenge.interrupt ? 'basic_action' : 'message_only',
      claims: JSON.stringify({ access_token: { capolids: { essential: true, values: challenge.failedPolicyIds } } }),
    } : {}),
  };
}
