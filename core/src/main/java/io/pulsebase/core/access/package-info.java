/**
 * What a verified caller may do: {@link io.pulsebase.core.access.Gatekeeper} admits callers (verification by
 * {@code io.pulsebase.core.auth}, then the accounts this server serves) and holds the access rules that apply
 * until row-level policies, channel rules and account isolation exist. Every transport asks it; the rules and
 * what is checked where are in {@code docs/security.md}.
 */
package io.pulsebase.core.access;
