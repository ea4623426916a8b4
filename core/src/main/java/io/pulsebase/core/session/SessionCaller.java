package io.pulsebase.core.session;

import io.pulsebase.core.account.AccountSpace;
import io.pulsebase.core.auth.Authenticator;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verified caller one {@link Session} acts for, and the timer that closes the session when the caller's
 * identity expires (a token's {@code exp} plus the clock skew): {@link CloseCode#TOKEN_EXPIRED} at that instant,
 * unless {@link #actAs} replaced the identity first (an {@code auth} refresh). The timer only hands the check to
 * the session's executor, so a refresh and an expiry never race.
 *
 * <p>Everything but {@link #identity()} runs on the session's serial executor (or before its first task).
 */
final class SessionCaller {
    private static final Logger log = LoggerFactory.getLogger(SessionCaller.class);

    private final Session session;
    private final SessionServices services;
    /** Null until the credentials were verified, and when they were refused. */
    private volatile Identity identity;
    /** Set when a connect hook rejected the connection: everything after it is refused with this. */
    private volatile ProtocolException rejection;
    private ScheduledFuture<?> expiry;
    /** The account's connection slot this session holds (released once, when it closes). */
    private Identity slotOf;

    SessionCaller(Session session, SessionServices services) {
        this.session = session;
        this.services = services;
    }

    /** The caller, or {@code null} before its credentials were verified or when they were refused. Any thread. */
    Identity identity() {
        return identity;
    }

    /**
     * Verifies the connection's credentials; a refusal sends an {@code error} frame with the named error and
     * closes with {@link Authenticator#closeCodeFor} and a reason naming the error (what a browser can see).
     */
    void admit(Credentials credentials) {
        try {
            Identity caller = services.gatekeeper().admit(credentials);
            AccountSpace space = services.spaces().space(caller.account()); // opened on the account's first use
            takeSlot(caller);
            session.enter(space);
            actAs(caller);
            connected(true);
        } catch (ProtocolException e) {
            log.info("session {}: credentials refused: {} ({})", session.id(), e.code().wireName(), e.getMessage());
            session.sendError(null, e.code(), e.getMessage());
            session.outbound().close(Authenticator.closeCodeFor(e), "credentials refused",
                    e.code().wireName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("session {}: unexpected failure verifying credentials", session.id(), e);
            session.outbound().close(CloseCode.INTERNAL_ERROR, "credentials could not be verified");
        }
    }

    /**
     * The caller is known: the connect hooks may still reject the connection. A rejection refuses every later
     * command with it ({@link #rejection()}); with {@code closeOnRejection} (a WebSocket) the client also gets an
     * {@code error} frame {@code rejected} and the connection is closed with {@link CloseCode#UNAUTHORIZED}, whose
     * reason carries the hook's; an SSE stream instead answers its subscriptions with the error before it starts.
     */
    void connected(boolean closeOnRejection) {
        Hooks hooks = services.config().hooks();
        Identity caller = identity;
        if (hooks.isEmpty() || caller == null) {
            return;
        }
        try {
            hooks.run(new HookEvent.Connect(Long.toString(session.id()), caller, session.outbound().transport(),
                    String.valueOf(session.outbound().remoteAddress())));
        } catch (ProtocolException e) {
            rejection = e;
            release();
            log.info("session {}: rejected by a connect hook: {}", session.id(), e.getMessage());
            if (closeOnRejection) {
                session.sendError(null, e.code(), e.getMessage());
                session.outbound().close(CloseCode.UNAUTHORIZED, "rejected by a connect hook",
                        e.code().wireName() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Takes a connection slot of the caller's account (per-account connection limit).
     *
     * @throws ProtocolException {@code too_many_connections}
     */
    void takeSlot(Identity caller) {
        services.gatekeeper().connected(caller);
        slotOf = caller;
    }

    /** The session was opened with a slot its opener took ({@link Session#admitted}). */
    void slotTaken(Identity caller) {
        slotOf = caller;
    }

    /** Gives the account's connection slot back, if this session took one. Idempotent. */
    void releaseSlot() {
        if (slotOf != null) {
            services.gatekeeper().disconnected(slotOf);
            slotOf = null;
        }
    }

    /** The connect hook's rejection, or {@code null}. Any thread. */
    ProtocolException rejection() {
        return rejection;
    }

    /** From now on the session acts for {@code caller}; the expiry timer is (re)armed for it. */
    void actAs(Identity caller) {
        identity = caller;
        release();
        if (caller.expiresAt() != null && !session.isClosed()) {
            long delay = Math.max(0, Duration.between(Instant.now(), caller.expiresAt()).toMillis()) + 1;
            expiry = services.timers().schedule(() -> session.execute(this::expireIfDue), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether the identity has expired (the timer may fire a little late); closes the connection if so. */
    boolean expiredNow() {
        Identity caller = identity;
        if (caller == null || caller.expiresAt() == null || !caller.isExpiredAt(Instant.now())) {
            return false;
        }
        expire();
        return true;
    }

    /** Cancels the expiry timer (the session is closing, or a new identity replaces the old one). */
    void release() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** The timer fired: close unless refreshed meanwhile; re-arm should it have fired early. */
    private void expireIfDue() {
        Identity caller = identity;
        if (session.isClosed() || caller == null) {
            return;
        }
        if (caller.isExpiredAt(Instant.now())) {
            expire();
        } else {
            actAs(caller);
        }
    }

    private void expire() {
        services.metrics().tokenExpired();
        session.outbound().close(CloseCode.TOKEN_EXPIRED, "token expired",
                ErrorCode.UNAUTHORIZED.wireName() + ": token expired");
    }
}
