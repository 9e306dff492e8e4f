package io.rackpilot.common.config;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A configuration or plan file that cannot be used, with one message that names the file, the
 * line and column, and the key that is wrong:
 *
 * <pre>
 * /etc/rackpilot/node-agent.yaml:7:3: unknown key 'cordinator', did you mean 'coordinator'? (known keys: coordinator, tls, metrics)
 * /etc/rackpilot/node-agent.yaml:4:12: coordinator.port: expected an integer, got "abc"
 * </pre>
 *
 * <p>Line and column are 1-based; 0 means unknown (an unreadable file has neither). The field
 * path uses dots for keys and brackets for list positions ({@code spec.vms[3].cores}); it is empty
 * when the problem is the document as a whole.
 */
public final class ConfigException
        extends RuntimeException
{
    private final Optional<Path> file;
    private final String sourceName;
    private final int line;
    private final int column;
    private final String fieldPath;
    private final String problem;

    public ConfigException(Optional<Path> file, String sourceName, int line, int column, String fieldPath, String problem)
    {
        this(file, sourceName, line, column, fieldPath, problem, null);
    }

    public ConfigException(Optional<Path> file, String sourceName, int line, int column, String fieldPath, String problem, Throwable cause)
    {
        super(format(sourceName, line, column, problem), cause);
        this.file = requireNonNull(file, "file is null");
        this.sourceName = requireNonNull(sourceName, "sourceName is null");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must not be negative");
        }
        this.line = line;
        this.column = column;
        this.fieldPath = requireNonNull(fieldPath, "fieldPath is null");
        this.problem = requireNonNull(problem, "problem is null");
    }

    /**
     * The file that was read; empty when the text came from somewhere else
     * ({@link YamlLoader#parse(String, String, Class)}).
     */
    public Optional<Path> file()
    {
        return file;
    }

    /**
     * The name used in the message: the file's path, or the source name given to {@link YamlLoader#parse}.
     */
    public String sourceName()
    {
        return sourceName;
    }

    /**
     * The 1-based line, or 0 when unknown.
     */
    public int line()
    {
        return line;
    }

    /**
     * The 1-based column, or 0 when unknown.
     */
    public int column()
    {
        return column;
    }

    /**
     * The path of the offending key, such as {@code coordinator.address} or {@code spec.vms[3].corse};
     * empty for the document as a whole.
     */
    public String fieldPath()
    {
        return fieldPath;
    }

    /**
     * The message without the {@code file:line:column: } prefix; it names the key itself
     * ({@code coordinator.port: expected an integer, got "abc"}).
     */
    public String problem()
    {
        return problem;
    }

    private static String format(String sourceName, int line, int column, String problem)
    {
        StringBuilder message = new StringBuilder(sourceName);
        if (line > 0) {
            message.append(':').append(line);
            if (column > 0) {
                message.append(':').append(column);
            }
        }
        return message.append(": ").append(problem).toString();
    }
}
