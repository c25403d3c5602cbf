package io.chaosproxy.engine;

import io.chaosproxy.model.Leg;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * After a write to a leg whose side already sent its FIN: that side may answer with an RST (its program has closed),
 * which reads no longer report once its FIN is in. Looks at the socket's TCP state shortly after (1, 10, 100,
 * 1000 ms) so the RST reaches the other side at once rather than at the next write. Native transports only.
 */
final class ResetAfterFinWatch {
    /** What the watch reports to, on the connection's loop. */
    interface Owner {
        boolean ended();

        Channel channel(Leg leg);

        void resetAfterFin(Leg leg);
    }

    private static final long LAST_LOOK_MILLIS = 1000;

    private final Owner owner;
    private final EventLoop loop;
    private final boolean[] watching = new boolean[2];

    ResetAfterFinWatch(Owner owner, EventLoop loop) {
        this.owner = owner;
        this.loop = loop;
    }

    void start(Leg leg) {
        if (watching[leg.ordinal()] || !TcpInfoSampler.supported(owner.channel(leg))) {
            return;
        }
        watching[leg.ordinal()] = true;
        lookLater(leg, 1);
    }

    private void lookLater(Leg leg, long delayMillis) {
        loop.schedule(() -> {
            if (owner.ended()) {
                return;
            }
            if (TcpInfoSampler.resetByPeer(owner.channel(leg))) {
                owner.resetAfterFin(leg);
            } else if (delayMillis < LAST_LOOK_MILLIS) {
                lookLater(leg, delayMillis * 10);
            } else {
                watching[leg.ordinal()] = false;
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }
}
