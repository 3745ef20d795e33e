package dev.lodestone.judge.llm;

import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.Objects;

/** One failed chat-completions call, with the kind of failure it was. */
public final class LlmCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Kinds of failure; {@link #id()} names them in metrics and dead letters. */
  public enum Kind {
    /** No answer within the call's timeout (or HTTP 408). */
    TIMEOUT(true),
    /** HTTP 429. */
    RATE_LIMITED(true),
    /** HTTP 5xx (or 409). */
    SERVER_ERROR(true),
    /** Any other HTTP 4xx: the request or the credentials are wrong; retrying will not help. */
    CLIENT_ERROR(false),
    /** A body that is not a chat completion, or an answer that is neither A nor B. */
    MALFORMED(true),
    /** The connection failed. */
    IO(true),
    /** The circuit breaker is open: the call was not made. */
    CIRCUIT_OPEN(true);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether another attempt may succeed. */
    public boolean retryable() {
      return retryable;
    }

    /** The kind's name in metrics: lower case, dashes. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Kind kind;

  public LlmCallException(Kind kind, String message, Throwable cause) {
    super(kind.id() + ": " + message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What kind of failure this was. */
  public Kind kind() {
    return kind;
  }

  /** Classifies an exception thrown by the client or the resilience decorators. */
  public static LlmCallException classify(Throwable e) {
    if (e instanceof LlmCallException l) {
      return l;
    }
    if (e instanceof CallNotPermittedException) {
      return new LlmCallException(Kind.CIRCUIT_OPEN, e.getMessage(), e);
    }
    if (e instanceof RateLimitException) {
      return new LlmCallException(Kind.RATE_LIMITED, "HTTP 429: " + e.getMessage(), e);
    }
    if (e instanceof InternalServerException s) {
      return new LlmCallException(
          Kind.SERVER_ERROR, "HTTP " + s.statusCode() + ": " + e.getMessage(), e);
    }
    if (e instanceof OpenAIServiceException s) {
      int status = s.statusCode();
      Kind kind =
          status == 408
              ? Kind.TIMEOUT
              : status == 409 || status >= 500 ? Kind.SERVER_ERROR : Kind.CLIENT_ERROR;
      return new LlmCallException(kind, "HTTP " + status + ": " + e.getMessage(), e);
    }
    if (e instanceof OpenAIIoException) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof InterruptedIOException) {
          return new LlmCallException(Kind.TIMEOUT, String.valueOf(c.getMessage()), e);
        }
      }
      return new LlmCallException(Kind.IO, String.valueOf(e.getMessage()), e);
    }
    if (e instanceof OpenAIInvalidDataException) {
      return new LlmCallException(Kind.MALFORMED, String.valueOf(e.getMessage()), e);
    }
    return new LlmCallException(Kind.MALFORMED, e.toString(), e);
  }
}
