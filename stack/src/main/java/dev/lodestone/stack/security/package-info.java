/**
 * The secured local stack ({@code lodestone up --secure}): certificates made with Bouncy Castle
 * ({@link dev.lodestone.stack.security.Certificates}), a principal per kind of component with its
 * least-privilege ACLs ({@link dev.lodestone.stack.security.Role}), and the passwords and client
 * configuration files ({@link dev.lodestone.stack.security.StackSecurity}).
 */
package dev.lodestone.stack.security;
