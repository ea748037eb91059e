# Spike statistics of a spikes.csv (header population,neuron,t_ms) over the window
# (t0, t1] ms, for a network of `size` neurons:
#   awk -F, -v t0=200 -v t1=1000 -v size=12500 -f spike_stats.awk spikes.csv
# prints "RATE_HZ CV NCV": the mean rate of all neurons in the window, the mean over
# neurons with at least 3 spikes in the window of the coefficient of variation of their
# inter-spike intervals (standard deviation over mean, numpy's std), and that number of
# neurons (CV is -1 when there is none).
NR == 1 { next }
$3 > t0 && $3 <= t1 {
    k = $1 "," $2
    n++
    c[k]++
    if (k in last) { d = $3 - last[k]; s1[k] += d; s2[k] += d * d }
    last[k] = $3
}
END {
    for (k in c) {
        if (c[k] < 3)
            continue
        m = c[k] - 1
        mu = s1[k] / m
        var = s2[k] / m - mu * mu
        if (var < 0)
            var = 0
        cv += sqrt(var) / mu
        ncv++
    }
    printf "%.6g %.6g %d\n", n / size / ((t1 - t0) / 1000), ncv ? cv / ncv : -1, ncv
}
