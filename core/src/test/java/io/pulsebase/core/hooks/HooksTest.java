package io.pulsebase.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.RawJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
    private static final Identity ADA = new Identity("default", "ada", Role.USER, null, null);

    private static HookEvent subscribe(String topic) {
        return new HookEvent.Subscribe("c1", ADA, topic, null);
    }

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
            return null;
        } catch (ProtocolException e) {
            return e.code();
        }
    }

    @Test
    void theFirstRejectionStopsARejectableEventWithItsReason() {
        List<String> asked = new ArrayList<>();
        Hooks hooks = Hooks.of(List.of(
                e -> { asked.add("first"); return HookVerdict.allow(); },
                e -> { asked.add("second"); return HookVerdict.reject("not today"); },
                e -> { asked.add("third"); return HookVerdict.allow(); }));
        assertThatThrownBy(() -> hooks.run(subscribe("chat/a")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REJECTED);
                    assertThat(e.getMessage()).isEqualTo("not today");
                });
        assertThat(asked).containsExactly("first", "second");
    }

    @Test
    void eventsAfterTheFactAreNeverRejectedAndEveryHookIsTold() {
        List<String> told = new ArrayList<>();
        Hooks hooks = Hooks.of(List.of(e -> { told.add("a"); return HookVerdict.reject("no"); },
                e -> { told.add("b"); throw new IllegalStateException("boom"); },
                e -> { told.add("c"); return HookVerdict.allow(); }));
        hooks.run(new HookEvent.Disconnect("c1", ADA, 1000));
        hooks.run(new HookEvent.Unsubscribe("c1", ADA, "chat/a"));
        assertThat(told).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void aHookThatThrowsRejectsWithAGenericReasonFailClosed() {
        Hooks hooks = Hooks.of(List.of(e -> { throw new IOException("db password wrong: hunter2"); }));
        assertThatThrownBy(() -> hooks.run(new HookEvent.Message("c1", ADA, "chat/a", "m", RawJson.NULL, false)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REJECTED);
                    assertThat(e.getMessage()).doesNotContain("hunter2");
                });
    }

    @Test
    void aHookSeesOnlyTheEventsItWants() {
        Hook onlyConnect = new Hook() {
            @Override
            public boolean wants(HookEvent event) {
                return event instanceof HookEvent.Connect;
            }

            @Override
            public HookVerdict on(HookEvent event) {
                return HookVerdict.reject("no connections");
            }
        };
        Hooks hooks = Hooks.of(List.of(onlyConnect));
        hooks.run(subscribe("chat/a"));
        assertThat(codeOf(() -> hooks.run(new HookEvent.Connect("c1", ADA, "websocket", "127.0.0.1"))))
                .isEqualTo(ErrorCode.REJECTED);
        assertThat(Hooks.none().isEmpty()).isTrue();
    }

    @Test
    void javaHooksAreLoadedFromAJarsServiceFile(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("hooks.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + Hook.class.getName()));
            out.write((RejectingTestHook.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        List<Hook> loaded = Hooks.loadJars(List.of(jar));
        assertThat(loaded).hasSize(1).first().isInstanceOf(RejectingTestHook.class);
        Hooks hooks = Hooks.of(loaded);
        hooks.run(subscribe("chat/open"));
        assertThat(codeOf(() -> hooks.run(subscribe("secret/plans")))).isEqualTo(ErrorCode.REJECTED);
    }

    @Test
    void aMissingJarOrOneWithoutHooksIsRefusedByName(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Hooks.loadJars(List.of(dir.resolve("nope.jar"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such jar");
        Path empty = dir.resolve("empty.jar");
        try (OutputStream out = Files.newOutputStream(empty); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("README"));
            jar.closeEntry();
        }
        assertThatThrownBy(() -> Hooks.loadJars(List.of(empty)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no Hook implementation");
    }
}
