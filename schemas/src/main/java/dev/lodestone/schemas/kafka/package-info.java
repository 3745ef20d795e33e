/** Connection settings shared by every Lodestone service that talks to a Kafka cluster. */
package dev.lodestone.schemas.kafka;
