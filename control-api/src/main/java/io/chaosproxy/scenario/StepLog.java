package io.chaosproxy.scenario;

import io.chaosproxy.scenario.ScenarioRecord.Step;
import java.util.ArrayList;
import java.util.List;

/** The steps of one side (client or server), timed on the run's clock; written by that side's threads. */
final class StepLog {
    private final RunClock clock;
    private final String side;
    private final List<Step> steps = new ArrayList<>();

    StepLog(RunClock clock, String side) {
        this.clock = clock;
        this.side = side;
    }

    double now() {
        return clock.sinceStart(System.nanoTime());
    }

    synchronized void add(String what) {
        steps.add(new Step(now(), side, what));
    }

    synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /** How an exception reads in a record: its simple class name and message. */
    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
