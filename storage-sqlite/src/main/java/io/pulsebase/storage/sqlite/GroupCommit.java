package io.pulsebase.storage.sqlite;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of Pulsebase's own write transactions: concurrent requests are committed together (group commit),
 * each keeping its own outcome.
 *
 * <p><b>Threads.</b> Callers {@link #submit} a request from any thread and block until it is answered. There is no
 * writer thread: the first caller to find no batch running becomes the <em>leader</em> and runs, on its own thread,
 * every request waiting (at most {@value #MAX_BATCH}, its own among them), while later callers queue up and park.
 * Once the batch has committed, the leader wakes the oldest waiting caller, which leads the next batch, and then
 * the callers of its own batch. So a lone writer pays no thread hand-off at all, and under load one commit serves
 * everything that arrived while the previous one ran. Batches run on the writer connection under the connections'
 * write lock, so the other users of the writer (retention, trigger installation) take turns with whole batches.
 *
 * <p>In a batch, requests run in arrival order:
 * <ul>
 * <li>a run of consecutive <em>groupable</em> requests shares one {@code BEGIN IMMEDIATE ... COMMIT}, each inside
 * its own {@code SAVEPOINT}. Each request's work is a whole transaction as far as the log is concerned (it bumps
 * the transaction marker at its start and end), so each stays its own log entry with its own position although
 * they reach the disk in one commit. A request that throws is rolled back to its savepoint and fails alone;</li>
 * <li>a request submitted <em>alone</em> (schema changes, statements that cannot run in a savepoint) gets a
 * transaction of its own, as does a group of one.</li>
 * </ul>
 *
 * <p><b>Ordering.</b> Requests commit in the order they were queued: positions increase in that order.
 *
 * <p><b>Durability.</b> A request is answered only after the {@code COMMIT} of its transaction has returned, so an
 * answered write is as durable as any commit (with WAL, it survives {@code kill -9}).
 *
 * <p><b>Failure.</b> SQLite rolls a whole transaction back on some errors (disk full, I/O errors,
 * {@code RAISE(ROLLBACK)}, {@code INSERT OR ROLLBACK}), and a {@code COMMIT} can fail (a deferred foreign key, I/O).
 * Then the requests that had not failed by themselves are run again — after a lost transaction the rest together
 * (the request that lost it fails alone), after a failed {@code COMMIT} each alone — so every request gets the
 * outcome it would have had on its own. A request's work may therefore run more than once; it must have no effect
 * outside the connection. Work that throws an {@link Error} fails its own request and nothing else.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** Requests per transaction at most: bounds the WAL a single commit writes and the wait of its first caller. */
    static final int MAX_BATCH = 256;

    private final SqliteConnections connections;
    private final ConcurrentLinkedQueue<Request<?>> queue = new ConcurrentLinkedQueue<>();
    /** Held by the caller leading a batch. */
    private final ReentrantLock leader = new ReentrantLock();
    private volatile boolean closed;

    GroupCommit(SqliteConnections connections) {
        this.connections = connections;
    }

    /**
     * Runs {@code work} in a write transaction and answers its value once that transaction has committed. The work
     * must not commit, roll back or change connection settings; it may run on another caller's thread. Its
     * exception is thrown here.
     *
     * @param alone true for work that must not share its transaction (schema changes, statements a savepoint
     *     cannot hold)
     * @throws ProtocolException {@code unavailable} when the database is closed
     */
    <T> T submit(SqlWork<T> work, boolean alone) throws SQLException {
        Request<T> request = new Request<>(work, alone, Thread.currentThread());
        queue.add(request);
        // close() runs what was queued before it; a request that raced past that is taken back here (remove fails
        // only when a batch already has it, and then it will be answered).
        if (closed && queue.remove(request)) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the database is closed");
        }
        boolean interrupted = false;
        // Not interruptible on purpose: once queued, the work may commit, and the caller must not be told otherwise.
        while (!request.done) {
            if (leader.tryLock()) {
                // An interrupt must not fail the batch (the write lock's wait is interruptible): keep it for later.
                interrupted |= Thread.interrupted();
                List<Request<?>> batch;
                try {
                    batch = runBatch();
                } finally {
                    leader.unlock();
                }
                // The next leader is woken before this batch's callers: woken first, it runs first, so the writer
                // does not sit idle while they build their responses. Every request of the batch has committed
                // or failed by now; answering after the unlock changes nothing for them.
                handOver();
                for (Request<?> done : batch) {
                    done.answer();
                }
                if (batch.isEmpty() && !request.done) {
                    // Woken early, this caller led an empty queue: its request is in a batch whose leader is
                    // answering it right now. Wait for that answer rather than spin on the lock.
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return request.result();
    }

    /**
     * Wakes the oldest waiting caller to lead the next batch. A caller that queued while this leader held the lock
     * found it taken and parked; it is in the queue now, so it (or one before it, which will lead it) is woken.
     */
    private void handOver() {
        Request<?> next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.waiter);
        }
    }

    /**
     * Takes up to {@value #MAX_BATCH} queued requests and runs them; leader only. Answers the batch, every request
     * settled (its outcome final) but not yet answered.
     */
    private List<Request<?>> runBatch() {
        List<Request<?>> batch = new ArrayList<>();
        Request<?> request;
        while (batch.size() < MAX_BATCH && (request = queue.poll()) != null) {
            batch.add(request);
        }
        try {
            runAll(batch);
        } catch (Throwable e) {
            // A bug here must not leave callers parked for ever.
            log.error("a write batch failed unexpectedly", e);
            for (Request<?> r : batch) {
                if (!r.settled) {
                    r.failed(e);
                    r.settle();
                }
            }
        }
        return batch;
    }

    /** Runs a batch in order: runs of groupable requests together, the others alone. */
    private void runAll(List<Request<?>> batch) {
        int start = 0;
        while (start < batch.size()) {
            int end = start + 1;
            if (!batch.get(start).alone) {
                while (end < batch.size() && !batch.get(end).alone) {
                    end++;
                }
            }
            runTogether(new ArrayList<>(batch.subList(start, end)));
            start = end;
        }
    }

    private void runTogether(List<Request<?>> group) {
        List<Request<?>> pending = group;
        while (!pending.isEmpty()) {
            if (pending.size() == 1) {
                runAlone(pending.getFirst());
                return;
            }
            pending = oneTransaction(pending);
        }
    }

    /** One request in its own transaction: no savepoint needed, a failure rolls back just this request. */
    private void runAlone(Request<?> request) {
        try {
            request.succeeded(connections.write(request.work));
        } catch (Throwable e) {
            request.failed(e);
        }
        request.settle();
    }

    /**
     * Runs the group in one transaction, each request in its own savepoint, and settles what it can. Answers the
     * requests to run again: the rest of the group when SQLite lost the whole transaction; none otherwise.
     */
    private List<Request<?>> oneTransaction(List<Request<?>> group) {
        Outcome outcome;
        try {
            outcome = connections.withWriter(c -> runInTransaction(c, group));
        } catch (Throwable e) {
            // BEGIN IMMEDIATE failed (another program held the lock past the busy timeout), or the database closed.
            for (Request<?> request : group) {
                request.failed(e);
                request.settle();
            }
            return List.of();
        }
        if (outcome.commitFailed()) {
            // Nothing committed. A deferred constraint or an I/O error: only a transaction per request tells whose.
            for (Request<?> request : group) {
                request.reset();
                runAlone(request);
            }
            return List.of();
        }
        for (Request<?> request : outcome.settled()) {
            request.settle();
        }
        return outcome.again();
    }

    /** What one shared transaction came to. */
    private record Outcome(List<Request<?>> settled, List<Request<?>> again, boolean commitFailed) {
    }

    private Outcome runInTransaction(Connection c, List<Request<?>> group) throws SQLException {
        connections.run(c, "BEGIN IMMEDIATE");
        List<Request<?>> ran = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            Request<?> request = group.get(i);
            try {
                connections.run(c, "SAVEPOINT pb_request");
                request.succeeded(request.work.run(c));
                connections.run(c, "RELEASE pb_request");
            } catch (Throwable e) {
                request.failed(e);
                if (!rollbackToSavepoint(c)) {
                    // SQLite rolled the whole transaction back: the requests that had succeeded lost their writes.
                    List<Request<?>> again = new ArrayList<>();
                    List<Request<?>> failed = new ArrayList<>();
                    for (Request<?> earlier : ran) {
                        if (earlier.failure == null) {
                            earlier.reset();
                            again.add(earlier);
                        } else {
                            failed.add(earlier);
                        }
                    }
                    failed.add(request);
                    again.addAll(group.subList(i + 1, group.size()));
                    return new Outcome(failed, again, false);
                }
            }
            ran.add(request);
        }
        try {
            connections.run(c, "COMMIT");
        } catch (SQLException e) {
            log.debug("a group commit failed; running its {} requests one by one", group.size(), e);
            connections.rollbackQuietly(c);
            return new Outcome(List.of(), List.of(), true);
        }
        return new Outcome(ran, List.of(), false);
    }

    /** Undoes the current request; false when there is no transaction left to return to. */
    private boolean rollbackToSavepoint(Connection c) {
        try {
            connections.run(c, "ROLLBACK TO pb_request");
            connections.run(c, "RELEASE pb_request");
            return true;
        } catch (SQLException e) {
            log.trace("rollback to savepoint", e);
            return false;
        }
    }

    /**
     * Stops taking requests: runs every request queued before (they still commit) and refuses later ones with
     * {@code unavailable}. Waits for a batch in progress. Idempotent. Call before closing the connections.
     */
    void close() {
        closed = true;
        leader.lock();
        try {
            while (!queue.isEmpty()) {
                for (Request<?> done : runBatch()) {
                    done.answer();
                }
            }
        } finally {
            leader.unlock();
        }
    }

    /** One caller's work, its staged outcome (final once its transaction committed) and the caller to wake. */
    private static final class Request<T> {
        final SqlWork<T> work;
        final boolean alone;
        final Thread waiter;
        private T value;
        private Throwable failure;
        /** The outcome is final (leader only). */
        boolean settled;
        /** The outcome is published to the caller; written after value and failure, so it publishes them. */
        volatile boolean done;

        Request(SqlWork<T> work, boolean alone, Thread waiter) {
            this.work = work;
            this.alone = alone;
            this.waiter = waiter;
        }

        @SuppressWarnings("unchecked")
        void succeeded(Object result) {
            value = (T) result;
            failure = null;
        }

        void failed(Throwable e) {
            value = null;
            failure = e;
        }

        void reset() {
            value = null;
            failure = null;
        }

        void settle() {
            settled = true;
        }

        /** Publishes the outcome and wakes the caller (unless it is the leader itself, which is awake). */
        void answer() {
            done = true;
            if (waiter != Thread.currentThread()) {
                LockSupport.unpark(waiter);
            }
        }

        T result() throws SQLException {
            Throwable e = failure;
            if (e == null) {
                return value;
            }
            if (e instanceof SQLException sql) {
                throw sql;
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e);
        }
    }
}
