package io.pgguard.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * The database a statement is meant for, and whether it is local: only when every host is {@code localhost}, a
 * loopback literal, a Unix socket or a name the user listed as local. Names are never resolved (fail closed).
 */
public record Target(boolean local, String description, String reason) {

    /** junixsocket's socket factories for pgjdbc, the ones that reach a server through a Unix socket file. */
    private static final String UNIX_SOCKET_FACTORIES = "org.newsclub.net.unix.";

    /**
     * The target of a pgjdbc URL and its connection properties as far as can be told without connecting: the
     * hosts (a Unix socket through junixsocket's {@code socketFactory} is local; any other socket factory and a
     * {@code service=} are not, since they choose the host themselves), then {@code pgguard.environment}. The
     * driver adds the {@code pgguard.protect} check once connected.
     */
    public static Target of(String pgUrl, Properties info, GuardConfig config) {
        Target target = fromAddress(pgUrl, info, config);
        if (config.declaredProduction()) {
            return new Target(false, target.description(), "pgguard.environment=" + config.environment());
        }
        return target;
    }

    private static Target fromAddress(String pgUrl, Properties info, GuardConfig config) {
        String socketFactory = property(pgUrl, info, "socketFactory");
        if (socketFactory != null) {
            String socketArg = property(pgUrl, info, "socketFactoryArg");
            if (socketFactory.startsWith(UNIX_SOCKET_FACTORIES) && socketArg != null && socketArg.startsWith("/")) {
                return new Target(true, socketArg, "Unix socket " + socketArg + " through " + socketFactory);
            }
            // A socket factory chooses where it connects (Cloud SQL's connects to an instance named in another
            // parameter while the URL names no host at all): only a known Unix socket factory is local.
            return new Target(false, "socketFactory " + socketFactory,
                    "socketFactory " + socketFactory + " chooses where it connects; only a Unix socket is local");
        }
        if (property(pgUrl, info, "service") != null) {
            return new Target(false, "service " + property(pgUrl, info, "service"),
                    "service= takes its host from a service file pgguard does not read");
        }
        String url = pgUrl;
        String pgHost = info == null ? null : info.getProperty("PGHOST");
        if (pgHost != null && !hasAuthorityHost(pgUrl)) {
            url = pgUrl + (pgUrl.contains("?") ? "&" : "?") + "PGHOST=" + pgHost;
        }
        return Target.fromUrl(url, config.localHosts());
    }

    private static boolean hasAuthorityHost(String url) {
        int slashes = url.indexOf("//");
        return slashes >= 0 && slashes + 2 < url.length() && url.charAt(slashes + 2) != '/';
    }

    /** A connection parameter from the URL's query, else from the properties (pgjdbc's order), or null. */
    private static String property(String url, Properties info, String key) {
        for (QueryParameter p : QueryParameter.of(url)) {
            if (p.hasValue() && p.key().equals(key)) {
                return p.value();
            }
        }
        return info == null ? null : info.getProperty(key);
    }

    /** A target treated as production, for example when linting without a URL. */
    public static Target production(String reason) {
        return new Target(false, "production", reason);
    }

    /**
     * Decides locality from a {@code jdbc:postgresql:} or {@code jdbc:pgguard:postgresql:} URL. Hosts come from
     * the authority ({@code host[:port][,host2[:port2]]}, IPv6 in brackets) and from {@code host=} or
     * {@code PGHOST=} parameters, which pgjdbc lets replace the authority; no host at all means pgjdbc's default,
     * localhost.
     */
    public static Target fromUrl(String url, Set<String> localHosts) {
        List<String> hosts = hosts(url);
        String description = String.join(",", hosts);
        for (String host : hosts) {
            if (!isLocalHost(host, localHosts)) {
                return new Target(false, description, "host " + host + " is not local");
            }
        }
        List<String> listed = new ArrayList<>();
        for (String host : hosts) {
            if (isLocalHost(host, Set.of())) {
                continue;
            }
            listed.add(host);
        }
        String why = hosts.size() == 1 ? "host " + description + " is local" : "every host (" + description
                + ") is local";
        if (!listed.isEmpty()) {
            why += " (" + String.join(", ", listed) + (listed.size() == 1 ? " is" : " are")
                    + " listed in pgguard.localHosts)";
        }
        return new Target(true, description, why);
    }

    /** The hosts a JDBC URL names, without ports; never the user, password or other parameters. */
    static List<String> hosts(String url) {
        String rest = url;
        for (String prefix : new String[] {"jdbc:pgguard:postgresql:", "jdbc:postgresql:"}) {
            if (rest.regionMatches(true, 0, prefix, 0, prefix.length())) {
                rest = rest.substring(prefix.length());
                break;
            }
        }
        List<String> hosts = new ArrayList<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("//")) {
            String authority = rest.substring(2);
            int slash = authority.indexOf('/');
            if (slash >= 0) {
                authority = authority.substring(0, slash);
            }
            for (String part : authority.split(",")) {
                String host = stripPort(part.trim());
                if (!host.isEmpty()) {
                    hosts.add(host);
                }
            }
        }
        // pgjdbc lets a host= or PGHOST= parameter replace the hosts before the path, so a URL that names
        // localhost can still connect elsewhere: every host either part names must be local.
        for (QueryParameter p : QueryParameter.of(url)) {
            if (p.hasValue() && (p.key().equalsIgnoreCase("host") || p.key().equals("PGHOST"))) {
                for (String h : p.value().split(",")) {
                    hosts.add(stripPort(h.trim()));
                }
            }
        }
        if (hosts.isEmpty()) {
            hosts.add("localhost");
        }
        return hosts;
    }

    private static String stripPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 0 ? hostPort.substring(1, close) : hostPort;
        }
        int colon = hostPort.indexOf(':');
        if (colon >= 0 && hostPort.indexOf(':', colon + 1) < 0) {
            return hostPort.substring(0, colon);
        }
        return hostPort;
    }

    /** Whether a host, as written, is local without resolving it. */
    public static boolean isLocalHost(String host, Set<String> localHosts) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.length() > 2 && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1); // an IPv6 literal as pgjdbc keeps it
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.startsWith("/")) {
            return true;
        }
        if (localHosts.contains(h)) {
            return true;
        }
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit) || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }
}
