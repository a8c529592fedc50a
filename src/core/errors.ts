import type { ErrorCode, MessageError } from './types';

const MARK = Symbol.for('chatsdk.error');

/**
 * Every failure the core reports. Carries what a UI or integrator needs to decide what to do:
 * the HTTP status, the server's own message, whether trying again may help, and when.
 */
export class ChatError extends Error {
  override name = 'ChatError';
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** From `Retry-After`, in ms. */
  readonly retryAfterMs: number | undefined;
  readonly [MARK] = true;

  constructor(
    code: ErrorCode,
    message: string,
    init: { status?: number; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Works across copies of the SDK on one page (script tag and ESM build), where instanceof does not. */
  static is(value: unknown): value is ChatError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  }

  toJSON(): MessageError {
    const out: MessageError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.status !== undefined) out.status = this.status;
    return out;
  }
}

/** Turn anything thrown into a ChatError without losing the original. */
export function toChatError(error: unknown): ChatError {
  if (ChatError.is(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ChatError('protocol', message || 'Unexpected error', { cause: error });
}
