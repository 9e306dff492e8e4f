package io.rackpilot.agent.command;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.common.io.AtomicFiles;
import io.rackpilot.proto.v1.CommandResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The agent's memory of finished commands: one file per command id under
 * {@code <state>/commands/}, holding the result that was (or will be) sent. A result is written
 * here before it is sent, so a command delivered again after a reconnect is answered from here
 * and never runs twice. Before a command's action is applied, a {@code ID.started} marker is written
 * here (fsync, rename) and removed once its result is journaled: a marker without a result after a
 * restart is a command that was cut off while it ran, whose effect is unknown.
 */
public final class CommandJournal
{
    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String SUFFIX = ".result";
    private static final String STARTED_SUFFIX = ".started";

    private final Path directory;
    private final int retainedResults;
    private int writesSincePrune;

    public CommandJournal(Path directory, int retainedResults)
    {
        this.directory = requireNonNull(directory, "directory is null");
        if (retainedResults < 1) {
            throw new IllegalArgumentException("retainedResults must be at least 1");
        }
        this.retainedResults = retainedResults;
        try {
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot create the command journal directory " + directory + ": " + e.getMessage(), e);
        }
    }

    public static boolean isValidCommandId(String commandId)
    {
        return commandId != null && COMMAND_ID.matcher(commandId).matches();
    }

    public synchronized Optional<CommandResult> find(String commandId)
            throws IOException
    {
        checkCommandId(commandId);
        try {
            return Optional.of(CommandResult.parseFrom(Files.readAllBytes(fileOf(commandId))));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (InvalidProtocolBufferException e) {
            throw new IOException("command journal entry " + fileOf(commandId) + " is corrupt: " + e.getMessage(), e);
        }
    }

    /**
     * Stores durably (fsync) that the command's action is about to be applied, before it is.
     */
    public synchronized void markStarted(String commandId, Instant startedAt)
            throws IOException
    {
        checkCommandId(commandId);
        requireNonNull(startedAt, "startedAt is null");
        AtomicFiles.write(startedFileOf(commandId), startedAt.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * When the command's action was started, if it was started and has no journaled result yet.
     */
    public synchronized Optional<Instant> started(String commandId)
            throws IOException
    {
        checkCommandId(commandId);
        Path file = startedFileOf(commandId);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        }
        catch (DateTimeParseException e) {
            // the marker's presence is what counts: the action may have run
            return Optional.of(Files.getLastModifiedTime(file).toInstant());
        }
    }

    /**
     * Stores the result durably (fsync) before it is sent, then forgets the command's started marker.
     */
    public synchronized void record(CommandResult result)
            throws IOException
    {
        checkCommandId(result.getCommandId());
        AtomicFiles.write(fileOf(result.getCommandId()), result.toByteArray());
        Files.deleteIfExists(startedFileOf(result.getCommandId()));
        writesSincePrune++;
        if (writesSincePrune >= Math.max(1, retainedResults / 10)) {
            prune();
        }
    }

    /**
     * Forgets the oldest results beyond the retained count.
     */
    public synchronized void prune()
            throws IOException
    {
        writesSincePrune = 0;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            entries.filter(path -> path.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
        }
        if (files.size() <= retainedResults) {
            return;
        }
        files.sort(Comparator.comparing(CommandJournal::modifiedTime).thenComparing(Path::getFileName));
        for (Path file : files.subList(0, files.size() - retainedResults)) {
            Files.deleteIfExists(file);
        }
    }

    private static FileTime modifiedTime(Path file)
    {
        try {
            return Files.getLastModifiedTime(file);
        }
        catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private Path fileOf(String commandId)
    {
        return directory.resolve(commandId + SUFFIX);
    }

    private Path startedFileOf(String commandId)
    {
        return directory.resolve(commandId + STARTED_SUFFIX);
    }

    private static void checkCommandId(String commandId)
    {
        if (!isValidCommandId(commandId)) {
            throw new IllegalArgumentException("invalid command id '" + commandId + "'");
        }
    }
}
