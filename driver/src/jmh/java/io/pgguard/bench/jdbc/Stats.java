package io.pgguard.bench.jdbc;

import java.util.Arrays;

/** Order statistics of a small sample (one value per measured round). */
final class Stats {

    final double[] sorted;

    Stats(double[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    double min() {
        return sorted[0];
    }

    double max() {
        return sorted[sorted.length - 1];
    }

    double median() {
        return quantile(0.5);
    }

    /** Linear interpolation between closest ranks. */
    double quantile(double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * A distribution-free 95% confidence interval of the median: the order statistics of ranks
     * {@code n/2 -/+ 1.96 sqrt(n)/2} (binomial, normal approximation), clamped to the sample.
     */
    double[] medianCi95() {
        int n = sorted.length;
        double half = 1.96 * Math.sqrt(n) / 2;
        int lo = (int) Math.floor(n / 2.0 - half);        // 1-based rank
        int hi = (int) Math.ceil(1 + n / 2.0 + half);      // 1-based rank
        lo = Math.max(1, lo);
        hi = Math.min(n, hi);
        return new double[] {sorted[lo - 1], sorted[hi - 1]};
    }
}
