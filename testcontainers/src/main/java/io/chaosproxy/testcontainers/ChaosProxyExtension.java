package io.chaosproxy.testcontainers;

import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.ProxyHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for chaos-proxy in a container.
 *
 * <ul>
 * <li>The container is the test class's static field of type {@link ChaosProxyContainer} (configure it there:
 *     image, network), or, without one, a default {@code new ChaosProxyContainer()}. It is started before the
 *     class's tests if it is not running (by {@code @Testcontainers}, say), and then stopped after them. An instance
 *     field works too, started and stopped around each test.</li>
 * <li>Test and lifecycle method parameters of type {@link ChaosProxyContainer} and {@link ChaosProxyClient} are
 *     injected; so are {@link ChaosProxyContainer.Proxy} and {@link ProxyHandle} parameters annotated with
 *     {@link ChaosProxy} (the proxy is created on first use).</li>
 * <li>After each test, {@code POST /reset}: every toxic removed, every proxy enabled, so one test's fault never
 *     leaks into the next.</li>
 * <li>Before that reset, the test fails if a toxic was armed on a proxy but no connection went through that proxy
 *     while it was armed (a silent bypass); off with {@code @ChaosProxyTest(requireTraffic = false)} or per proxy
 *     with {@code @ChaosProxy(..., requireTraffic = false)}.</li>
 * </ul>
 */
