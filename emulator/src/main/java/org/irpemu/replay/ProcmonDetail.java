package org.irpemu.replay;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.ShareAccessFlags;

/**
 * Parsing of Process Monitor's Detail column: {@code Key: value, Key: value} where list values are
 * themselves separated by ", " (Desired Access, Options, ShareMode), and numbers carry thousands
 * separators ({@code 1,234}). Unknown words are reported as {@link IllegalArgumentException} so that the
 * row counts as malformed.
 */
final class ProcmonDetail {
    /** A key starts a field: "Desired Access: ", "Offset: ", "I/O Flags: " ... */
    private static final Pattern KEY = Pattern.compile("(?:^|, )([A-Z][A-Za-z/ ]*?): ");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("h:mm:ss.SSSSSSS a", Locale.US);

    private ProcmonDetail() {
    }

    /** Splits a Detail text into its fields, in order. */
    static Map<String, String> fields(String detail) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = KEY.matcher(detail);
        String key = null;
        int valueStart = 0;
        while (m.find()) {
            if (key != null) {
                out.put(key, detail.substring(valueStart, m.start()));
            }
            key = m.group(1);
            valueStart = m.end();
        }
        if (key != null) {
            out.put(key, detail.substring(valueStart));
        }
        return out;
    }

    /** A number with thousands separators. */
    static long number(String text) {
        String t = text.trim().replace(",", "");
        if (t.isEmpty()) {
            throw new IllegalArgumentException("missing number");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + text, e);
        }
    }

    /** "Desired Access: Generic Read, Read Attributes, ..." as an ACCESS_MASK. */
    static int desiredAccess(String text) {
        int mask = 0;
        for (String item : list(text)) {
            switch (item) {
                case "Generic Read": mask |= AccessMask.GENERIC_READ; break;
                case "Generic Write": mask |= AccessMask.GENERIC_WRITE; break;
                case "Generic Execute": mask |= AccessMask.GENERIC_EXECUTE; break;
                case "Generic All": mask |= AccessMask.GENERIC_ALL; break;
                case "Generic Read/Write": mask |= AccessMask.GENERIC_READ | AccessMask.GENERIC_WRITE; break;
                case "Generic Read/Execute": mask |= AccessMask.GENERIC_READ | AccessMask.GENERIC_EXECUTE; break;
                case "Generic Write/Execute": mask |= AccessMask.GENERIC_WRITE | AccessMask.GENERIC_EXECUTE; break;
                case "Generic Read/Write/Execute":
                    mask |= AccessMask.GENERIC_READ | AccessMask.GENERIC_WRITE | AccessMask.GENERIC_EXECUTE;
                    break;
                case "All Access": mask |= AccessMask.FILE_ALL_ACCESS; break;
                case "Read Data/List Directory": mask |= AccessMask.FILE_READ_DATA; break;
                case "Write Data/Add File": mask |= AccessMask.FILE_WRITE_DATA; break;
                case "Append Data/Add Subdirectory/Create Pipe Instance": mask |= AccessMask.FILE_APPEND_DATA; break;
                case "Read EA": mask |= AccessMask.FILE_READ_EA; break;
                case "Write EA": mask |= AccessMask.FILE_WRITE_EA; break;
                case "Execute/Traverse": mask |= AccessMask.FILE_EXECUTE; break;
                case "Delete Child": mask |= AccessMask.FILE_DELETE_CHILD; break;
                case "Read Attributes": mask |= AccessMask.FILE_READ_ATTRIBUTES; break;
                case "Write Attributes": mask |= AccessMask.FILE_WRITE_ATTRIBUTES; break;
                case "Delete": mask |= AccessMask.DELETE; break;
                case "Read Control": mask |= AccessMask.READ_CONTROL; break;
                case "Write DAC": mask |= AccessMask.WRITE_DAC; break;
                case "Write Owner": mask |= AccessMask.WRITE_OWNER; break;
                case "Synchronize": mask |= AccessMask.SYNCHRONIZE; break;
                case "Access System Security": mask |= AccessMask.ACCESS_SYSTEM_SECURITY; break;
                case "Maximum Allowed": mask |= AccessMask.MAXIMUM_ALLOWED; break;
                case "None": break;
                default:
                    if (item.startsWith("0x")) {
                        mask |= (int) Long.parseLong(item.substring(2), 16);
                        break;
                    }
                    throw new IllegalArgumentException("unknown desired access '" + item + "'");
            }
        }
        return mask;
    }

    /** "ShareMode: Read, Write, Delete" or "None". */
    static int shareMode(String text) {
        int share = 0;
        for (String item : list(text)) {
            switch (item) {
                case "Read": share |= ShareAccessFlags.FILE_SHARE_READ; break;
                case "Write": share |= ShareAccessFlags.FILE_SHARE_WRITE; break;
                case "Delete": share |= ShareAccessFlags.FILE_SHARE_DELETE; break;
                case "None": break;
                default: throw new IllegalArgumentException("unknown share mode '" + item + "'");
            }
        }
        return share;
    }

    static int disposition(String text) {
        switch (text.trim()) {
            case "Supersede": return CreateDisposition.FILE_SUPERSEDE;
            case "Open": return CreateDisposition.FILE_OPEN;
            case "Create": return CreateDisposition.FILE_CREATE;
            case "OpenIf": return CreateDisposition.FILE_OPEN_IF;
            case "Overwrite": return CreateDisposition.FILE_OVERWRITE;
            case "OverwriteIf": return CreateDisposition.FILE_OVERWRITE_IF;
            default: throw new IllegalArgumentException("unknown disposition '" + text + "'");
        }
    }

    /** "Options: Synchronous IO Non-Alert, Non-Directory File, ..." as CreateOptions bits. */
    static int options(String text) {
        int options = 0;
        for (String item : list(text)) {
            switch (item) {
                case "Directory": options |= CreateOptions.FILE_DIRECTORY_FILE; break;
                case "Write Through": options |= CreateOptions.FILE_WRITE_THROUGH; break;
                case "Sequential Access": options |= CreateOptions.FILE_SEQUENTIAL_ONLY; break;
                case "No Buffering": options |= CreateOptions.FILE_NO_INTERMEDIATE_BUFFERING; break;
                case "Synchronous IO Alert": options |= CreateOptions.FILE_SYNCHRONOUS_IO_ALERT; break;
                case "Synchronous IO Non-Alert": options |= CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT; break;
                case "Non-Directory File": options |= CreateOptions.FILE_NON_DIRECTORY_FILE; break;
                case "Create Tree Connection": options |= CreateOptions.FILE_CREATE_TREE_CONNECTION; break;
                case "Complete If Oplocked": options |= CreateOptions.FILE_COMPLETE_IF_OPLOCKED; break;
                case "No EA Knowledge": options |= CreateOptions.FILE_NO_EA_KNOWLEDGE; break;
                case "Open Remote Instance": options |= CreateOptions.FILE_OPEN_REMOTE_INSTANCE; break;
                case "Random Access": options |= CreateOptions.FILE_RANDOM_ACCESS; break;
                case "Delete On Close": options |= CreateOptions.FILE_DELETE_ON_CLOSE; break;
                case "Open By ID": options |= CreateOptions.FILE_OPEN_BY_FILE_ID; break;
                case "Open For Backup": options |= CreateOptions.FILE_OPEN_FOR_BACKUP_INTENT; break;
                case "No Compression": options |= CreateOptions.FILE_NO_COMPRESSION; break;
                case "Open Requiring Oplock": options |= CreateOptions.FILE_OPEN_REQUIRING_OPLOCK; break;
                case "Disallow Exclusive": options |= CreateOptions.FILE_DISALLOW_EXCLUSIVE; break;
                case "Session Aware": options |= CreateOptions.FILE_SESSION_AWARE; break;
                case "Reserve OpFilter": options |= CreateOptions.FILE_RESERVE_OPFILTER; break;
                case "Open Reparse Point": options |= CreateOptions.FILE_OPEN_REPARSE_POINT; break;
                case "Open No Recall": options |= CreateOptions.FILE_OPEN_NO_RECALL; break;
                case "Open For Free Space Query": options |= CreateOptions.FILE_OPEN_FOR_FREE_SPACE_QUERY; break;
                default: throw new IllegalArgumentException("unknown create option '" + item + "'");
            }
        }
        return options;
    }

    /** Attribute letters ("A", "HSA", "NCI") or "n/a" (0). */
    static int attributes(String text) {
        String t = text.trim();
        if (t.equals("n/a") || t.isEmpty()) {
            return 0;
        }
        int attributes = 0;
        for (char c : t.toCharArray()) {
            switch (c) {
                case 'R': attributes |= FileAttributes.FILE_ATTRIBUTE_READONLY; break;
                case 'H': attributes |= FileAttributes.FILE_ATTRIBUTE_HIDDEN; break;
                case 'S': attributes |= FileAttributes.FILE_ATTRIBUTE_SYSTEM; break;
                case 'D': attributes |= FileAttributes.FILE_ATTRIBUTE_DIRECTORY; break;
                case 'A': attributes |= FileAttributes.FILE_ATTRIBUTE_ARCHIVE; break;
                case 'N': attributes |= FileAttributes.FILE_ATTRIBUTE_NORMAL; break;
                case 'T': attributes |= FileAttributes.FILE_ATTRIBUTE_TEMPORARY; break;
                case 'P': attributes |= FileAttributes.FILE_ATTRIBUTE_SPARSE_FILE; break;
                case 'L': attributes |= FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT; break;
                case 'C': attributes |= FileAttributes.FILE_ATTRIBUTE_COMPRESSED; break;
                case 'O': attributes |= FileAttributes.FILE_ATTRIBUTE_OFFLINE; break;
                case 'I': attributes |= FileAttributes.FILE_ATTRIBUTE_NOT_CONTENT_INDEXED; break;
                case 'E': attributes |= FileAttributes.FILE_ATTRIBUTE_ENCRYPTED; break;
                default: throw new IllegalArgumentException("unknown attribute letter '" + c + "' in " + text);
            }
        }
        return attributes;
    }

    /**
     * A Time of Day ({@code 1:18:12.3391406 AM}) as 100-nanosecond ticks since midnight.
     *
     * @return the ticks, or -1 when the text is not such a time
     */
    static long ticks(String text) {
        if (text == null || text.isEmpty()) {
            return -1;
        }
        try {
            LocalTime t = LocalTime.parse(text.trim(), TIME);
            return t.toNanoOfDay() / 100;
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    private static String[] list(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new String[0];
        }
        return t.split(", ");
    }
}
