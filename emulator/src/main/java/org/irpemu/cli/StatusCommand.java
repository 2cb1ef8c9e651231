package org.irpemu.cli;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.irpemu.status.NtStatus;
import org.irpemu.status.Win32Error;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code irpemu status CODE|NAME}: value, symbol, severity, Win32 code and message of an NTSTATUS or a
 * Win32 error, looked up in either direction. A hexadecimal number is tried as an NTSTATUS first, a
 * decimal number as a Win32 error first; every match is printed.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Explains an NTSTATUS or Win32 code: 0xC00000E2, STATUS_OPLOCK_NOT_GRANTED,",
            "ERROR_OPLOCK_NOT_GRANTED or 300. Exit status 1 when the code is unknown."})
public final class StatusCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CODE|NAME", description = "a number (hex 0x... or decimal) or a symbol")
    String code;

    @Override
    public Integer call() {
        String text = code.trim();
        boolean found = false;
        OptionalInt status = NtStatus.fromSymbol(text.toUpperCase(Locale.ROOT));
        OptionalInt error = Win32Error.fromSymbol(text.toUpperCase(Locale.ROOT));
        if (status.isPresent()) {
            printStatus(status.getAsInt());
            found = true;
        } else if (error.isPresent()) {
            printWin32(error.getAsInt());
            found = true;
        } else {
            Long value = parse(text);
            if (value != null) {
                boolean hex = text.toLowerCase(Locale.ROOT).startsWith("0x");
                int v = (int) (long) value;
                if (hex) {
                    found = tryStatus(v) | tryWin32(value);
                } else {
                    found = tryWin32(value) | tryStatus(v);
                }
            }
        }
        if (!found) {
            System.out.println(text + ": not an NTSTATUS or Win32 code irpemu knows");
            return 1;
        }
        return 0;
    }

    private static Long parse(String text) {
        try {
            if (text.toLowerCase(Locale.ROOT).startsWith("0x")) {
                return Long.parseLong(text.substring(2), 16);
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean tryStatus(int v) {
        if (!NtStatus.isKnown(v)) {
            return false;
        }
        printStatus(v);
        return true;
    }

    private static boolean tryWin32(long v) {
        if (v < 0 || v > Integer.MAX_VALUE || !Win32Error.isKnown((int) v)) {
            return false;
        }
        printWin32((int) v);
        return true;
    }

    private static void printStatus(int v) {
        int win32 = NtStatus.toWin32(v);
        System.out.println(NtStatus.hex(v) + " " + NtStatus.symbol(v));
        System.out.println("  severity:  " + NtStatus.severity(v) + " (NT_SUCCESS " + NtStatus.ntSuccess(v) + ")");
        System.out.println("  win32:     " + win32 + " " + Win32Error.symbol(win32));
        System.out.println("  message:   " + Win32Error.message(win32));
        System.out.println("  procmon:   " + NtStatus.procmonText(v));
    }

    private static void printWin32(int v) {
        System.out.println(v + " (0x" + Integer.toHexString(v).toUpperCase(Locale.ROOT) + ") " + Win32Error.symbol(v));
        System.out.println("  message:   " + Win32Error.message(v));
        StringBuilder from = new StringBuilder();
        for (var e : NtStatus.all().entrySet()) {
            if (NtStatus.toWin32(e.getKey()) == v) {
                from.append(from.length() > 0 ? ", " : "").append(e.getValue());
            }
        }
        if (from.length() > 0) {
            System.out.println("  from:      " + from);
        }
    }
}
