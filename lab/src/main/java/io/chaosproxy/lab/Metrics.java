package io.chaosproxy.lab;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition format
 * (0.0.4). The demo services need nothing more, and no dependency keeps the lab jar tiny.
 */
public final class Metrics {
    private final List<Family<?>> families = new CopyOnWriteArrayList<>();

    public Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    public Gauge gauge(String name, String help, String... labelNames) {
        return register(new Gauge(name, help, labelNames));
    }

    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return register(new Histogram(name, help, buckets, labelNames));
    }

    private <F extends Family<?>> F register(F family) {
        for (Family<?> f : families) {
            if (f.name.equals(family.name)) {
                throw new IllegalArgumentException("metric registered twice: " + family.name);
            }
        }
        families.add(family);
        return family;
    }

    /** Everything, in the Prometheus text format. */
    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family<?> f : families) {
            f.render(sb);
        }
        return sb.toString();
    }

    /** A metric name with its label names; children per label values, kept in a stable order. */
    public abstract static class Family<C> {
        final String name;
        final String help;
        final String type;
        final List<String> labelNames;
        private final Map<List<String>, C> children = new ConcurrentSkipListMap<>(Family::compareLabels);

        Family(String name, String help, String type, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = List.of(labelNames);
        }

        /** The child for these label values (created at zero on first use, so a series exists before it moves). */
        public C labels(String... values) {
            if (values.length != labelNames.size()) {
                throw new IllegalArgumentException(name + " has labels " + labelNames + ", got " + values.length
                        + " values");
            }
            return children.computeIfAbsent(List.of(values), v -> newChild());
        }

        abstract C newChild();

        abstract void renderChild(StringBuilder sb, List<String> values, C child);

        void render(StringBuilder sb) {
            sb.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
            children.forEach((values, child) -> renderChild(sb, values, child));
        }

        void sample(StringBuilder sb, String suffix, List<String> values, String extraName, String extraValue,
                double value) {
            sb.append(name).append(suffix);
            if (!values.isEmpty() || extraName != null) {
                sb.append('{');
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    label(sb, labelNames.get(i), values.get(i));
                }
                if (extraName != null) {
                    if (!values.isEmpty()) {
                        sb.append(',');
                    }
                    label(sb, extraName, extraValue);
                }
                sb.append('}');
            }
            sb.append(' ').append(number(value)).append('\n');
        }

        private static void label(StringBuilder sb, String name, String value) {
            sb.append(name).append("=\"")
                    .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }

        private static int compareLabels(List<String> a, List<String> b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        }
    }

    static String number(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A monotonically increasing count. */
    public static final class Counter extends Family<Counter.Child> {
        Counter(String name, String help, String[] labelNames) {
            super(name, help, "counter", labelNames);
        }

        @Override
        Child newChild() {
            return new Child();
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Child child) {
            sample(sb, "", values, null, null, child.value());
        }

        public static final class Child {
            private final LongAdder count = new LongAdder();

            public void inc() {
                count.increment();
            }

            public long value() {
                return count.sum();
            }
        }
    }

    /** A value that goes up and down. */
    public static final class Gauge extends Family<Gauge.Child> {
        Gauge(String name, String help, String[] labelNames) {
            super(name, help, "gauge", labelNames);
        }

        @Override
        Child newChild() {
            return new Child();
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Child child) {
            sample(sb, "", values, null, null, child.value());
        }

        public static final class Child {
            private final AtomicLong value = new AtomicLong();

            public void inc() {
                value.incrementAndGet();
            }

            public void dec() {
                value.decrementAndGet();
            }

            public long value() {
                return value.get();
            }
        }
    }

    /** Observations in seconds (or any unit), counted into fixed cumulative buckets. */
    public static final class Histogram extends Family<Histogram.Child> {
        private final double[] buckets;

        Histogram(String name, String help, double[] buckets, String[] labelNames) {
            super(name, help, "histogram", labelNames);
            double[] b = buckets.clone();
            Arrays.sort(b);
            this.buckets = b;
        }

        @Override
        Child newChild() {
            return new Child(buckets);
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Child child) {
            long cumulative = 0;
            for (int i = 0; i < buckets.length; i++) {
                cumulative += child.counts[i].sum();
                sample(sb, "_bucket", values, "le", leLabel(buckets[i]), cumulative);
            }
            long count = child.count();
            sample(sb, "_bucket", values, "le", "+Inf", count);
            sample(sb, "_sum", values, null, null, child.sum.sum());
            sample(sb, "_count", values, null, null, count);
        }

        private static String leLabel(double le) {
            return le == Math.rint(le) ? String.format(Locale.ROOT, "%.1f", le) : Double.toString(le);
        }

        public static final class Child {
            private final double[] buckets;
            private final LongAdder[] counts;
            private final LongAdder overflow = new LongAdder();
            private final DoubleAdder sum = new DoubleAdder();

            Child(double[] buckets) {
                this.buckets = buckets;
                this.counts = new LongAdder[buckets.length];
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = new LongAdder();
                }
            }

            public void observe(double value) {
                int i = Arrays.binarySearch(buckets, value);
                if (i < 0) {
                    i = -i - 1; // first bucket whose bound is above the value
                }
                if (i < buckets.length) {
                    counts[i].increment();
                } else {
                    overflow.increment();
                }
                sum.add(value);
            }

            public void observeNanos(long nanos) {
                observe(nanos / 1e9);
            }

            public long count() {
                long n = overflow.sum();
                for (LongAdder c : counts) {
                    n += c.sum();
                }
                return n;
            }

            public double sum() {
                return sum.sum();
            }
        }
    }

    /** Latency buckets from 1 ms to 30 s, with bounds at 1 s and 3 s where SYN retransmissions land. */
    public static double[] latencyBuckets() {
        return new double[] {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3,
                5, 10, 30};
    }
}
