/**
 * The lifecycle contract shared by Lodestone's services: {@link
 * dev.lodestone.schemas.lifecycle.Service}, its {@link dev.lodestone.schemas.lifecycle.ServiceState
 * states}, and {@link dev.lodestone.schemas.lifecycle.Lifecycle}, a state holder to build services
 * on.
 */
package dev.lodestone.schemas.lifecycle;
