package org.irpemu.flt.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test against a fresh emulated volume — the reference file system, the Filter Manager with
 * the {@link #filters()} attached, an I/O manager, and the minifilter verifier — handed to the test as a
 * {@link FilterTestVolume} parameter. After the test the filters are unloaded (their instances torn
 * down and drained) and the test fails if the verifier found a failure or a dispatcher thread reported
 * an error.
 *
 * <pre>{@code
 * @FilterTest(filters = @Attach(value = MyFilter.class, altitude = "370000"), files = "\\data.txt:4096")
 * class MyFilterTest {
 *     @Test
 *     void refusesTheSecretFile(FilterTestVolume volume) {
 *         assertThat(volume.create("\\secret.txt", FILE_READ_DATA).status()).isEqualTo(STATUS_ACCESS_DENIED);
 *     }
 * }
 * }</pre>
 *
 * <p>On a method, it replaces the class's annotation for that test.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
@ExtendWith(FilterTestExtension.class)
public @interface FilterTest {
    /** The minifilters to attach, in any order (altitudes decide). */
    Attach[] filters() default {};

    /**
     * Files (and their directories) on the volume before the test: {@code "\\dir\\name"} (empty) or
     * {@code "\\dir\\name:size"} (size bytes of zeros); a trailing backslash makes a directory.
     */
    String[] files() default {};

    /** Dispatcher threads of the I/O manager. */
    int dispatchers() default 1;

    /** Run the minifilter verifier (every rule on FAIL). */
    boolean verifier() default true;

    /** The verifier's break acknowledgment timeout, ms. */
    long breakAcknowledgmentTimeoutMillis() default 30_000;

    /** The verifier's teardown timeout for pended operations, ms. */
    long teardownTimeoutMillis() default 5_000;
}
