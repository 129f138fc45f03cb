package io.pgguard.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: options as {@code --name value} or {@code --name=value}, flags as {@code --name}, and the
 * rest in order. An option the command does not know, or one without its value, is a usage error.
 */
record CommandLine(Map<String, String> options, List<String> rest) {

    /** A command line that cannot be run. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static CommandLine parse(String[] args, Set<String> valued, Set<String> flags) throws UsageException {
        Map<String, String> options = new HashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                rest.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (flags.contains(name) && eq < 0) {
                options.put(name, "true");
            } else if (valued.contains(name)) {
                if (eq < 0 && i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                options.put(name, eq > 0 ? arg.substring(eq + 1) : args[++i]);
            } else {
                throw new UsageException("unknown option " + arg);
            }
        }
        return new CommandLine(options, rest);
    }

    /** The URL prefixes every command takes. */
    static final String PG_URL = "jdbc:postgresql:";
    static final String GUARD_URL = "jdbc:pgguard:postgresql:";

    /** A {@code --url} in pgjdbc's own form ({@code jdbc:pgguard:} removed), or null when it is neither form. */
    static String pgjdbcUrl(String url) {
        if (url == null) {
            return null;
        }
        if (url.startsWith(GUARD_URL)) {
            return PG_URL + url.substring(GUARD_URL.length());
        }
        return url.startsWith(PG_URL) ? url : null;
    }

    String get(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }
}
