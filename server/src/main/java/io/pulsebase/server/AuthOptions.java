package io.pulsebase.server;

import io.pulsebase.core.auth.AccountIds;
import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.auth.Role;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The security options of {@code pulsebase start} (see docs/configuration.md and docs/security.md), turned into an
 * {@link AuthConfig}. Nothing configured: security disabled, as before security existed. Any secret, key or JWKS
 * URL turns it on, and then requests without credentials are refused unless {@code --auth-no-credentials anon}.
 *
 * <p>Secret values (HS256 secrets, API keys) are never options: the command line is visible to every user of the
 * machine ({@code ps}). They come from files named by options, or from environment variables. Errors name the
 * option, variable or file (and line), never the value.
 */
final class AuthOptions {
    static final String HS256_SECRET_ENV = "PULSEBASE_AUTH_HS256_SECRET";
    static final String PUBLIC_KEY_ENV = "PULSEBASE_AUTH_PUBLIC_KEY";
    static final String ANON_KEY_ENV = "PULSEBASE_AUTH_ANON_KEY";
    static final String SERVICE_KEY_ENV = "PULSEBASE_AUTH_SERVICE_KEY";
    private static final Pattern INDEXED = Pattern.compile("(hsSecrets|publicKeys)\\[(\\d+)]");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    @Option(names = "--auth-hs256-secret-file", paramLabel = "FILE",
            defaultValue = "${env:PULSEBASE_AUTH_HS256_SECRET_FILE}",
            description = "File of HS256 secrets, one per line, at least 32 bytes each; two lines while rotating "
                    + "(env PULSEBASE_AUTH_HS256_SECRET_FILE; or the secret itself in env " + HS256_SECRET_ENV + ").")
    Path hs256SecretFile;

    @Option(names = "--auth-public-key-file", paramLabel = "FILE", split = ",",
            defaultValue = "${env:PULSEBASE_AUTH_PUBLIC_KEY_FILE}",
            description = "PEM files of RS256/ES256 public keys or certificates; repeat or separate with commas "
                    + "(env PULSEBASE_AUTH_PUBLIC_KEY_FILE; or PEM text in env " + PUBLIC_KEY_ENV + ").")
    List<Path> publicKeyFiles;

    @Option(names = "--auth-jwks-url", paramLabel = "URL", defaultValue = "${env:PULSEBASE_AUTH_JWKS_URL}",
            description = "JWK set URL of the identity provider: https, or http to a loopback address "
                    + "(env PULSEBASE_AUTH_JWKS_URL).")
    URI jwksUrl;

    @Option(names = "--auth-issuer", defaultValue = "${env:PULSEBASE_AUTH_ISSUER}",
            description = "Required token 'iss' (env PULSEBASE_AUTH_ISSUER; default: not checked).")
    String issuer;

    @Option(names = "--auth-audience", defaultValue = "${env:PULSEBASE_AUTH_AUDIENCE}",
            description = "A value token 'aud' must contain (env PULSEBASE_AUTH_AUDIENCE; default: not checked).")
    String audience;

    @Option(names = "--auth-account-claim", defaultValue = "${env:PULSEBASE_AUTH_ACCOUNT_CLAIM:-account}",
            description = "Token claim naming the caller's account (env PULSEBASE_AUTH_ACCOUNT_CLAIM, "
                    + "default ${DEFAULT-VALUE}).")
    String accountClaim;

    @Option(names = "--auth-default-account", defaultValue = "${env:PULSEBASE_AUTH_DEFAULT_ACCOUNT:-default}",
            description = "Account of anonymous callers, of tokens without the account claim and of the API keys "
                    + "(env PULSEBASE_AUTH_DEFAULT_ACCOUNT, default ${DEFAULT-VALUE}).")
    String defaultAccount;

    @Option(names = "--auth-clock-skew", paramLabel = "DURATION", defaultValue = "${env:PULSEBASE_AUTH_CLOCK_SKEW:-PT30S}",
            description = "Tolerance for token exp/nbf, ISO-8601, at most PT5M (env PULSEBASE_AUTH_CLOCK_SKEW, "
                    + "default ${DEFAULT-VALUE}).")
    Duration clockSkew;

