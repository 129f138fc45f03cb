package io.pgguard.cli;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory's migration files in the order Flyway applies them, so that each is read knowing what the earlier
 * ones made: versioned migrations ({@code V<version>__<description>.sql}) by version, compared part by part as
 * numbers ({@code V1.2.10__} after {@code V1.2.9__}, {@code V10__} after {@code V2__}; {@code _} separates parts as
 * {@code .} does), then files that are not named as Flyway names them, by name, then repeatable migrations
 * ({@code R__<description>.sql}), which Flyway runs after the versioned ones, by description. Undo migrations
 * ({@code U<version>__}) are not part of the history and are left out.
 */
final class MigrationOrder {

    private MigrationOrder() {
    }

    static List<Path> sorted(List<Path> files) {
        List<Path> versioned = new ArrayList<>();
        List<Path> other = new ArrayList<>();
        List<Path> repeatable = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (version(name) != null) {
                versioned.add(f);
            } else if (name.startsWith("R__")) {
                repeatable.add(f);
            } else if (!isUndo(name)) {
                other.add(f);
            }
        }
        versioned.sort(BY_VERSION);
        other.sort(java.util.Comparator.naturalOrder());
        repeatable.sort(java.util.Comparator.naturalOrder());
        List<Path> out = new ArrayList<>(files.size());
        out.addAll(versioned);
        out.addAll(other);
        out.addAll(repeatable);
        return out;
    }

    /** A class, not a method reference: a short CLI run never starts java.lang.invoke (see LintCommand). */
    private static final java.util.Comparator<Path> BY_VERSION = new java.util.Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            return compareVersions(a, b);
        }
    };

    private static int compareVersions(Path a, Path b) {
        int c = compareParts(version(a.getFileName().toString()), version(b.getFileName().toString()));
        return c != 0 ? c : a.getFileName().toString().compareTo(b.getFileName().toString());
    }

    /** Versions compared part by part as numbers, a missing part as 0 ({@code 1.0} is {@code 1}). */
    private static int compareParts(List<BigInteger> x, List<BigInteger> y) {
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            BigInteger p = i < x.size() ? x.get(i) : BigInteger.ZERO;
            BigInteger q = i < y.size() ? y.get(i) : BigInteger.ZERO;
            int c = p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /**
     * What Flyway knows a migration by, or null for a file it would not run: a versioned one's version without
     * trailing zero parts ({@code V2__a} and {@code V2.0__b} are both {@code 2}: Flyway refuses two migrations of
     * one version), a repeatable one's file name.
     */
    static String identity(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith("R__")) {
            return name;
        }
        List<BigInteger> v = version(name);
        if (v == null) {
            return null;
        }
        int n = v.size();
        while (n > 1 && v.get(n - 1).signum() == 0) {
            n--;
        }
        StringBuilder sb = new StringBuilder("V");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ".").append(v.get(i));
        }
        return sb.toString();
    }

    /** The version parts of {@code V1.2_3__name.sql}; null when the name is not a versioned migration's. */
    static List<BigInteger> version(String name) {
        return parts(name, 'V');
    }

    private static boolean isUndo(String name) {
        return parts(name, 'U') != null;
    }

    private static List<BigInteger> parts(String name, char prefix) {
        int sep = name.indexOf("__");
        if (name.isEmpty() || name.charAt(0) != prefix || sep < 2) {
            return null;
        }
        List<BigInteger> out = new ArrayList<>();
        StringBuilder digits = new StringBuilder();
        for (int i = 1; i <= sep; i++) {
            char c = i < sep ? name.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if ((c == '.' || c == '_') && digits.length() > 0) {
                out.add(new BigInteger(digits.toString()));
                digits.setLength(0);
            } else {
                return null;
            }
        }
        return out.isEmpty() ? null : out;
    }
}
