/**
 * The service skeleton shared by Lodestone's services: {@link dev.lodestone.service.Service}, its
 * {@link dev.lodestone.service.ServiceState states}, and {@link dev.lodestone.service.Lifecycle}, a
 * state holder to build services on, and {@link dev.lodestone.service.ServiceThread}, the skeleton
 * of a service with a thread of its own.
 */
package dev.lodestone.service;
