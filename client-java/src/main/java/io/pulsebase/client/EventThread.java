package io.pulsebase.client;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread of a client ({@code pulsebase-client-N}) on which every frame, state change, listener call and
 * timer runs.
 *
 * <p>Contract. Tasks run one at a time, in the order they were submitted (timers when due, between tasks); so
 * anything touched only from tasks needs no lock. A task that throws is logged and does not stop the thread.
 * After {@link #shutdown()} new tasks and pending timers are dropped silently: callers never see
 * {@link RejectedExecutionException}.
 */
final class EventThread {
    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    EventThread(String name) {
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} on the thread, after what was submitted before; dropped after shutdown. */
    void execute(Runnable task) {
        tryExecute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error on the Pulsebase client thread", e);
            }
        });
    }

    /** As {@link #execute} without the logging wrapper; false when the thread is shut down. */
    boolean tryExecute(Runnable task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    /** Runs {@code task} once after {@code millis}; null after shutdown. */
    ScheduledFuture<?> schedule(Runnable task, long millis) {
        try {
            return executor.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Runs {@code task} every {@code millis} (first after {@code millis}); null after shutdown. */
    ScheduledFuture<?> every(Runnable task, long millis) {
        try {
            return executor.scheduleAtFixedRate(task, millis, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Whether the caller is this thread. */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Stops the thread once the task running now (if any) returns; later tasks are dropped. */
    void shutdown() {
        executor.shutdown();
    }
}
