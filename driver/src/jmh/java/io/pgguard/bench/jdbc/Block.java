package io.pgguard.bench.jdbc;

import java.util.Arrays;

/**
 * What one variant did for one workload in one round: per chunk of {@code chunkOps} calls, the thread CPU,
 * the elapsed time and the bytes allocated.
 */
record Block(int round, Workload workload, Variant variant, int chunkOps, long[] cpu, long[] wall,
             long[] alloc) {

    /** Per call, the mean over all chunks. */
    double mean(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum / (double) (values.length * chunkOps);
    }

    /**
     * Per call, the mean over the chunks left once the slowest {@code trim} fraction is dropped. On a shared
     * machine a chunk now and then costs several times the others (another process's burst, steal time, a
     * cold cache after a context switch, all charged to the thread's CPU time); the same share is dropped for
     * every variant, so a cost a variant pays on every call stays in.
     */
    double trimmedMean(long[] values, double trim) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int keep = Math.max(1, (int) Math.round(sorted.length * (1 - trim)));
        long sum = 0;
        for (int i = 0; i < keep; i++) {
            sum += sorted[i];
        }
        return sum / (double) (keep * chunkOps);
    }
}
