/** Test data shared by the judge module's tests. */
package dev.lodestone.judge.testing;
