// Step 2: what the caller has already proven, from this request (interactive factors) or
// from the credential it presents (refresh token: amr and auth_time carried forward).
export interface Proof {
  /** amr values, e.g. ['pwd'] or ['pwd', 'mfa']. */
  amr: string[];
  /** Last interactive authentication, epoch seconds. */
  authTime: number | undefined;
  incomingTokenType: 'none' | 'refreshToken' | 'primaryRefreshToken';
}

export function establishProof(input: { amr?: readonly string[] | undefined; authTime?: number | undefined; fromRefreshToken: boolean }): Proof {
  return {
    amr: [...(input.amr ?? [])],
    authTime: input.authTime,
    incomingTokenType: input.fromRefreshToken ? 'refreshToken' : 'none',
  };
}
