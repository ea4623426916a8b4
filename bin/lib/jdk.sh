# Finds a JDK 21+ for the launcher and the test command; sourced, not run.
#
# Order: $JAVA_HOME when it is 21+; the `java` on PATH when it is 21+ (and has javac beside it); then the
# newest 21+ JDK in the usual install folders. A too-old JAVA_HOME is reported and skipped. On success
# JAVA_HOME and PATH point at the chosen JDK; on failure it says what is needed and returns 1.

pulsebase_java_major() { # $1 = java binary; prints its feature version (17, 21, 25, ...) or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -1
}

pulsebase_usable_jdk() { # $1 = JDK home; true when it has java and javac of version >= 21
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local major
  major=$(pulsebase_java_major "$1/bin/java")
  [ -n "$major" ] && [ "$major" -ge 21 ]
}

pulsebase_find_jdk() {
  local candidate best="" best_major=0 major
  if [ -n "${JAVA_HOME:-}" ]; then
    if pulsebase_usable_jdk "$JAVA_HOME"; then
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
    echo "pulsebase: JAVA_HOME=$JAVA_HOME is not a JDK 21 or newer; looking for one elsewhere" >&2
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if pulsebase_usable_jdk "$candidate"; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/*jdk* /usr/local/*jdk* /usr/java/* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
                   /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    pulsebase_usable_jdk "$candidate" || continue
    major=$(pulsebase_java_major "$candidate/bin/java")
    if [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"
    export PATH="$JAVA_HOME/bin:$PATH"
    return 0
  fi
  cat >&2 <<'MSG'
pulsebase: no JDK 21 or newer was found.
  Pulsebase needs a JDK (java and javac), version 21 or newer. Install one (for example your system's
  openjdk-21-jdk package, or any JDK 21+ distribution) and either put it on PATH or set JAVA_HOME to it.
MSG
  return 1
}

pulsebase_require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "pulsebase: Apache Maven 3.8 or newer is needed to build Pulsebase (the 'mvn' command was not found)." >&2
    return 1
  fi
}

# JVM flags for running the server: the required ones (quiet the JDK 24+ warnings for the SQLite driver's
# native library and Netty's use of sun.misc.Unsafe), then the tuning defaults, or PULSEBASE_JAVA_OPTS
# instead of the tuning defaults when it is set (set it empty for the JVM's own defaults).
pulsebase_jvm_flags() {
  local major
  major=$(pulsebase_java_major "$JAVA_HOME/bin/java")
  printf '%s ' --enable-native-access=ALL-UNNAMED
  if [ "$major" -ge 24 ]; then
    printf '%s ' --sun-misc-unsafe-memory-access=allow
  fi
  if [ -n "${PULSEBASE_JAVA_OPTS+set}" ]; then
    printf '%s ' "$PULSEBASE_JAVA_OPTS"
  else
    pulsebase_default_tuning "$major"
  fi
}

# Tuning defaults for a realtime server: many mostly idle connections, a small live heap (a few KB per
# connection), latency-sensitive event loops. Measured with 10,000 idle WebSocket subscribers
# (docs/configuration.md): the JVM's own defaults on a 24 GB machine (G1, an initial heap of 1/64 of RAM)
# cost about 15 KB of RSS per connection, these about 5 KB.
#   -XX:+UseSerialGC                 G1's remembered sets, card tables and large eden cost RSS; with a live heap of
#                                    tens to a few hundred MB a young collection takes a few milliseconds
#   -Xms32m                          start small and grow with the live set (-Xmx stays the JVM's default, 25 % of RAM)
#   -XX:+UseCompactObjectHeaders     8-byte object headers (JDK 25+): about 10 % less heap per connection
#   -XX:TrimNativeHeapInterval=2000  give the C library's freed memory (JIT compiler arenas) back every 2 s (JDK 22+):
#                                    with 60 s, 10,000 fresh idle connections measured 6.0-6.7 KB each, with 2 s 3.9-4.2
#                                    (docs/benchmarks.md); no CPU cost measurable in a 20,000 messages/s fan-out
#   -Dio.netty.leakDetection.level=disabled   no stack trace per sampled socket buffer (~2 % CPU in a busy fan-out);
#                                    the test suite keeps Netty's default sampling
pulsebase_default_tuning() { # $1 = JDK feature version
  printf '%s ' -XX:+UseSerialGC -Xms32m -Dio.netty.leakDetection.level=disabled
  if [ "$1" -ge 25 ]; then
    printf '%s ' -XX:+UseCompactObjectHeaders
  fi
  if [ "$1" -ge 22 ]; then
    printf '%s ' -XX:TrimNativeHeapInterval=2000
  fi
}

# For test scripts that start the server jar themselves (browser-tests/run.sh, clients/js/run-tests.sh):
# finds the JDK, exports PULSEBASE_JAVA and PULSEBASE_JVM_FLAGS (the launcher's own), and builds
# server/target/pulsebase.jar when it is missing or older than the sources — unless PULSEBASE_JAR names one.
pulsebase_prepare_test_server() { # $1 = the repository root
  pulsebase_find_jdk
  export PULSEBASE_JAVA="$JAVA_HOME/bin/java"
  PULSEBASE_JVM_FLAGS="$(pulsebase_jvm_flags)"
  export PULSEBASE_JVM_FLAGS
  if [ -z "${PULSEBASE_JAR:-}" ]; then
    "$1/bin/pulsebase" build-if-needed
  fi
}