public class ChaosProxyExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ChaosProxyExtension.class);
    private static final String CLASS_CONTAINER = "classContainer";
    private static final String STARTED_BY_US = "startedByUs";
    private static final String TEST_CONTAINER = "testContainer";
    private static final String DECLARED = "declaredProxies";

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        ChaosProxyContainer container = staticContainer(testClass);
        if (container == null && instanceField(testClass) == null && enclosingContainer(context) == null) {
            container = new ChaosProxyContainer();
        }
        if (container != null) {
            context.getStore(NS).put(CLASS_CONTAINER, container);
            if (!container.isRunning()) {
                container.start();
                context.getStore(NS).put(STARTED_BY_US, Boolean.TRUE);
            }
        }
        ProxyDeclarations declared = ProxyDeclarations.of(testClass);
        context.getStore(NS).put(DECLARED, declared);
        ChaosProxyContainer running = runningContainer(context);
        if (running != null) {
            declared.all().forEach(running::proxy);
            ProxyDeclarations.inject(testClass, null, running, declared);
        }
    }

    /** The running container of this test or class (or an enclosing class), or null. */
    static ChaosProxyContainer runningContainer(ExtensionContext context) {
        ChaosProxyContainer c = context.getStore(NS).get(TEST_CONTAINER, ChaosProxyContainer.class);
        if (c == null) {
            c = enclosingContainer(context);
        }
        if (c == null) {
            c = new ChaosProxyExtension().find(context).orElse(null);
        }
        return c != null && c.isRunning() ? c : null;
    }

    private static ProxyDeclarations declarations(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            ProxyDeclarations found = c.get().getStore(NS).get(DECLARED, ProxyDeclarations.class);
            if (found != null) {
                return found;
            }
        }
        ProxyDeclarations made = ProxyDeclarations.of(context.getRequiredTestClass());
        context.getStore(NS).put(DECLARED, made);
        return made;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ChaosProxyContainer container = context.getStore(NS).get(CLASS_CONTAINER, ChaosProxyContainer.class);
        if (container != null && Boolean.TRUE.equals(context.getStore(NS).get(STARTED_BY_US, Boolean.class))) {
            container.stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Object instance = context.getRequiredTestInstance();
        Field f = instanceField(instance.getClass());
        if (f != null) {
            f.setAccessible(true);
            ChaosProxyContainer c = (ChaosProxyContainer) f.get(instance);
            if (c == null) {
                throw new ExtensionConfigurationException("field " + f.getName() + " is null");
            }
            if (!c.isRunning()) {
                c.start();
                context.getStore(NS).put(TEST_CONTAINER, c);
            }
        }
        ChaosProxyContainer running = runningContainer(context);
        if (running != null) {
            ProxyDeclarations declared = declarations(context);
            declared.all().forEach(running::proxy);
            ProxyDeclarations.inject(instance.getClass(), instance, running, declared);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ChaosProxyContainer started = context.getStore(NS).remove(TEST_CONTAINER, ChaosProxyContainer.class);
        ChaosProxyContainer c = started != null ? started : find(context).orElse(null);
        try {
            if (c != null && c.isRunning()) {
                TrafficCheck.afterTest(context, c.client());
            }
        } finally {
            if (started != null) {
                started.stop();
            } else if (c != null && c.isRunning()) {
                c.reset(); // every toxic removed, every proxy enabled
                // A test may have re-pointed a declared proxy: the next one gets it as declared.
                declarations(context).all().forEach((name, upstream) -> {
                    if (c.client().hasProxy(name)) {
                        ProxyHandle handle = c.client().proxy(name);
                        if (!handle.upstream().equals(upstream)) {
                            handle.setUpstream(upstream);
                        }
                    }
                });
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> type = pc.getParameter().getType();
        if (type == ChaosProxyContainer.class || type == ChaosProxyClient.class) {
            return true;
        }
        return (type == ChaosProxyContainer.Proxy.class || type == ProxyHandle.class) && pc.isAnnotated(ChaosProxy.class);
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        ChaosProxyContainer c = find(ec).orElseThrow(() ->
                new ParameterResolutionException("no chaos-proxy container for " + pc.getParameter()));
        if (!c.isRunning()) {
            throw new ParameterResolutionException("the chaos-proxy container is not running yet for "
                    + pc.getParameter() + " (an instance field is started before each test, not before @BeforeAll)");
        }
        Class<?> type = pc.getParameter().getType();
        if (type == ChaosProxyContainer.class) {
            return c;
        }
        if (type == ChaosProxyClient.class) {
            return c.client();
        }
        ChaosProxy a = pc.findAnnotation(ChaosProxy.class).orElseThrow();
        ProxyDeclarations declared = declarations(ec);
        String where = "parameter " + pc.getParameter().getName() + " of " + pc.getDeclaringExecutable().getName();
        try {
            declared.declare(a, where);
        } catch (ExtensionConfigurationException e) {
            throw new ParameterResolutionException(e.getMessage());
        }
        String upstream;
        try {
            upstream = declared.upstreamOf(a.name(), where);
        } catch (ExtensionConfigurationException e) {
            throw new ParameterResolutionException(e.getMessage());
        }
        ChaosProxyContainer.Proxy proxy = c.proxy(a.name(), upstream);
        return type == ProxyHandle.class ? proxy.handle() : proxy;
    }

    private Optional<ChaosProxyContainer> find(ExtensionContext context) {
        ChaosProxyContainer perTest = context.getStore(NS).get(TEST_CONTAINER, ChaosProxyContainer.class);
        if (perTest != null) {
            return Optional.of(perTest);
        }
        Optional<Object> instance = context.getTestInstance();
        if (instance.isPresent()) {
            Field f = instanceField(instance.get().getClass());
            if (f != null) {
                try {
                    f.setAccessible(true);
                    return Optional.ofNullable((ChaosProxyContainer) f.get(instance.get()));
                } catch (IllegalAccessException e) {
                    throw new ExtensionConfigurationException("cannot read " + f, e);
                }
            }
        }
        return Optional.ofNullable(enclosingContainer(context));
    }

    /** The class-level container of this class or of an enclosing one (for {@code @Nested} classes). */
    private static ChaosProxyContainer enclosingContainer(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            ChaosProxyContainer found = c.get().getStore(NS).get(CLASS_CONTAINER, ChaosProxyContainer.class);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static ChaosProxyContainer staticContainer(Class<?> testClass) throws IllegalAccessException {
        for (Class<?> k = testClass; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ChaosProxyContainer.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    ChaosProxyContainer c = (ChaosProxyContainer) f.get(null);
                    if (c == null) {
                        throw new ExtensionConfigurationException("static field " + f.getName() + " is null");
                    }
                    return c;
                }
            }
        }
        return null;
    }

    private static Field instanceField(Class<?> testClass) {
        for (Class<?> k = testClass; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && ChaosProxyContainer.class.isAssignableFrom(f.getType())) {
                    return f;
                }
            }
        }
        return null;
    }
}
