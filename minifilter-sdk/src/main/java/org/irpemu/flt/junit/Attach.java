package org.irpemu.flt.junit;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One minifilter of a {@link FilterTest} volume: its class and altitude. The class needs a public no-argument
 * constructor and a {@code registration()} method (instance or static) returning its
 * {@code FltRegistration}, as the samples have.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Attach {
    /** The filter's class. */
    Class<?> value();

    /**
     * A decimal altitude; empty: the class's {@code DEFAULT_ALTITUDE} constant.
     */
    String altitude() default "";
}
