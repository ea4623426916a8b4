package io.pulsebase.core.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: a session's commands must be handled
 * in the order the client sent them, but no thread is dedicated to an idle session. A task that never blocks may
 * run on the submitting thread when nothing is queued or running ({@link #executeInline}), which saves the
 * hand-off to another thread; order is kept either way.
 */
final class SerialExecutor {
    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks submitted and not finished; a VarHandle field, not an AtomicInteger: one of these per connection. */
    private volatile int pending;
    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(SerialExecutor.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    /** Number of tasks submitted and not yet finished. */
    int pending() {
        return pending;
    }

    void execute(Runnable task) {
        tasks.add(task);
        if ((int) PENDING.getAndAdd(this, 1) == 0) {
            executor.execute(this::drain);
        }
    }

    /**
     * Runs a task that never blocks on the caller's thread when nothing is queued or running, else queues it. Tasks
     * submitted while it runs wait for it, then drain on the executor.
     */
    void executeInline(Runnable task) {
        if (!PENDING.compareAndSet(this, 0, 1)) {
            execute(task);
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
        } finally {
            if ((int) PENDING.getAndAdd(this, -1) - 1 > 0) {
                executor.execute(this::drain);
            }
        }
    }

    private void drain() {
        do {
            Runnable task = tasks.poll();
            try {
                task.run();
            } catch (RuntimeException e) {
                // Tasks handle their own failures; this only keeps the queue alive if one does not.
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
            }
        } while ((int) PENDING.getAndAdd(this, -1) - 1 > 0);
    }
}
