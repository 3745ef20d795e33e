package dev.lodestone.schemas.registry;

/**
 * A schema registry request failed. Carries the HTTP status and Confluent's {@code error_code} of
 * the failure, whether it came from a remote registry or from the in-process one (which uses the
 * same codes, so callers handle both alike).
 *
 * <p>{@link #isRetriable()} tells failures worth retrying (no response at all, or a server error)
 * from definite answers (not found, incompatible, invalid).
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** No HTTP response was received (connection refused, timeout, interrupted). */
  public static final int NO_RESPONSE = 0;

  /** Subject not found (HTTP 404). */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Version not found (HTTP 404). */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Schema not found: unknown id, or schema not registered under the subject (HTTP 404). */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** The subject has no compatibility level of its own (HTTP 404). */
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;

  /** The schema is incompatible with earlier versions of the subject (HTTP 409). */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** The schema is not valid Avro, or uses a feature this registry does not support (HTTP 422). */
  public static final int INVALID_SCHEMA = 42201;

  /** The version is not a positive integer or {@code latest} (HTTP 422). */
  public static final int INVALID_VERSION = 42202;

  /** The compatibility level is not one of the known levels (HTTP 422). */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /**
   * HTTP 422: the subject name is not one a registry can hold (empty, too long, a control char).
   */
  public static final int INVALID_SUBJECT = 42208;

  /** The registry could not read or write its storage (HTTP 500). */
  public static final int STORE_ERROR = 50001;

  private final int httpStatus;
  private final int errorCode;

  /**
   * @param httpStatus the HTTP status, or {@link #NO_RESPONSE}
   * @param errorCode Confluent's {@code error_code}, or the HTTP status when the body had none
   * @param message what went wrong, for a person to read
   * @param cause the underlying failure, or null
   */
  public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** Same as the four-argument constructor, without a cause. */
  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    this(httpStatus, errorCode, message, null);
  }

  /** The HTTP status, or {@link #NO_RESPONSE} when no response was received. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent's {@code error_code} (e.g. {@link #SUBJECT_NOT_FOUND}). */
  public int errorCode() {
    return errorCode;
  }

  /** True for HTTP 404: an unknown subject, version or schema. */
  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /** True when the request may succeed if retried: no response, or an HTTP 5xx status. */
  public boolean isRetriable() {
    return httpStatus == NO_RESPONSE || httpStatus >= 500;
  }

  static SchemaRegistryException subjectNotFound(String subject) {
    return new SchemaRegistryException(
        404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static SchemaRegistryException versionNotFound(String subject, int version) {
    return new SchemaRegistryException(
        404, VERSION_NOT_FOUND, "Version " + version + " of subject '" + subject + "' not found.");
  }

  static SchemaRegistryException schemaIdNotFound(int id) {
    return new SchemaRegistryException(
        404, SCHEMA_NOT_FOUND, "Schema " + id + " not found (no schema has this id).");
  }

  static SchemaRegistryException schemaNotUnderSubject(String subject) {
    return new SchemaRegistryException(
        404,
        SCHEMA_NOT_FOUND,
        "Schema not found: it is not registered under subject '" + subject + "'.");
  }

  static SchemaRegistryException invalidVersion(String version) {
    return new SchemaRegistryException(
        422,
        INVALID_VERSION,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string"
            + " \"latest\"");
  }

  static SchemaRegistryException invalidSchema(String message, Throwable cause) {
    return new SchemaRegistryException(422, INVALID_SCHEMA, message, cause);
  }

  static SchemaRegistryException storeError(String message, Throwable cause) {
    return new SchemaRegistryException(500, STORE_ERROR, message, cause);
  }
}
