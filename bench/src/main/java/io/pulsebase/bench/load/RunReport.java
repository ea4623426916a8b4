package io.pulsebase.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, as one flat-ish JSON object (the {@code --json} line) and as a human summary.
 * Values are put in the order they should be read.
 */
final class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, Object> values = new LinkedHashMap<>();
    private boolean checksFailed;
    private final List<String> notes = new java.util.ArrayList<>();

    RunReport(LoadOptions o, String[] args) {
        put("scenario", o.scenario().wireName());
        put("timestamp", Instant.now().toString());
        put("args", String.join(" ", args));
    }

    RunReport put(String key, Object value) {
        values.put(key, value instanceof Double d ? round(d) : value);
        return this;
    }

    void note(String text) {
        notes.add(text);
    }

    void failCheck(String text) {
        checksFailed = true;
        notes.add("CHECK FAILED: " + text);
    }

    boolean checksFailed() {
        return checksFailed;
    }

    static Map<String, Object> latency(LatencyHistogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", h.count());
        m.put("p50_ms", ms(h.percentile(50)));
        m.put("p90_ms", ms(h.percentile(90)));
        m.put("p99_ms", ms(h.percentile(99)));
        m.put("p999_ms", ms(h.percentile(99.9)));
        m.put("max_ms", ms(h.max()));
        m.put("mean_ms", round(h.mean() / 1e6));
        return m;
    }

    static double ms(long ns) {
        return round(ns / 1e6);
    }

    static double round(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return d;
        }
        double abs = Math.abs(d);
        double scale = abs >= 1000 ? 1 : abs >= 10 ? 100 : 1000;
        return Math.round(d * scale) / scale;
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    String json() {
        Map<String, Object> all = new LinkedHashMap<>(values);
        all.put("checks_passed", !checksFailed);
        if (!notes.isEmpty()) {
            all.put("notes", notes);
        }
        try {
            return JSON.writeValueAsString(all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void printHuman(PrintStream out) {
        out.println();
        out.println("== pulsebase load: " + values.get("scenario") + " ==");
        print(out, values, "");
        for (String n : notes) {
            out.println("note: " + n);
        }
        out.println(checksFailed ? "RESULT: checks FAILED (see notes)" : "RESULT: checks passed");
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintStream out, Map<String, Object> m, String indent) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub) {
                out.println(indent + e.getKey() + ":");
                print(out, (Map<String, Object>) sub, indent + "  ");
            } else {
                out.printf("%s%-30s %s%n", indent, e.getKey(), e.getValue());
            }
        }
    }
}
