package io.pulsebase.client;

import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ServerMessage;
import io.pulsebase.protocol.client.ClientCodec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A live subscription to one table: its change events, and a local copy of the matching rows ({@link #rows()})
 * kept equal to the query re-run at the subscription's position. Each committed transaction (all its parts) is
 * applied to the copy at once, then the listeners run: per change {@link #on(Operation, ChangeListener) the
 * operation's} and {@link #onChange(ChangeListener) the catch-all} ones, then the {@link #onTransaction transaction}
 * ones.
 *
 * <p>After a dropped connection the subscription resumes from its position (the last complete transaction's, or
 * the subscribe reply's), so listeners see every change exactly once and in order. If the server no longer has
 * that position, the {@link #onResync resync listeners} are told and the subscription takes a fresh snapshot.
 *
 * <p>Listener methods may be called at any time from any thread; listeners run on the client's event thread.
 */
public final class TableSubscription {
    private final PulsebaseClient client;
    private final String topic;
    private final Set<Operation> events;
    private final String filter;
    private final boolean snapshot;
    private final TableState state;

    private final EnumMap<Operation, CopyOnWriteArrayList<ChangeListener>> byOperation = new EnumMap<>(Operation.class);
    private final CopyOnWriteArrayList<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<TransactionListener> transactionListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<SnapshotListener> snapshotListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ResyncListener> resyncListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<TableSubscription> ready = new CompletableFuture<>();

    private volatile long positionView;
    private volatile boolean active = true;
    // event thread only
    private boolean forceSnapshot;
    private String currentRef;

    private TableSubscription(Builder b) {
        this.client = b.client;
        this.topic = b.topic;
        this.events = b.events.isEmpty() ? Set.of() : EnumSet.copyOf(b.events);
        this.filter = b.filter;
        this.snapshot = b.snapshot;
        this.state = new TableState(b.topic, b.primaryKey, b.since);
        this.positionView = b.since;
        for (Operation op : Operation.values()) {
            byOperation.put(op, new CopyOnWriteArrayList<>());
        }
        b.byOperation.forEach((op, ls) -> byOperation.get(op).addAll(ls));
        changeListeners.addAll(b.changeListeners);
        transactionListeners.addAll(b.transactionListeners);
        snapshotListeners.addAll(b.snapshotListeners);
        resyncListeners.addAll(b.resyncListeners);
    }

    /** The table's name. */
    public String topic() {
        return topic;
    }

    /**
     * An immutable copy of the local rows, keyed by the primary-key column's value (numbers as {@code Long}),
     * consistent at a transaction boundary. Without {@code snapshot(true)} it holds only rows seen in changes.
     */
    public Map<Object, Map<String, Object>> rows() {
        return state.rows();
    }

    /** One local row by primary key (an {@code Integer} key finds a {@code Long} one), or null. */
    public Map<String, Object> row(Object key) {
        return state.row(key);
    }

    /** The number of local rows. */
    public int size() {
        return state.size();
    }

    /** The position the subscription would resume from, or -1 before it has one. */
    public long position() {
        return positionView;
    }

    /** Completes when the server first accepted the subscription (after its snapshot); fails if it refused it. */
    public CompletableFuture<TableSubscription> ready() {
        return ready.copy();
    }

    /** False once unsubscribed, refused by the server, or the client closed. */
    public boolean isActive() {
        return active;
    }

    /** Adds a listener for one operation (as seen by this subscription: entering the filter is an INSERT). */
    public TableSubscription on(Operation operation, ChangeListener listener) {
        byOperation.get(Objects.requireNonNull(operation)).add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds a listener for every change. */
    public TableSubscription onChange(ChangeListener listener) {
        changeListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds a listener for whole transactions. */
    public TableSubscription onTransaction(TransactionListener listener) {
        transactionListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds a listener for complete snapshots (the first, and each re-snapshot). */
    public TableSubscription onSnapshot(SnapshotListener listener) {
        snapshotListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Adds a listener told when the position expired and the subscription re-snapshots. */
    public TableSubscription onResync(ResyncListener listener) {
        resyncListeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /** Stops the subscription (the local copy stays as it was). The future completes once the server confirmed. */
    public CompletableFuture<Void> unsubscribe() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        client.execute(() -> {
            if (!active) {
                f.complete(null);
                return;
            }
            active = false;
            client.unregisterTable(this);
            ready.completeExceptionally(new PulsebaseException(null, "unsubscribed"));
            String ref = client.sendRequest(new PendingRequest(r -> new ClientMessage.Unsubscribe(r, topic),
                    reply -> f.complete(null), false, e -> f.complete(null), e -> f.complete(null)));
            if (ref == null) {
                f.complete(null);
            }
        });
        return f;
    }

    // ============================================================================================ event thread

    void start() {
        if (client.isClosed()) {
            clientClosed(new PulsebaseException.ClosedException("client closed"));
        } else if (client.isOpen()) {
            if (currentRef == null) { // not already sent by the restore of a connection that just opened
                restore();
            }
        } else {
            client.ensureConnecting();
        }
    }

    /** Sends the subscribe: from the position when there is one, else with a snapshot if asked for. */
    void restore() {
        if (!active) {
            return;
        }
        long pos = state.position();
        boolean snap = forceSnapshot || (snapshot && pos == TableState.NONE);
        String since = snap || pos == TableState.NONE ? null : Positions.format(pos);
        currentRef = client.sendRequest(PendingRequest.replyOnly(
                ref -> new ClientMessage.Subscribe(ref, topic, events, filter, snap, since), this::onReply));
    }

    private void onReply(ServerMessage.Reply reply) {
        if (!active || !Objects.equals(reply.ref(), currentRef)) {
            return;
        }
        if (reply.ok()) {
            if (reply.result().containsKey("position")) {
                state.onSubscribed(ClientCodec.position(reply.result(), "position"));
            }
            positionView = state.position();
            ready.complete(this);
        } else if (reply.error().code() == ErrorCode.POSITION_EXPIRED) {
            long lost = state.position();
            state.expire();
            positionView = TableState.NONE;
            forceSnapshot = true;
            for (ResyncListener l : resyncListeners) {
                client.dispatch(() -> l.onResync(topic, lost));
            }
            restore();
        } else {
            active = false;
            client.unregisterTable(this);
            PulsebaseException e = new PulsebaseException(reply.error().code(),
                    reply.error().message() + " (subscribe to '" + topic + "')");
            if (!ready.completeExceptionally(e)) {
                client.reportError(e);
            }
        }
    }

    void onSnapshot(ServerMessage.Snapshot part) {
        if (!active) {
            return;
        }
        Map<Object, Map<String, Object>> rows = state.onSnapshot(part);
        if (rows == null) {
            return;
        }
        forceSnapshot = false;
        positionView = state.position();
        long position = state.position();
        for (SnapshotListener l : snapshotListeners) {
            client.dispatch(() -> l.onSnapshot(rows, position));
        }
    }

    void onChange(ServerMessage.DbChange part) {
        if (!active) {
            return;
        }
        Transaction txn = state.onChange(part);
        if (txn == null) {
            return;
        }
        positionView = state.position();
        for (ChangeEvent change : txn.changes()) {
            for (ChangeListener l : byOperation.get(change.operation())) {
                client.dispatch(() -> l.onChange(change));
            }
            for (ChangeListener l : changeListeners) {
                client.dispatch(() -> l.onChange(change));
            }
        }
        for (TransactionListener l : transactionListeners) {
            client.dispatch(() -> l.onTransaction(txn));
        }
    }

    void connectionLost() {
        state.resetParts();
        currentRef = null;
    }

    void clientClosed(PulsebaseException reason) {
        active = false;
        ready.completeExceptionally(reason);
    }

    // ============================================================================================ builder

    /** Describes a table subscription; {@link #subscribe()} starts it. */
    public static final class Builder {
        private final PulsebaseClient client;
        private final String topic;
        private final Set<Operation> events = EnumSet.noneOf(Operation.class);
        private String filter;
        private boolean snapshot;
        private String primaryKey = "id";
        private long since = TableState.NONE;
        private final EnumMap<Operation, List<ChangeListener>> byOperation = new EnumMap<>(Operation.class);
        private final List<ChangeListener> changeListeners = new ArrayList<>();
        private final List<TransactionListener> transactionListeners = new ArrayList<>();
        private final List<SnapshotListener> snapshotListeners = new ArrayList<>();
        private final List<ResyncListener> resyncListeners = new ArrayList<>();

        Builder(PulsebaseClient client, String topic) {
            this.client = client;
            this.topic = topic;
        }

        /** Operations to receive (as seen by this subscription); none given means all. */
        public Builder events(Operation... operations) {
            events.addAll(List.of(operations));
            return this;
        }

        /** A SQL-style filter over the row's columns ({@code status = 'open' AND room_id = 7}). */
        public Builder filter(String sqlFilter) {
            this.filter = sqlFilter;
            return this;
        }

        /** First load every matching row into {@link TableSubscription#rows()} (default false). */
        public Builder snapshot(boolean on) {
            this.snapshot = on;
            return this;
        }

        /** The column that keys {@link TableSubscription#rows()} (default {@code id}). */
        public Builder primaryKey(String column) {
            this.primaryKey = Objects.requireNonNull(column);
            return this;
        }

        /**
         * Starts from this position (one you saved from {@link TableSubscription#position()}), replaying every
         * change after it, instead of a snapshot or "from now".
         */
        public Builder since(long position) {
            if (position < 0) {
                throw new IllegalArgumentException("position must be >= 0");
            }
            this.since = position;
            return this;
        }

        public Builder on(Operation operation, ChangeListener listener) {
            byOperation.computeIfAbsent(Objects.requireNonNull(operation), o -> new ArrayList<>())
                    .add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder onChange(ChangeListener listener) {
            changeListeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder onTransaction(TransactionListener listener) {
            transactionListeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder onSnapshot(SnapshotListener listener) {
            snapshotListeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder onResync(ResyncListener listener) {
            resyncListeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /**
         * Starts the subscription (connecting the client if needed) and answers its handle at once; wait for
         * {@link TableSubscription#ready()} to know the server accepted it.
         *
         * @throws IllegalStateException when this client already has an active subscription to the table (the
         *                               protocol holds one subscription per topic and connection)
         */
        public TableSubscription subscribe() {
            TableSubscription sub = new TableSubscription(this);
            if (!client.registerTable(sub)) {
                throw new IllegalStateException("this client is already subscribed to table '" + topic
                        + "': unsubscribe first, or add listeners to the existing subscription");
            }
            client.execute(sub::start);
            return sub;
        }
    }
}
