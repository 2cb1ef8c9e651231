package org.irpemu.flt.junit;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import org.irpemu.flt.FilterManager;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltVerifier;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link FilterTest}: builds the volume before each test, resolves
 * {@link FilterTestVolume} parameters, and after the test unloads the filters and fails it on verifier
 * failures or dispatcher errors.
 */
public final class FilterTestExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FilterTestExtension.class);
    private static final String VOLUME = "volume";

    @Override
    public void beforeEach(ExtensionContext context) {
        FilterTest config = configuration(context);
        ReferenceFileSystem fs;
        FilterTestTrace trace = new FilterTestTrace();
        FltVerifier verifier = config.verifier() ? new FltVerifier()
                .breakAcknowledgmentTimeout(config.breakAcknowledgmentTimeoutMillis())
                .teardownTimeout(config.teardownTimeoutMillis()) : null;
        fs = new ReferenceFileSystem(verifier == null ? trace : (kind, oplock, open, irp, detail, rule) -> {
            trace.onEvent(kind, oplock, open, irp, detail, rule);
            verifier.onEvent(kind, oplock, open, irp, detail, rule);
        });
        for (String file : config.files()) {
            populate(fs, file);
        }
        FilterManager flt = new FilterManager(fs.volumeDevice());
        flt.verifier(verifier);
        flt.oplockObserver(verifier);
        IoManager io = IoManager.builder().dispatchers(config.dispatchers()).listener(trace).start();
        FilterTestVolume volume = new FilterTestVolume(fs, flt, io, trace, verifier);
        context.getStore(NAMESPACE).put(VOLUME, volume);
        for (Attach a : config.filters()) {
            Object filter = instantiate(a.value());
            volume.attach(a.value(), filter, registration(filter, a.value()), altitude(a));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        FilterTestVolume volume = context.getStore(NAMESPACE).remove(VOLUME, FilterTestVolume.class);
        if (volume == null) {
            return;
        }
        List<String> problems = volume.shutDown();
        if (!problems.isEmpty() && context.getExecutionException().isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s) on the filter test volume:\n  "
                    + String.join("\n  ", problems));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FilterTestVolume.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        FilterTestVolume volume = context.getStore(NAMESPACE).get(VOLUME, FilterTestVolume.class);
        if (volume == null) {
            throw new ParameterResolutionException("no filter test volume: is the test annotated with @FilterTest?");
        }
        return volume;
    }

    private static FilterTest configuration(ExtensionContext context) {
        Optional<FilterTest> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, FilterTest.class));
        if (onMethod.isPresent()) {
            return onMethod.get();
        }
        return context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, FilterTest.class))
                .orElseThrow(() -> new ExtensionConfigurationException("@FilterTest is missing"));
    }

    /** {@code "\\dir\\file"}, {@code "\\dir\\file:size"} or {@code "\\dir\\"}. */
    private static void populate(ReferenceFileSystem fs, String spec) {
        if (spec.endsWith("\\")) {
            fs.createDirectories(spec.substring(0, spec.length() - 1));
            return;
        }
        int colon = spec.lastIndexOf(':');
        long size = 0;
        String path = spec;
        if (colon > 0) {
            try {
                size = Long.parseLong(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ExtensionConfigurationException("@FilterTest files: bad size in '" + spec + "'");
            }
            path = spec.substring(0, colon);
        }
        fs.createFile(path, size, 0);
    }

    private static Object instantiate(Class<?> type) {
        try {
            Constructor<?> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (NoSuchMethodException e) {
            return null; // a class with only static members (PassThrough)
        } catch (ReflectiveOperationException e) {
            throw new ExtensionConfigurationException("cannot create " + type.getName() + ": " + e, e);
        }
    }

    private static FltRegistration registration(Object filter, Class<?> type) {
        try {
            Method m = type.getMethod("registration");
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            if (!isStatic && filter == null) {
                throw new ExtensionConfigurationException(type.getName() + " needs a no-argument constructor");
            }
            return (FltRegistration) m.invoke(isStatic ? null : filter);
        } catch (NoSuchMethodException e) {
            throw new ExtensionConfigurationException(type.getName() + " has no registration() method", e);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ExtensionConfigurationException("cannot get the registration of " + type.getName() + ": " + e, e);
        }
    }

    private static String altitude(Attach a) {
        if (!a.altitude().isEmpty()) {
            return a.altitude();
        }
        try {
            Field f = a.value().getField("DEFAULT_ALTITUDE");
            return (String) f.get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new ExtensionConfigurationException(a.value().getName()
                    + " has no DEFAULT_ALTITUDE: give @Attach(altitude = ...)", e);
        }
    }
}
