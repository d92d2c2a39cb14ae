/**
 * A store call that could not be answered in time: the backend is down, unreachable, slow past its command
 * timeout, or the connection was lost. Whoever called decides what that means (the bundled rate limiter's
 * `fail_mode`); the store itself never waits longer than its bound.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
