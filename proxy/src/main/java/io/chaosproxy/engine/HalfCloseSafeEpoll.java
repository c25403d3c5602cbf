package io.chaosproxy.engine;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll I/O handler, with one fix: a channel never asks epoll for an empty interest set.
 *
 * <p>Why: in Netty 4.2.18 an empty set makes the handler remove the fd from epoll while still remembering it as
 * added, so the next interest change (EPOLLOUT, when a write has to wait) fails with {@code epoll_ctl ENOENT} and
 * the channel is closed with its queued bytes lost. A proxy gets there on every half-closed connection: after the
 * peer's FIN, Netty drops EPOLLIN and EPOLLRDHUP, and the proxy keeps writing to that peer. Asking for EPOLLERR
 * instead of nothing keeps the fd registered and costs nothing: the kernel reports errors whether asked or not.
 */
final class HalfCloseSafeEpoll {
    private HalfCloseSafeEpoll() {
    }

    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new Handler(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    private static final class Handler implements IoHandler {
        private final IoHandler delegate;

        Handler(IoHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return delegate.run(context);
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            IoRegistration registration = delegate.register(handle);
            return new IoRegistration() {
                @Override
                public <T> T attachment() {
                    return registration.attachment();
                }

                @Override
                public long submit(IoOps ops) {
                    if (ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == EpollIoOps.NONE.value()) {
                        return registration.submit(EpollIoOps.EPOLLERR);
                    }
                    return registration.submit(ops);
                }

                @Override
                public boolean isValid() {
                    return registration.isValid();
                }

                @Override
                public boolean cancel() {
                    return registration.cancel();
                }
            };
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }
}
