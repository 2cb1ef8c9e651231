package org.irpemu.irp;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The names of a class's {@code public static final int} constants, read once by reflection so that
 * every WDK symbol is written exactly once, in the constant's declaration.
 *
 * <p>Used to print values ({@code IRP_MJ_CREATE}), flag sets
 * ({@code FILE_READ_DATA|FILE_WRITE_DATA}) and to parse them back in scenarios and traces.
 */
public final class SymbolTable {
    private final Map<Integer, String> byValue;
    private final Map<String, Integer> byName;
    private final List<Map.Entry<Integer, String>> singleBits;

    private SymbolTable(Map<Integer, String> byValue, Map<String, Integer> byName) {
        this.byValue = Collections.unmodifiableMap(byValue);
        this.byName = Collections.unmodifiableMap(byName);
        List<Map.Entry<Integer, String>> bits = new ArrayList<>();
        for (Map.Entry<Integer, String> e : byValue.entrySet()) {
            if (Integer.bitCount(e.getKey()) == 1) {
                bits.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        bits.sort((a, b) -> Integer.compareUnsigned(a.getKey(), b.getKey()));
        this.singleBits = Collections.unmodifiableList(bits);
    }

    /**
     * Reads the constants of {@code type} whose names start with one of {@code prefixes}. Where two
     * names share a value (aliases such as {@code FILE_LIST_DIRECTORY} and {@code FILE_READ_DATA}),
     * the one declared first is the value's name.
     */
    public static SymbolTable of(Class<?> type, String... prefixes) {
        Map<Integer, String> byValue = new TreeMap<>(Integer::compareUnsigned);
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || f.getType() != int.class) {
                continue;
            }
            for (String prefix : prefixes) {
                if (f.getName().startsWith(prefix)) {
                    try {
                        int value = f.getInt(null);
                        byName.put(f.getName(), value);
                        byValue.putIfAbsent(value, f.getName()); // the first declared name wins
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                    break;
                }
            }
        }
        return new SymbolTable(byValue, byName);
    }

    /**
     * Reads exactly the named constants of {@code type} (for tables where one name is the prefix of
     * another that must stay out, as FILE_OPEN and FILE_OPENED).
     *
     * @throws IllegalArgumentException when a name is not an int constant of the class
     */
    public static SymbolTable ofNames(Class<?> type, String... names) {
        Map<Integer, String> byValue = new TreeMap<>(Integer::compareUnsigned);
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (String name : names) {
            try {
                int value = type.getField(name).getInt(null);
                byName.put(name, value);
                byValue.putIfAbsent(value, name);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no int constant " + name, e);
            }
        }
        return new SymbolTable(byValue, byName);
    }

    /** @return the name declared first for {@code value}, or {@code null} */
    public String name(int value) {
        return byValue.get(value);
    }

    /** @return the name for {@code value}, or {@code 0x%X} when there is none */
    public String nameOrHex(int value) {
        String n = byValue.get(value);
        return n != null ? n : "0x" + Integer.toHexString(value).toUpperCase(java.util.Locale.ROOT);
    }

    /** @return the value of {@code name}, or empty */
    public OptionalInt value(String name) {
        Integer v = byName.get(name);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** @return every name and its value, in declaration order */
    public Map<String, Integer> names() {
        return byName;
    }

    /**
     * Prints a flag set as its single-bit names joined with {@code |}, lowest bit first; bits with no
     * name are printed as one hex remainder. Zero prints as {@code 0}.
     */
    public String formatFlags(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        int rest = flags;
        for (Map.Entry<Integer, String> e : singleBits) {
            if ((rest & e.getKey()) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(e.getValue());
                rest &= ~e.getKey();
            }
        }
        if (rest != 0) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append("0x").append(Integer.toHexString(rest).toUpperCase(java.util.Locale.ROOT));
        }
        return sb.toString();
    }
}
