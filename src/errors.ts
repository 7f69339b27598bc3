/** One error hierarchy for request problems: each carries a stable code and the HTTP status it maps to. */
export class HeraldError extends Error {
  constructor(
    readonly code: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class SignatureError extends HeraldError {
  constructor(message: string) {
    super("invalid_signature", 401, message);
  }
}

export class UnauthorizedError extends HeraldError {
  constructor(message: string) {
    super("unauthorized", 401, message);
  }
}

export class ForbiddenError extends HeraldError {
  constructor(message: string) {
    super("forbidden", 403, message);
  }
}

export class MalformedBodyError extends HeraldError {
  constructor(message: string) {
    super("malformed_body", 400, message);
  }
}

export class UnsupportedMediaTypeError extends HeraldError {
  constructor(message: string) {
    super("unsupported_media_type", 415, message);
  }
}

export class PayloadTooLargeError extends HeraldError {
  constructor(limitBytes: number) {
    super("payload_too_large", 413, `body is larger than ${limitBytes} bytes`);
  }
}

export class NotFoundError extends HeraldError {
  constructor(message: string) {
    super("not_found", 404, message);
  }
}

/** The request is understood but the thing it names is not in a state that allows it. */
export class ConflictError extends HeraldError {
  constructor(message: string) {
    super("conflict", 409, message);
  }
}

export class NotConfiguredError extends HeraldError {
  constructor(message: string) {
    super("not_configured", 503, message);
  }
}

/** Raised at start when herald.yaml or the environment is wrong; the message names the key and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export class BadRequestError extends HeraldError {
  constructor(message: string) {
    super("bad_request", 400, message);
  }
}
