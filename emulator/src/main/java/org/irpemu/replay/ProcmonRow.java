package org.irpemu.replay;

/**
 * One data row of a Process Monitor CSV export, with the columns the replay uses.
 *
 * @param row the 1-based number of the data row after the header
 * @param timeOfDay the "Time of Day" column, when the operation was issued ({@code 1:18:12.3391406 AM})
 * @param processName "Process Name"
 * @param pid "PID"
 * @param operation "Operation" ({@code CreateFile}, {@code FileSystemControl}, ...)
 * @param path "Path"
 * @param result "Result": Process Monitor's text for the final NTSTATUS
 * @param detail "Detail"
 * @param completionTime "Completion Time", or empty when the export has no such column
 */
public record ProcmonRow(long row, String timeOfDay, String processName, String pid, String operation, String path,
        String result, String detail, String completionTime) {
}