    @Option(names = "--auth-anon-key-file", paramLabel = "FILE", defaultValue = "${env:PULSEBASE_AUTH_ANON_KEY_FILE}",
            description = "File of public (anon) API keys, separated by white space or lines (env "
                    + "PULSEBASE_AUTH_ANON_KEY_FILE; or the keys in env " + ANON_KEY_ENV + ").")
    Path anonKeyFile;

    @Option(names = "--auth-service-key-file", paramLabel = "FILE",
            defaultValue = "${env:PULSEBASE_AUTH_SERVICE_KEY_FILE}",
            description = "File of service API keys, separated by white space or lines (env "
                    + "PULSEBASE_AUTH_SERVICE_KEY_FILE; or the keys in env " + SERVICE_KEY_ENV + ").")
    Path serviceKeyFile;

    @Option(names = "--auth-keys-file", paramLabel = "FILE", defaultValue = "${env:PULSEBASE_AUTH_KEYS_FILE}",
            description = "File of API keys of any account, one per line: ACCOUNT anon|service KEY; blank lines and "
                    + "lines starting with # are skipped (env PULSEBASE_AUTH_KEYS_FILE).")
    Path accountKeysFile;

    @Option(names = "--auth-no-credentials", paramLabel = "refuse|anon|disabled",
            defaultValue = "${env:PULSEBASE_AUTH_NO_CREDENTIALS}",
            description = "What a request without credentials gets: refuse (default once a secret, key or JWKS URL "
                    + "is configured), anon (an anonymous caller), disabled (security off: the default when nothing "
                    + "is configured) (env PULSEBASE_AUTH_NO_CREDENTIALS).")
    String noCredentials;

