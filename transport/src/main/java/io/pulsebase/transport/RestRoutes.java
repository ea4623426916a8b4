package io.pulsebase.transport;

import io.netty.handler.codec.http.HttpMethod;
import io.pulsebase.core.access.Gatekeeper;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.policy.PolicyOperation;
import io.pulsebase.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The REST route table: which endpoints exist at a path, by method. A path with none is {@code 404 not_found},
 * a method without one {@code 405 method_not_allowed}. Shared by every connection of a server.
 *
 * <pre>
 * GET    /health                            ready: 200 {"status":"ok"}, else 503 {"status":"unavailable"}
 * GET    /metrics                           Prometheus text
 * POST   /v1/sql                            {"sql", "params"} → {"columns","rows","changes","position"}
 * GET    /v1/tables/{table}/rows            ?filter=&amp;order=&amp;limit= → {"rows","position"}
 * POST   /v1/tables/{table}/rows            row → 201 {"row","position"}
 * GET    /v1/tables/{table}/rows/{id}       {"row"}
 * PATCH  /v1/tables/{table}/rows/{id}       changed columns → {"row","position"}
 * DELETE /v1/tables/{table}/rows/{id}       {"row","position"}
 * POST   /v1/publish                        {"topic","event","data","persist","id"} → {"position"?,"duplicate"?}
 * GET    /v1/history                        ?topic=&amp;limit=&amp;before= → {"topic","messages","more"}
 * GET    /v1/presence                       ?topic= → {"topic","members"}
 * </pre>
 *
 * Every endpoint but {@code /health} verifies the request's credentials first ({@link Gatekeeper#admit}, on the
 * blocking executor like the endpoint itself) and then asks the gatekeeper whether the caller may use it:
 * {@code /v1/sql} and {@code /metrics} are for service callers; a row endpoint needs a policy for its table and
 * operation (asked before the request is looked at), and its rows then obey that policy ({@link TableEndpoints});
 * a channel endpoint asks the channel rules once it has read the topic ({@link ChannelEndpoints}). Refusals are
 * {@code 401 unauthorized}, {@code 403 forbidden} or {@code 503 unavailable}.
 */
final class RestRoutes {
    /** One endpoint; runs on the blocking executor. */
    @FunctionalInterface
    interface Endpoint {
        RestResponse handle(RestRequest request) throws Exception;
    }

    /** An endpoint that acts for an admitted caller (its policies and channel rules apply). */
    @FunctionalInterface
    interface CallerEndpoint {
        RestResponse handle(RestRequest request, Identity caller) throws Exception;
    }

    private final TransportServices services;
    private final Gatekeeper gatekeeper;
    private final TableEndpoints tables;
    private final ChannelEndpoints channels;

    RestRoutes(TransportServices services) {
        this.services = services;
        this.gatekeeper = services.node().gatekeeper();
        this.tables = new TableEndpoints(services.node());
        this.channels = new ChannelEndpoints(services.node());
    }

    /** The endpoints at a path, by method; empty when there is none. */
    Map<HttpMethod, Endpoint> resolve(List<String> s) {
        int n = s.size();
        if (n == 1 && s.get(0).equals("health")) {
            return Map.of(HttpMethod.GET, r -> health());
        }
        if (n == 1 && s.get(0).equals("metrics")) {
            return Map.of(HttpMethod.GET, service("/metrics", (r, caller) -> metrics()));
        }
        if (n < 2 || !s.get(0).equals("v1")) {
            return Map.of();
        }
        return switch (s.get(1)) {
            case "sql" -> n == 2 ? Map.of(HttpMethod.POST, service("/v1/sql", tables::sql)) : Map.of();
            // The channel rule needs the topic, which the endpoint reads from the request; it asks then.
            case "publish" -> n == 2 ? Map.of(HttpMethod.POST, admitted(channels::publish)) : Map.of();
            case "history" -> n == 2 ? Map.of(HttpMethod.GET, admitted(channels::history)) : Map.of();
            case "presence" -> n == 2 ? Map.of(HttpMethod.GET, admitted(channels::presence)) : Map.of();
            // The upgrade itself and SSE streams are taken before the router; what reaches it here is refused.
            case "realtime" -> n == 2 ? Map.of(HttpMethod.GET, r -> RestResponse.error(ErrorCode.BAD_REQUEST,
                    "this endpoint is a WebSocket: send GET with 'Upgrade: websocket'"))
                    : n == 3 && s.get(2).equals("sse") ? Map.of(HttpMethod.GET, r -> RestResponse.error(
                            ErrorCode.BAD_REQUEST, "malformed SSE request")) : Map.of();
            case "tables" -> tableRoutes(s);
            default -> Map.of();
        };
    }

    private Map<HttpMethod, Endpoint> tableRoutes(List<String> s) {
        if (s.size() < 4 || !s.get(3).equals("rows")) {
            return Map.of();
        }
        String table = s.get(2);
        if (s.size() == 4) {
            return Map.of(
                    HttpMethod.GET, table(table, PolicyOperation.SELECT, (r, c) -> tables.list(table, r, c)),
                    HttpMethod.POST, table(table, PolicyOperation.INSERT, (r, c) -> tables.insert(table, r, c)));
        }
        if (s.size() == 5) {
            String id = s.get(4);
            return Map.of(
                    HttpMethod.GET, table(table, PolicyOperation.SELECT, (r, c) -> tables.get(table, id, c)),
                    HttpMethod.PATCH, table(table, PolicyOperation.UPDATE, (r, c) -> tables.update(table, id, r, c)),
                    HttpMethod.DELETE, table(table, PolicyOperation.DELETE, (r, c) -> tables.delete(table, id, c)));
        }
        return Map.of();
    }

    /** Admits the request's caller, asks {@code rule} whether it may use the endpoint, then runs it for the caller. */
    private Endpoint guarded(Consumer<Identity> rule, CallerEndpoint endpoint) {
        return r -> {
            Identity caller = gatekeeper.admit(r.credentials());
            rule.accept(caller);
            return endpoint.handle(r, caller);
        };
    }

    /** An endpoint that asks the gatekeeper itself once it has read the request (the channel endpoints). */
    private Endpoint admitted(CallerEndpoint endpoint) {
        return guarded(caller -> { }, endpoint);
    }

    private Endpoint service(String what, CallerEndpoint endpoint) {
        return guarded(caller -> gatekeeper.requireService(caller, what), endpoint);
    }

    /** A row endpoint: refused before anything is looked up when no policy opens the table for the operation. */
    private Endpoint table(String table, PolicyOperation operation, CallerEndpoint endpoint) {
        return guarded(caller -> gatekeeper.requireTable(caller, operation, table), endpoint);
    }

    private RestResponse health() {
        return services.node().ready()
                ? RestResponse.json(200, Map.of("status", "ok"))
                : RestResponse.json(503, Map.of("status", "unavailable"));
    }

    private RestResponse metrics() {
        if (services.prometheus() == null) {
            return RestResponse.error(ErrorCode.NOT_FOUND, "metrics are not enabled on this server");
        }
        return RestResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", services.prometheus().scrape());
    }
}
