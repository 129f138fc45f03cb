package io.pgguard.agentit;

import io.pgguard.testkit.TestDatabase;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the start-up the agent adds (not a test; run by hand, see the README): a small JDBC program (connect,
 * {@code SELECT 1}, close), and the same program after a second of start-up of its own, each started {@code runs}
 * times with and without {@code -javaagent:}, interleaved; prints the median wall time of each and the difference.
 *
 * <pre>java -cp "$(cat agent/target/test-classpath.txt)" io.pgguard.agentit.AgentStartup [runs]</pre>
 */
public final class AgentStartup {

    private AgentStartup() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        TestDatabase server = TestDatabase.get();
        String url = server.database().jdbcUrlWithCredentials();
        measure(runs, "a JDBC program that connects at once", "statements", url, "SELECT 1");
        measure(runs, "one that starts for 1 s before it connects", "after", "1000", url, "SELECT 1");
    }

    private static void measure(int runs, String what, String... probe) throws Exception {
        String cp = AgentJvm.applicationClassPath();
        List<Long> without = new ArrayList<>();
        List<Long> with = new ArrayList<>();
        for (int i = 0; i < runs + 1; i++) {
            for (boolean agent : new boolean[] {i % 2 == 0, i % 2 != 0}) {
                long start = System.nanoTime();
                AgentJvm.Result r = AgentJvm.run(agent ? "" : null, List.of("-Xshare:auto"), cp,
                        Probe.class.getName(), probe);
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (r.exit() != 0 || !r.out().contains("OUTCOME SELECT_1 ran")) {
                    throw new IllegalStateException(r.toString());
                }
                if (i > 0) { // the first pair warms the file cache
                    (agent ? with : without).add(ms);
                }
            }
        }
        long a = median(without);
        long b = median(with);
        System.out.printf("%s, %d runs: median without the agent %d ms, with it %d ms: %+d ms%n", what, runs, a, b,
                b - a);
        System.out.println("without " + without + "\nwith    " + with);
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
