/**
 * How an executor says an attempt failed. `kind` is what retry policies name in
 * `nonRetryableErrors` (e.g. `HttpClientError`, `InvalidConfig`, `ExpressionError`, `Timeout`);
 * `retryable: false` means a retry cannot help whatever the policy says. Any other thrown error
 * counts as `{ kind: 'Error', retryable: true }`.
 */
export class StepFailure extends Error {
  readonly kind: string;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(kind: string, message: string, options: { retryable?: boolean; details?: unknown } = {}) {
    super(message);
    this.name = 'StepFailure';
    this.kind = kind;
    this.retryable = options.retryable ?? true;
    this.details = options.details;
  }
}
