/**
 * What a verified caller may do: {@link io.pulsebase.core.access.Gatekeeper} admits callers (verification by
 * {@code io.pulsebase.core.auth}, then the accounts this server serves) and is the one place that decides access:
 * tables by their row-level policies, channels by the channel rules (both from {@code io.pulsebase.core.policy}),
 * {@code /v1/sql} and {@code /metrics} for service callers. Every transport asks it; the rules and what is checked
 * where are in {@code docs/security.md}.
 */
package io.pulsebase.core.access;
