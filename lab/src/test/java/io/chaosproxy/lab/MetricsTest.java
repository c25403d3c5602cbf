package io.chaosproxy.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void rendersPrometheusText() {
        Metrics m = new Metrics();
        Metrics.Counter c = m.counter("x_total", "Things.", "a", "b");
        c.labels("1", "q\"uote").inc();
        c.labels("1", "q\"uote").inc();
        c.labels("0", "z");
        Metrics.Histogram h = m.histogram("t_seconds", "Time.", new double[] {0.1, 1}, "k");
        h.labels("v").observe(0.05);
        h.labels("v").observe(0.1);
        h.labels("v").observe(0.5);
        h.labels("v").observe(7);
        Metrics.Gauge g = m.gauge("g", "Now.");
        g.labels().inc();

        assertThat(m.render()).isEqualTo("""
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{a="0",b="z"} 0
                x_total{a="1",b="q\\"uote"} 2
                # HELP t_seconds Time.
                # TYPE t_seconds histogram
                t_seconds_bucket{k="v",le="0.1"} 2
                t_seconds_bucket{k="v",le="1.0"} 3
                t_seconds_bucket{k="v",le="+Inf"} 4
                t_seconds_sum{k="v"} 7.65
                t_seconds_count{k="v"} 4
                # HELP g Now.
                # TYPE g gauge
                g 1
                """);
    }
}
