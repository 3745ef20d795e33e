/** The HTTP handler of the embedded schema registry server. Private to the stack module. */
package dev.lodestone.stack.registry.internal;
