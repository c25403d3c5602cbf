package io.chaosproxy.testcontainers;

import io.chaosproxy.client.ProxyHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The proxies a test class declares with {@link ChaosProxy} (on the class, on fields, or on a parameter that names
 * an upstream), by name: one upstream per name for the whole class.
 */
final class ProxyDeclarations {
    private final Map<String, String> upstreamByName = new LinkedHashMap<>();

    /** The class's own declarations: its annotations (and its enclosing classes'), and annotated fields. */
    static ProxyDeclarations of(Class<?> testClass) {
        ProxyDeclarations d = new ProxyDeclarations();
        for (Class<?> k = testClass; k != null; k = k.getEnclosingClass()) {
            for (ChaosProxy a : AnnotationSupport.findRepeatableAnnotations(k, ChaosProxy.class)) {
                d.declare(a, "class " + k.getSimpleName());
            }
            for (Field f : fields(k)) {
                d.declare(f.getAnnotation(ChaosProxy.class), "field " + f.getName());
            }
        }
        return d;
    }

    static Iterable<Field> fields(Class<?> testClass) {
        return AnnotationSupport.findAnnotatedFields(testClass, ChaosProxy.class);
    }

    /** Records a declaration; a second one with another upstream is an error, not a silent re-point. */
    synchronized void declare(ChaosProxy a, String where) {
        if (a.upstream().isEmpty()) {
            return; // a use by name
        }
        String known = upstreamByName.putIfAbsent(a.name(), a.upstream());
        if (known != null && !known.equals(a.upstream())) {
            throw new ExtensionConfigurationException("proxy '" + a.name() + "' is declared with upstream " + known
                    + " and again, at " + where + ", with upstream " + a.upstream()
                    + ": one name, one upstream per test class (use another name for another upstream)");
        }
    }

    /** The upstream declared for {@code name}, or a clear error. */
    synchronized String upstreamOf(String name, String where) {
        String upstream = upstreamByName.get(name);
        if (upstream == null) {
            throw new ExtensionConfigurationException("proxy '" + name + "' at " + where + " has no upstream: "
                    + "declare it once with @ChaosProxy(name = \"" + name + "\", upstream = \"host:port\") on the "
                    + "test class, a field, or this parameter");
        }
        return upstream;
    }

    synchronized Map<String, String> all() {
        return Map.copyOf(upstreamByName);
    }

    /** Sets every annotated field of {@code target} (static ones when {@code target} is null) to its proxy. */
    static void inject(Class<?> testClass, Object target, ChaosProxyContainer container, ProxyDeclarations d) {
        for (Field f : fields(testClass)) {
            if (Modifier.isStatic(f.getModifiers()) != (target == null)) {
                continue;
            }
            ChaosProxy a = f.getAnnotation(ChaosProxy.class);
            ChaosProxyContainer.Proxy proxy = container.proxy(a.name(), d.upstreamOf(a.name(), "field " + f.getName()));
            Object value;
            if (f.getType() == ChaosProxyContainer.Proxy.class) {
                value = proxy;
            } else if (f.getType() == ProxyHandle.class) {
                value = proxy.handle();
            } else {
                throw new ExtensionConfigurationException("@ChaosProxy field " + f.getName()
                        + " must be a ChaosProxyContainer.Proxy or a ProxyHandle");
            }
            try {
                f.setAccessible(true);
                f.set(target, value);
            } catch (IllegalAccessException e) {
                throw new ExtensionConfigurationException("cannot set " + f, e);
            }
        }
    }
}