    /**
     * The configuration these options and {@code env} describe.
     *
     * @throws IllegalArgumentException with a message naming the option, variable or file at fault, never a value
     */
    AuthConfig toConfig(Map<String, String> env) {
        if (!AccountIds.isValid(defaultAccount)) {
            throw new IllegalArgumentException(
                    "auth: --auth-default-account must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
        AuthConfig.Builder b = AuthConfig.builder();
        List<String> secretSources = new ArrayList<>();
        List<String> keySources = new ArrayList<>();
        if (hs256SecretFile != null) {
            List<String> lines = nonBlankLines(hs256SecretFile, "--auth-hs256-secret-file");
            for (int i = 0; i < lines.size(); i++) {
                b.hsSecret(lines.get(i));
                secretSources.add("--auth-hs256-secret-file " + hs256SecretFile + " (secret " + (i + 1) + ")");
            }
        }
        String secret = env.get(HS256_SECRET_ENV);
        if (secret != null && !secret.isBlank()) {
            b.hsSecret(secret.strip());
            secretSources.add("env " + HS256_SECRET_ENV);
        }
        for (Path file : publicKeyFiles == null ? List.<Path>of() : publicKeyFiles) {
            b.publicKeyPem(read(file, "--auth-public-key-file"));
            keySources.add("--auth-public-key-file " + file);
        }
        String pem = env.get(PUBLIC_KEY_ENV);
        if (pem != null && !pem.isBlank()) {
            b.publicKeyPem(pem);
            keySources.add("env " + PUBLIC_KEY_ENV);
        }
        int apiKeys = apiKeys(b, Role.ANON, anonKeyFile, "--auth-anon-key-file", env.get(ANON_KEY_ENV), ANON_KEY_ENV)
                + apiKeys(b, Role.SERVICE, serviceKeyFile, "--auth-service-key-file", env.get(SERVICE_KEY_ENV),
                SERVICE_KEY_ENV)
                + accountKeys(b, accountKeysFile);
        boolean verifies = !secretSources.isEmpty() || !keySources.isEmpty() || jwksUrl != null || apiKeys > 0;
        b.noCredentials(noCredentials(verifies))
                .jwksUrl(jwksUrl)
                .issuer(issuer)
                .audience(audience)
                .accountClaim(accountClaim)
                .defaultAccount(defaultAccount)
                .clockSkew(clockSkew);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(optionNames(e.getMessage(), secretSources, keySources));
        }
    }

    private AuthConfig.NoCredentials noCredentials(boolean verifies) {
        if (noCredentials == null || noCredentials.isBlank()) {
            return verifies ? AuthConfig.NoCredentials.REFUSE : AuthConfig.NoCredentials.SERVICE;
        }
        return switch (noCredentials.strip().toLowerCase(Locale.ROOT)) {
            case "refuse" -> AuthConfig.NoCredentials.REFUSE;
            case "anon" -> AuthConfig.NoCredentials.ANON;
            case "disabled" -> AuthConfig.NoCredentials.SERVICE;
            default -> throw new IllegalArgumentException(
                    "auth: --auth-no-credentials must be refuse, anon or disabled");
        };
    }

    /** Adds the API keys of a file and an environment variable for the default account; answers how many. */
    private int apiKeys(AuthConfig.Builder b, Role role, Path file, String option, String envValue, String envName) {
        int added = 0;
        if (file != null) {
            added += addKeys(b, role, WHITESPACE.split(read(file, option).strip()), option + " " + file);
        }
        if (envValue != null && !envValue.isBlank()) {
            added += addKeys(b, role, WHITESPACE.split(envValue.strip()), "env " + envName);
        }
        return added;
    }

    private int addKeys(AuthConfig.Builder b, Role role, String[] keys, String source) {
        int added = 0;
        for (String key : keys) {
            if (key.isEmpty()) {
                continue;
            }
            added++;
            try {
                b.apiKey(new ApiKey(defaultAccount, role, key));
            } catch (IllegalArgumentException e) {
                // ApiKey's message names the account and the rule, never the key.
                throw new IllegalArgumentException("auth: " + source + ", key " + added + ": "
                        + e.getMessage().replaceFirst("^auth: ", ""));
            }
        }
        if (added == 0) {
            throw new IllegalArgumentException("auth: " + source + " holds no key");
        }
        return added;
    }

    /**
     * Adds the keys of an {@code --auth-keys-file}: {@code ACCOUNT anon|service KEY} per line. Errors name the file
     * and the line, never a key.
     */
    private static int accountKeys(AuthConfig.Builder b, Path file) {
        if (file == null) {
            return 0;
        }
        int added = 0;
        List<String> lines = read(file, "--auth-keys-file").lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "auth: --auth-keys-file " + file + ", line " + (i + 1) + ": ";
            String[] fields = WHITESPACE.split(line);
            if (fields.length != 3) {
                throw new IllegalArgumentException(where + "expected ACCOUNT anon|service KEY");
            }
            Role role = switch (fields[1].toLowerCase(Locale.ROOT)) {
                case "anon" -> Role.ANON;
                case "service" -> Role.SERVICE;
                default -> throw new IllegalArgumentException(where + "the second field must be anon or service");
            };
            try {
                b.apiKey(new ApiKey(fields[0], role, fields[2]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage().replaceFirst("^auth: ", ""));
            }
            added++;
        }
        if (added == 0) {
            throw new IllegalArgumentException("auth: --auth-keys-file " + file + " holds no key");
        }
        return added;
    }

    private static List<String> nonBlankLines(Path file, String option) {
        List<String> lines = read(file, option).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("auth: " + option + " " + file + " holds no secret");
        }
        return lines;
    }

    private static String read(Path file, String option) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The exception's class says enough (no such file, not readable, not UTF-8); its text is not shown.
            throw new IllegalArgumentException("auth: " + option + ": cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** {@link AuthConfig}'s messages name its settings; say the option (or file, or variable) instead. */
    static String optionNames(String message, List<String> secretSources, List<String> keySources) {
        Matcher m = INDEXED.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> sources = m.group(1).equals("hsSecrets") ? secretSources : keySources;
            int i = Integer.parseInt(m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(i < sources.size() ? sources.get(i) : m.group()));
        }
        m.appendTail(out);
        return out.toString()
                .replace("noCredentials=SERVICE", "--auth-no-credentials=disabled")
                .replace("noCredentials", "--auth-no-credentials")
                .replace("defaultAccount", "--auth-default-account")
                .replace("accountClaim", "--auth-account-claim")
                .replace("clockSkew", "--auth-clock-skew")
                .replace("jwksUrl", "--auth-jwks-url")
                .replace("issuer must", "--auth-issuer must")
                .replace("audience must", "--auth-audience must");
    }
}
