package org.irpemu.status;

/**
 * The severity field of an NTSTATUS value: its top two bits (bits 31..30).
 *
 * <p>Source: [MS-ERREF] 2.3 "NTSTATUS" and the {@code NT_SUCCESS}, {@code NT_INFORMATION},
 * {@code NT_WARNING} and {@code NT_ERROR} macros of {@code ntdef.h}.
 */
public enum Severity {
    /** Sev 0: {@code STATUS_SEVERITY_SUCCESS}; {@code NT_SUCCESS} is true. */
    SUCCESS,
    /** Sev 1: {@code STATUS_SEVERITY_INFORMATIONAL}; {@code NT_SUCCESS} is true. */
    INFORMATIONAL,
    /** Sev 2: {@code STATUS_SEVERITY_WARNING}; {@code NT_SUCCESS} is false, {@code NT_ERROR} is false. */
    WARNING,
    /** Sev 3: {@code STATUS_SEVERITY_ERROR}; {@code NT_ERROR} is true. */
    ERROR;

    /**
     * The severity of an NTSTATUS value.
     *
     * @param status any 32-bit NTSTATUS value
     * @return the severity encoded in bits 31..30
     */
    public static Severity of(int status) {
        return values()[status >>> 30];
    }
}
