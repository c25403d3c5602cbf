package io.chaosproxy.engine;

import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.ConnectToxicType;
import io.chaosproxy.toxic.DialControl;
import io.chaosproxy.toxic.Toxic;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Passes one accepted client through each connect-phase toxic that applies to it, in order; the last one's
 * "proceed" starts the dial. Each gate gives exactly one verdict; verdicts after the connection ended are ignored.
 */
final class ConnectGates {
    /** What the gates can ask of their connection. */
    interface Owner {
        boolean ended();

        void gateApplied(Toxic toxic);

        void allPassed();

        /** {@code reset}: RST, else FIN. */
        void refuseClient(boolean reset);
    }

    private final List<Toxic> toxics;
    private final Owner owner;
    private final EventLoop loop;
    private ConnectGate active;

    ConnectGates(List<Toxic> toxics, Owner owner, EventLoop loop) {
        this.toxics = toxics;
        this.owner = owner;
        this.loop = loop;
    }

    void run() {
        pass(0);
    }

    /** The connection ended while a gate held it (the client gave up): let the gate cancel its timers. */
    void connectionEnded() {
        if (active != null) {
            active.onClose();
            active = null;
        }
    }

    private void pass(int index) {
        if (owner.ended()) {
            return;
        }
        if (index == toxics.size()) {
            active = null;
            owner.allPassed();
            return;
        }
        Toxic toxic = toxics.get(index);
        ConnectGate gate = ((ConnectToxicType) toxic.type()).newConnectGate(toxic.attributes());
        active = gate;
        owner.gateApplied(toxic);
        gate.beforeDial(new Verdict(index));
    }

    private final class Verdict implements DialControl {
        private final int index;
        private boolean decided;

        Verdict(int index) {
            this.index = index;
        }

        @Override
        public void proceed() {
            if (decide()) {
                pass(index + 1);
            }
        }

        @Override
        public void resetClient() {
            if (decide()) {
                owner.refuseClient(true);
            }
        }

        @Override
        public void closeClient() {
            if (decide()) {
                owner.refuseClient(false);
            }
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            return loop.schedule(() -> {
                if (!owner.ended()) {
                    task.run();
                }
            }, delay, unit);
        }

        private boolean decide() {
            if (decided || owner.ended()) {
                return false;
            }
            decided = true;
            return true;
        }
    }
}
