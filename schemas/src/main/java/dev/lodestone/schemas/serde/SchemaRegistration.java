package dev.lodestone.schemas.serde;

/** How a serializer obtains the schema id it frames records with. */
public enum SchemaRegistration {
  /**
   * Register the compiled schema under the topic's subject on first use (a no-op when already
   * registered); fails if it breaks the subject's compatibility level.
   */
  AUTO_REGISTER,
  /**
   * Only look the compiled schema up under the subject; fails when it is not registered. For
   * deployments where schemas are registered by a release step, not by services.
   */
  USE_REGISTERED
}
