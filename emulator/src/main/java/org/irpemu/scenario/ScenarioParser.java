package org.irpemu.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.irp.SymbolTable;
import org.irpemu.status.NtStatus;

/**
 * Parses the {@code .scenario} language of {@code scenario-format.md}. Any error stops the parse with a
 * {@link ScenarioParseException} whose message is {@code file:line: what is wrong}.
 */
final class ScenarioParser {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String file;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Step> labels = new HashMap<>();
    private final Set<String> createdHandles = new HashSet<>();
    private final Map<String, UUID> keys = new HashMap<>();
    private int line;

    private ScenarioParser(String file) {
        this.file = file;
    }

    /**
     * @param file the name used in error messages
     * @param text the whole file
     * @return the steps, in order
     * @throws ScenarioParseException at the first error
     */
    static List<Step> parse(String file, String text) {
        ScenarioParser p = new ScenarioParser(file);
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            p.line = i + 1;
            p.parseLine(lines[i]);
        }
        return p.steps;
    }

    private ScenarioParseException error(String message) {
        return new ScenarioParseException(file + ":" + line + ": " + message);
    }

    // ---------------------------------------------------------------------------------------------
    // Lexing
    // ---------------------------------------------------------------------------------------------

    private List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '#') {
                break;
            } else {
                StringBuilder sb = new StringBuilder();
                boolean quoted = false;
                while (i < n) {
                    c = text.charAt(i);
                    if (c == '"') {
                        quoted = !quoted;
                        i++;
                        continue;
                    }
                    if (!quoted && (c == ' ' || c == '\t' || c == '#')) {
                        break;
                    }
                    sb.append(c);
                    i++;
                }
                if (quoted) {
                    throw error("unterminated double quote");
                }
                tokens.add(sb.toString());
            }
        }
        return tokens;
    }

    // ---------------------------------------------------------------------------------------------
    // Lines
    // ---------------------------------------------------------------------------------------------

    private void parseLine(String text) {
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            return;
        }
        String source = String.join(" ", tokens);
        String label = null;
        if (tokens.get(0).endsWith(":") && tokens.get(0).length() > 1) {
            label = tokens.remove(0);
            label = label.substring(0, label.length() - 1);
            if (!IDENTIFIER.matcher(label).matches()) {
                throw error("label '" + label + "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (labels.containsKey(label)) {
                throw error("label '" + label + "' is already used at line " + labels.get(label).line);
            }
            if (tokens.isEmpty()) {
                throw error("label '" + label + "' has no step");
            }
        }
        String expected = null;
        int arrow = tokens.indexOf("->");
        if (arrow >= 0) {
            if (arrow != tokens.size() - 2) {
                throw error("'->' must be followed by exactly one status at the end of the line");
            }
            expected = tokens.get(arrow + 1);
            tokens = new ArrayList<>(tokens.subList(0, arrow));
            if (tokens.isEmpty()) {
                throw error("'->' without a step");
            }
        }
        String verb = tokens.get(0);
        List<String> args = tokens.subList(1, tokens.size());
        Step step;
        switch (verb) {
            case "create": step = create(label, args); break;
            case "fsctl": step = fsctl(label, args); break;
            case "read": step = handleOp(label, Step.HandleOp.READ, verb, args, true); break;
            case "write": step = handleOp(label, Step.HandleOp.WRITE, verb, args, true); break;
            case "lock": step = handleOp(label, Step.HandleOp.LOCK, verb, args, true); break;
            case "unlock": step = handleOp(label, Step.HandleOp.UNLOCK, verb, args, true); break;
            case "flush": step = handleOp(label, Step.HandleOp.FLUSH, verb, args, false); break;
            case "setsecurity": step = handleOp(label, Step.HandleOp.SET_SECURITY, verb, args, false); break;
            case "close": step = handleOp(label, Step.HandleOp.CLOSE, verb, args, false); break;
            case "query": step = query(label, args); break;
            case "setinfo": step = setinfo(label, args); break;
            case "cancel": step = cancel(label, args); break;
            case "expect": step = expect(label, args); break;
            case "attach": step = attach(label, args); break;
            default:
                throw error("unknown step '" + verb + "' (create, fsctl, read, write, lock, unlock, flush, query,"
                        + " setinfo, setsecurity, close, cancel, expect, attach)");
        }
        if (expected != null) {
            if (step instanceof Step.Cancel || step instanceof Step.Expect || step instanceof Step.Attach) {
                throw error("'" + verb + "' sends no request: it cannot have '-> STATUS'");
            }
            Step.Expectation e = new Step.Expectation();
            e.status = status(expected);
            step.inline = e;
        }
        if (label != null) {
            labels.put(label, step);
        }
        step.text = source;
        steps.add(step);
    }

    private Step create(String label, List<String> args) {
        if (args.size() < 2) {
            throw error("create needs a handle and a path: create HANDLE PATH [access=...] ...");
        }
        String handle = handleName(args.get(0));
        String path = args.get(1);
        if (path.isEmpty() || path.matches("(access|share|disposition|options|attributes|key|parentkey)=.*")) {
            throw error("create needs a path after the handle");
        }
        Step.Create c = new Step.Create(line, label, handle, path);
        c.access = AccessMask.FILE_READ_DATA;
        c.share = ShareAccessFlags.FILE_SHARE_VALID_FLAGS;
        c.disposition = CreateDisposition.FILE_OPEN_IF;
        c.attributes = FileAttributes.FILE_ATTRIBUTE_NORMAL;
        for (String arg : args.subList(2, args.size())) {
            String[] kv = keyValue(arg, "create");
            switch (kv[0]) {
                case "access": c.access = flags(kv[1], AccessMask.symbols(), "access right"); break;
                case "share": c.share = share(kv[1]); break;
                case "disposition": c.disposition = flags(kv[1], CreateDisposition.symbols(), "disposition"); break;
                case "options": c.options = flags(kv[1], CreateOptions.symbols(), "create option"); break;
                case "attributes": c.attributes = flags(kv[1], FileAttributes.symbols(), "file attribute"); break;
                case "key": c.key = key(kv[1]); c.keyName = kv[1]; break;
                case "parentkey": c.parentKey = key(kv[1]); break;
                default: throw error("unknown argument '" + kv[0] + "' for create"
                        + " (access, share, disposition, options, attributes, key, parentkey)");
            }
        }
        createdHandles.add(handle);
        return c;
    }

    private Step fsctl(String label, List<String> args) {
        if (args.size() < 2) {
            throw error("fsctl needs a handle and a control code: fsctl HANDLE CONTROL_CODE [level=...] ...");
        }
        String handle = usedHandle(args.get(0));
        String codeText = args.get(1);
        OptionalInt code = FsControlCode.fromName(codeText);
        int value;
        if (code.isPresent()) {
            value = code.getAsInt();
        } else if (isNumber(codeText)) {
            value = (int) number(codeText, "control code");
        } else {
            throw error("unknown control code '" + codeText + "'");
        }
        Step.Fsctl f = new Step.Fsctl(line, label, handle, value);
        f.flags = RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST;
        for (String arg : args.subList(2, args.size())) {
            String[] kv = keyValue(arg, "fsctl");
            switch (kv[0]) {
                case "level": f.level = level(kv[1]); break;
                case "flags": f.flags = inputFlags(kv[1]); break;
                case "inlen": f.inputLength = (int) number(kv[1], "inlen"); break;
                case "outlen": f.outputLength = (int) number(kv[1], "outlen"); break;
                case "version": f.version = (int) number(kv[1], "version"); break;
                case "offset": f.offset = number(kv[1], "offset"); break;
                case "length": f.length = number(kv[1], "length"); break;
                default: throw error("unknown argument '" + kv[0] + "' for fsctl"
                        + " (level, flags, inlen, outlen, version, offset, length)");
            }
        }
        return f;
    }

    private Step handleOp(String label, int kind, String verb, List<String> args, boolean ranges) {
        if (args.isEmpty()) {
            throw error(verb + " needs a handle");
        }
        Step.HandleOp op = new Step.HandleOp(line, label, kind, usedHandle(args.get(0)));
        for (String arg : args.subList(1, args.size())) {
            if (kind == Step.HandleOp.LOCK && arg.equals("shared")) {
                op.shared = true;
                continue;
            }
            if (kind == Step.HandleOp.LOCK && arg.equals("wait")) {
                op.wait = true;
                continue;
            }
            if (!ranges) {
                throw error(verb + " takes only a handle, not '" + arg + "'");
            }
            String[] kv = keyValue(arg, verb);
            switch (kv[0]) {
                case "offset": op.offset = number(kv[1], "offset"); break;
                case "length": op.length = number(kv[1], "length"); break;
                default: throw error("unknown argument '" + kv[0] + "' for " + verb + " (offset, length"
                        + (kind == Step.HandleOp.LOCK ? ", shared, wait)" : ")"));
            }
        }
        if (kind == Step.HandleOp.CLOSE) {
            createdHandles.add(op.handle); // still a known name for a later create
        }
        return op;
    }

    private Step query(String label, List<String> args) {
        if (args.isEmpty() || args.size() > 2) {
            throw error("query needs a handle and at most one information class: query HANDLE [CLASS]");
        }
        int infoClass = FileInformationClass.FileStandardInformation;
        if (args.size() == 2) {
            infoClass = infoClass(args.get(1));
        }
        return new Step.Query(line, label, usedHandle(args.get(0)), infoClass);
    }

    private Step setinfo(String label, List<String> args) {
        if (args.size() < 3) {
            throw error("setinfo needs a handle, a class and a value: setinfo HANDLE CLASS VALUE");
        }
        String handle = usedHandle(args.get(0));
        int infoClass = infoClass(args.get(1));
        Step.SetInfo s = new Step.SetInfo(line, label, handle, infoClass);
        List<String> rest = args.subList(2, args.size());
        switch (infoClass) {
            case FileInformationClass.FileEndOfFileInformation:
            case FileInformationClass.FileAllocationInformation:
            case FileInformationClass.FileValidDataLengthInformation:
                onlyOne(rest, args.get(1));
                s.number = number(rest.get(0), "size");
                break;
            case FileInformationClass.FileRenameInformation:
            case FileInformationClass.FileLinkInformation:
                s.path = rest.get(0);
                if (s.path.isEmpty()) {
                    throw error(args.get(1) + " needs a target path");
                }
                if (rest.size() == 2 && rest.get(1).equals("replace")) {
                    s.replace = true;
                } else if (rest.size() > 1) {
                    throw error(args.get(1) + " takes a path and optionally 'replace'");
                }
                break;
            case FileInformationClass.FileDispositionInformation:
                onlyOne(rest, args.get(1));
                if (rest.get(0).equals("true")) {
                    s.flag = true;
                } else if (!rest.get(0).equals("false")) {
                    throw error("FileDispositionInformation takes true or false, not '" + rest.get(0) + "'");
                }
                break;
            case FileInformationClass.FileBasicInformation:
                onlyOne(rest, args.get(1));
                s.number = flags(rest.get(0), FileAttributes.symbols(), "file attribute");
                break;
            default:
                throw error("setinfo supports FileEndOfFileInformation, FileAllocationInformation,"
                        + " FileValidDataLengthInformation, FileRenameInformation, FileLinkInformation,"
                        + " FileDispositionInformation and FileBasicInformation, not " + args.get(1));
        }
        return s;
    }

    private void onlyOne(List<String> rest, String infoClass) {
        if (rest.size() != 1) {
            throw error(infoClass + " takes exactly one value");
        }
    }

    private Step cancel(String label, List<String> args) {
        if (args.size() != 1) {
            throw error("cancel needs exactly one label: cancel LABEL");
        }
        return new Step.Cancel(line, label, requestLabel(args.get(0)));
    }

    private Step expect(String label, List<String> args) {
        if (args.size() < 2) {
            throw error("expect needs a label and 'pending' or a status: expect LABEL STATUS [info=...]");
        }
        String target = requestLabel(args.get(0));
        Step.Expectation e = new Step.Expectation();
        if (args.get(1).equals("pending")) {
            if (args.size() > 2) {
                throw error("'expect LABEL pending' takes nothing more");
            }
            e.pending = true;
        } else {
            e.status = status(args.get(1));
            for (String arg : args.subList(2, args.size())) {
                String[] kv = keyValue(arg, "expect");
                switch (kv[0]) {
                    case "info": e.information = information(kv[1]); break;
                    case "original": e.originalLevel = level(kv[1]); break;
                    case "new": e.newLevel = level(kv[1]); break;
                    case "outflags": e.outFlags = outputFlags(kv[1]); break;
                    default: throw error("unknown argument '" + kv[0] + "' for expect (info, original, new, outflags)");
                }
            }
        }
        return new Step.Expect(line, label, target, e);
    }

    private Step attach(String label, List<String> args) {
        if (args.isEmpty() || args.size() > 2) {
            throw error("attach needs a filter name and optionally altitude=N: attach FILTER [altitude=N]");
        }
        String altitude = null;
        if (args.size() == 2) {
            String[] kv = keyValue(args.get(1), "attach");
            if (!kv[0].equals("altitude")) {
                throw error("unknown argument '" + kv[0] + "' for attach (altitude)");
            }
            if (!kv[1].matches("[0-9]+(\\.[0-9]+)?")) {
                throw error("altitude must be a decimal number, not '" + kv[1] + "'");
            }
            altitude = kv[1];
        }
        for (Step s : steps) {
            if (!(s instanceof Step.Attach)) {
                throw error("attach lines must come before the first request");
            }
        }
        return new Step.Attach(line, label, args.get(0), altitude);
    }

    // ---------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------

    private String handleName(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw error("handle name '" + name + "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
        }
        return name;
    }

    private String usedHandle(String name) {
        handleName(name);
        if (!createdHandles.contains(name)) {
            throw error("handle '" + name + "' is used before any create names it");
        }
        return name;
    }

    private String requestLabel(String name) {
        Step s = labels.get(name);
        if (s == null) {
            throw error("unknown label '" + name + "' (a label must be defined on an earlier line)");
        }
        if (s instanceof Step.Cancel || s instanceof Step.Expect || s instanceof Step.Attach) {
            throw error("label '" + name + "' names a step that sends no request");
        }
        return name;
    }

    private String[] keyValue(String arg, String verb) {
        int eq = arg.indexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
            throw error("expected NAME=VALUE for " + verb + ", found '" + arg + "'");
        }
        return new String[] {arg.substring(0, eq), arg.substring(eq + 1)};
    }

    private static boolean isNumber(String text) {
        return text.matches("[0-9]+") || text.matches("0[xX][0-9a-fA-F]+");
    }

    private long number(String text, String what) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                return Long.parseUnsignedLong(text.substring(2), 16);
            }
            if (text.matches("[0-9]+")) {
                return Long.parseLong(text);
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw error(what + " must be a decimal or 0x hexadecimal number, not '" + text + "'");
    }

    /** A {@code |}-joined set of symbols (or numbers) of one table. */
    private int flags(String text, SymbolTable table, String what) {
        int value = 0;
        for (String part : text.split("\\|", -1)) {
            if (part.isEmpty()) {
                throw error("empty " + what + " in '" + text + "' (join flags with | and no spaces)");
            }
            OptionalInt v = table.value(part);
            if (v.isPresent()) {
                value |= v.getAsInt();
            } else if (isNumber(part)) {
                value |= (int) number(part, what);
            } else {
                throw error("unknown " + what + " '" + part + "'");
            }
        }
        return value;
    }

    private int share(String text) {
        if (text.equals("NONE")) {
            return 0;
        }
        if (isNumber(text)) {
            return (int) number(text, "share");
        }
        int share = 0;
        for (char c : text.toCharArray()) {
            int bit = c == 'R' ? ShareAccessFlags.FILE_SHARE_READ : c == 'W' ? ShareAccessFlags.FILE_SHARE_WRITE
                    : c == 'D' ? ShareAccessFlags.FILE_SHARE_DELETE : -1;
            if (bit < 0 || (share & bit) != 0) {
                throw error("share must be letters from RWD, each at most once, or NONE, not '" + text + "'");
            }
            share |= bit;
        }
        return share;
    }

    private int level(String text) {
        if (isNumber(text)) {
            return (int) number(text, "level");
        }
        int level = OplockLevel.parse(text);
        if (level < 0) {
            throw error("an oplock level is letters from R, W, H or NONE, not '" + text + "'");
        }
        return level;
    }

    private int inputFlags(String text) {
        int flags = 0;
        for (String part : text.split("\\|", -1)) {
            switch (part) {
                case "REQUEST": flags |= RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST; break;
                case "ACK": flags |= RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK; break;
                case "COMPLETE_ACK_ON_CLOSE":
                    flags |= RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_COMPLETE_ACK_ON_CLOSE;
                    break;
                case "NONE": break;
                default:
                    if (!isNumber(part)) {
                        throw error("unknown REQUEST_OPLOCK flag '" + part + "' (REQUEST, ACK, COMPLETE_ACK_ON_CLOSE)");
                    }
                    flags |= (int) number(part, "flags");
            }
        }
        return flags;
    }

    private int outputFlags(String text) {
        int flags = 0;
        for (String part : text.split("\\|", -1)) {
            switch (part) {
                case "ACK_REQUIRED": flags |= RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED; break;
                case "MODES_PROVIDED": flags |= RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED; break;
                case "WRITABLE_SECTION_PRESENT":
                    flags |= RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_WRITABLE_SECTION_PRESENT;
                    break;
                case "NONE": break;
                default:
                    if (!isNumber(part)) {
                        throw error("unknown output flag '" + part
                                + "' (ACK_REQUIRED, MODES_PROVIDED, WRITABLE_SECTION_PRESENT, NONE)");
                    }
                    flags |= (int) number(part, "outflags");
            }
        }
        return flags;
    }

    private long information(String text) {
        OptionalInt v = OplockBreakInformation.symbols().value(text);
        if (v.isPresent()) {
            return v.getAsInt();
        }
        OptionalInt action = CreateDisposition.actionSymbols().value(text);
        if (action.isPresent()) {
            return action.getAsInt();
        }
        return number(text, "info");
    }

    private int status(String text) {
        OptionalInt s = NtStatus.fromSymbol(text);
        if (s.isPresent()) {
            return s.getAsInt();
        }
        if (isNumber(text)) {
            return (int) number(text, "status");
        }
        throw error("unknown status '" + text + "'");
    }

    private int infoClass(String text) {
        OptionalInt c = FileInformationClass.fromName(text);
        if (c.isPresent()) {
            return c.getAsInt();
        }
        throw error("unknown information class '" + text + "'");
    }

    private UUID key(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw error("oplock key name '" + name + "' is not an identifier");
        }
        return keys.computeIfAbsent(name, n -> UUID.nameUUIDFromBytes(
                ("irpemu-oplock-key:" + n).getBytes(StandardCharsets.UTF_8)));
    }
}
