package io.pgguard.policy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code key=value} of a JDBC URL's query, as written. The value is decoded only when asked for, so a
 * malformed escape in a parameter nobody reads (a password, say) fails nothing.
 */
record QueryParameter(String raw, String key, int equals) {

    /** The parameters after the URL's {@code ?}, in order; empty ones skipped. */
    static List<QueryParameter> of(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return List.of();
        }
        List<QueryParameter> out = new ArrayList<>();
        for (String param : url.substring(q + 1).split("&")) {
            if (!param.isEmpty()) {
                int eq = param.indexOf('=');
                out.add(new QueryParameter(param, eq < 0 ? param : param.substring(0, eq), eq));
            }
        }
        return out;
    }

    /** Whether it is written {@code key=value} with a key (the value may be empty). */
    boolean hasValue() {
        return equals > 0;
    }

    /** The URL-decoded value; empty for a parameter written without {@code =}. */
    String value() {
        return equals < 0 ? "" : URLDecoder.decode(raw.substring(equals + 1), StandardCharsets.UTF_8);
    }
}
