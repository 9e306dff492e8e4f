package io.rackpilot.coordinator.store;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import static java.lang.String.format;
import static java.util.Objects.requireNonNull;

/**
 * The embedded {@link Store}: one SQLite file in WAL mode with {@code synchronous=FULL}, so every commit
 * is on disk (fsynced) before a write returns. One connection serves the store, guarded by a lock. The
 * store revision lives in the file, so it survives restarts. The file belongs to one process at a time.
 */
public final class SqliteStore
        implements Store
{
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    /** SQLite's value of {@code PRAGMA synchronous} for FULL. */
    private static final int SYNCHRONOUS_FULL = 2;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final String SELECT_RECORD =
            "SELECT key, value, create_revision, mod_revision, version FROM records WHERE key = ?";
    private static final String SELECT_ALL =
            "SELECT key, value, create_revision, mod_revision, version FROM records ORDER BY key";
    // keys are printable ASCII, which the default BINARY collation orders like Java strings
    private static final String SELECT_RANGE =
            "SELECT key, value, create_revision, mod_revision, version FROM records WHERE key >= ? AND key < ? ORDER BY key";
    private static final String UPSERT_RECORD =
            "INSERT INTO records (key, value, create_revision, mod_revision, version) VALUES (?, ?, ?, ?, ?) " +
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, create_revision = excluded.create_revision, " +
                    "mod_revision = excluded.mod_revision, version = excluded.version";
    private static final String DELETE_RECORD = "DELETE FROM records WHERE key = ?";
    private static final String SELECT_REVISION = "SELECT value FROM meta WHERE name = 'revision'";
    private static final String UPDATE_REVISION = "UPDATE meta SET value = ? WHERE name = 'revision'";

    private final Path file;
    private final StoreObserver observer;
    private final Connection connection;
    // prepared again after a failure (the driver may leave a failed statement unusable); guarded by lock
    private PreparedStatement selectRecord;
    private PreparedStatement selectAll;
    private PreparedStatement selectRange;
    private PreparedStatement upsertRecord;
    private PreparedStatement deleteRecord;
    private PreparedStatement selectRevision;
    private PreparedStatement updateRevision;
    private final ReentrantLock lock = new ReentrantLock();
    private final WatchHub watchHub;
    private boolean closed; // guarded by lock

    /**
     * Opens (creating it and its parent directories when missing) the state file {@code file}.
     *
     * @throws StoreException naming the file when it cannot be created or written, is not a SQLite
     * database, belongs to another application or has a newer schema than this code knows
     */
    public static SqliteStore open(Path file, StoreObserver observer)
    {
        requireNonNull(file, "file is null");
        requireNonNull(observer, "observer is null");
        Path absolute = file.toAbsolutePath().normalize();
        createParentDirectories(absolute);
        if (Files.isDirectory(absolute)) {
            throw new StoreException(format("cannot open state file %s: it is a directory", absolute));
        }
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            initialise(absolute);
        }
        else if (isEmptyFile(absolute)) {
            throw lostState(absolute, "is empty (0 bytes)");
        }
        Connection connection = connect(absolute);
        try {
            if (SqliteSchema.check(connection, absolute) == 0) {
                throw lostState(absolute, "holds no rackpilot schema (an empty SQLite database)");
            }
            enableDurableWal(connection, absolute);
            inWriteTransaction(connection, () -> {
                SqliteSchema.migrate(connection, absolute);
                // a write at every open, so that a file that cannot be written fails here and not later
                execute(connection, "UPDATE meta SET value = value WHERE name = 'revision'");
                return null;
            });
            return new SqliteStore(absolute, observer, connection);
        }
        catch (SQLException e) {
            closeAfterFailure(connection, e);
            throw failure("open", absolute, e);
        }
        catch (RuntimeException e) {
            closeAfterFailure(connection, e);
            throw e;
        }
    }

    /**
     * Creates a new state file with the current schema under a temporary name and renames it into
     * place, so that {@code file} never exists without its schema: a state file found empty was
     * emptied afterwards (truncated, or replaced), and is refused instead of starting afresh.
     */
    private static void initialise(Path file)
    {
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            try {
                Files.deleteIfExists(fresh.resolveSibling(fresh.getFileName() + suffix));
            }
            catch (IOException e) {
                throw new StoreException(StoreException.Kind.UNAVAILABLE, format("cannot create state file %s: cannot remove the leftover %s%s: %s", file, fresh, suffix, e), e);
            }
        }
        Connection connection = connect(fresh);
        try {
            enableDurableWal(connection, file);
            inWriteTransaction(connection, () -> {
                SqliteSchema.migrate(connection, file);
                return null;
            });
            // closing the only connection checkpoints the write-ahead log into the file and removes it
            connection.close();
        }
        catch (SQLException e) {
            closeAfterFailure(connection, e);
            throw failure("create", file, e);
        }
        catch (RuntimeException e) {
            closeAfterFailure(connection, e);
            throw e;
        }
        try {
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
        }
        catch (IOException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, format("cannot create state file %s: %s", file, e), e);
        }
    }

    private static boolean isEmptyFile(Path file)
    {
        try {
            return Files.isRegularFile(file) && Files.size(file) == 0;
        }
        catch (IOException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, format("cannot open state file %s: %s", file, e), e);
        }
    }

    private static StoreException lostState(Path file, String what)
    {
        return new StoreException(StoreException.Kind.UNUSABLE, format(
                "state file %s %s, but it existed before: the coordinator's state (agents, commands, plans, GPU moves) was lost. " +
                        "Restore %s from a backup; or, to start over with no state on purpose, remove the file (rm %s) and start the coordinator again",
                file, what, file.getFileName(), file));
    }

    /**
     * Makes writes that would grow the file beyond {@code maxPageCount} pages (never fewer than it
     * has) fail as on a full disk (SQLITE_FULL), until the store is opened again: how tests fill the
     * disk without filling one.
     */
    public void limitPages(long maxPageCount)
    {
        locked(StoreObserver.PUT, "write", () -> {
            SqliteSchema.queryInt(connection, "PRAGMA max_page_count = " + maxPageCount);
            return null;
        });
    }

    private SqliteStore(Path file, StoreObserver observer, Connection connection)
            throws SQLException
    {
        this.file = file;
        this.observer = observer;
        this.connection = connection;
        prepareStatements();
        this.watchHub = new WatchHub("sqlite-" + INSTANCES.incrementAndGet());
    }

    private void prepareStatements()
            throws SQLException
    {
        selectRecord = connection.prepareStatement(SELECT_RECORD);
        selectAll = connection.prepareStatement(SELECT_ALL);
        selectRange = connection.prepareStatement(SELECT_RANGE);
        upsertRecord = connection.prepareStatement(UPSERT_RECORD);
        deleteRecord = connection.prepareStatement(DELETE_RECORD);
        selectRevision = connection.prepareStatement(SELECT_REVISION);
        updateRevision = connection.prepareStatement(UPDATE_REVISION);
    }

    /**
     * After a failed statement (a full disk, say), sqlite-jdbc may have closed it: prepare them all
     * again, so that the store works once the cause is gone, without a restart.
     */
    private void recoverStatements(SQLException failure)
    {
        for (PreparedStatement statement : List.of(selectRecord, selectAll, selectRange, upsertRecord, deleteRecord, selectRevision, updateRevision)) {
            try {
                statement.close();
            }
            catch (SQLException e) {
                // it was closed already
            }
        }
        try {
            prepareStatements();
        }
        catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** The state file, as an absolute path. */
    public Path file()
    {
        return file;
    }

    @Override
    public Optional<StoredRecord> get(String key)
    {
        StoreLimits.checkKey(key);
        return locked(StoreObserver.GET, "read", () -> readRecord(key));
    }

    @Override
    public Listing list(String prefix)
    {
        StoreLimits.checkPrefix(prefix);
        return locked(StoreObserver.LIST, "read", () -> inReadTransaction(() -> {
            long revision = readRevision();
            List<StoredRecord> records = prefix.isEmpty() ? readRecords(selectAll) : readRange(prefix);
            return new Listing(records, revision);
        }));
    }

    @Override
    public long revision()
    {
        return locked(StoreObserver.REVISION, "read", this::readRevision);
    }

    @Override
    public StoredRecord put(String key, byte[] value)
    {
        StoreLimits.checkKey(key);
        StoreLimits.checkValue(key, value);
        return locked(StoreObserver.PUT, "write", () -> write(() -> {
            StoredRecord written = Transitions.written(readRecord(key), key, value, readRevision() + 1);
            storeRecord(written);
            return new Written<>(written, Optional.of(WatchEvent.put(written)));
        }));
    }

    @Override
    public Optional<StoredRecord> putIfModRevision(String key, byte[] value, long expectedModRevision)
    {
        StoreLimits.checkKey(key);
        StoreLimits.checkValue(key, value);
        Transitions.checkExpectedForPut(expectedModRevision);
        return locked(StoreObserver.PUT_IF_MOD_REVISION, "write", () -> write(() -> {
            Optional<StoredRecord> current = readRecord(key);
            if (!Transitions.modRevisionMatches(current, expectedModRevision)) {
                return new Written<>(Optional.<StoredRecord>empty(), Optional.empty());
            }
            StoredRecord written = Transitions.written(current, key, value, readRevision() + 1);
            storeRecord(written);
            return new Written<>(Optional.of(written), Optional.of(WatchEvent.put(written)));
        }));
    }

    @Override
    public boolean delete(String key)
    {
        StoreLimits.checkKey(key);
        return locked(StoreObserver.DELETE, "write", () -> write(() -> removeRecord(readRecord(key))));
    }

    @Override
    public boolean deleteIfModRevision(String key, long expectedModRevision)
    {
        StoreLimits.checkKey(key);
        Transitions.checkExpectedForDelete(expectedModRevision);
        return locked(StoreObserver.DELETE_IF_MOD_REVISION, "write", () -> write(() -> {
            Optional<StoredRecord> current = readRecord(key);
            if (!Transitions.modRevisionMatches(current, expectedModRevision)) {
                return new Written<>(false, Optional.empty());
            }
            return removeRecord(current);
        }));
    }

    @Override
    public Watch watch(String prefix, Consumer<WatchEvent> listener)
    {
        StoreLimits.checkPrefix(prefix);
        requireNonNull(listener, "listener is null");
        lock.lock();
        try {
            checkOpen();
            return watchHub.register(prefix, readRevision(), listener);
        }
        catch (SQLException e) {
            throw failure("read", file, e);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void close()
    {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            watchHub.close();
            // closing the last connection checkpoints the WAL into the file
            connection.close();
        }
        catch (SQLException e) {
            throw failure("close", file, e);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "SqliteStore[" + file + "]";
    }

    private Optional<StoredRecord> readRecord(String key)
            throws SQLException
    {
        selectRecord.setString(1, key);
        List<StoredRecord> records = readRecords(selectRecord);
        return records.stream().findFirst();
    }

    private List<StoredRecord> readRange(String prefix)
            throws SQLException
    {
        selectRange.setString(1, prefix);
        selectRange.setString(2, prefixEnd(prefix));
        return readRecords(selectRange);
    }

    /** The smallest string above every string that starts with {@code prefix} (printable ASCII only). */
    static String prefixEnd(String prefix)
    {
        int last = prefix.length() - 1;
        return prefix.substring(0, last) + (char) (prefix.charAt(last) + 1);
    }

    private static List<StoredRecord> readRecords(PreparedStatement query)
            throws SQLException
    {
        List<StoredRecord> records = new ArrayList<>();
        try (ResultSet result = query.executeQuery()) {
            while (result.next()) {
                records.add(new StoredRecord(
                        result.getString(1),
                        result.getBytes(2),
                        result.getLong(3),
                        result.getLong(4),
                        result.getLong(5)));
            }
        }
        return records;
    }

    private long readRevision()
            throws SQLException
    {
        try (ResultSet result = selectRevision.executeQuery()) {
            if (!result.next()) {
                throw new SQLException("the revision row is missing from the meta table");
            }
            return result.getLong(1);
        }
    }

    private void storeRecord(StoredRecord record)
            throws SQLException
    {
        upsertRecord.setString(1, record.key());
        upsertRecord.setBytes(2, record.value());
        upsertRecord.setLong(3, record.createRevision());
        upsertRecord.setLong(4, record.modRevision());
        upsertRecord.setLong(5, record.version());
        upsertRecord.executeUpdate();
        storeRevision(record.modRevision());
    }

    private Written<Boolean> removeRecord(Optional<StoredRecord> current)
            throws SQLException
    {
        if (current.isEmpty()) {
            return new Written<>(false, Optional.empty());
        }
        long revision = readRevision() + 1;
        deleteRecord.setString(1, current.get().key());
        deleteRecord.executeUpdate();
        storeRevision(revision);
        return new Written<>(true, Optional.of(WatchEvent.delete(current.get(), revision)));
    }

    private void storeRevision(long revision)
            throws SQLException
    {
        updateRevision.setLong(1, revision);
        if (updateRevision.executeUpdate() != 1) {
            throw new SQLException("the revision row is missing from the meta table");
        }
    }

    /** Runs {@code change} in a write transaction and publishes its event once committed. */
    private <T> T write(SqlAction<Written<T>> change)
            throws SQLException
    {
        Written<T> written = inWriteTransaction(connection, change);
        written.event().ifPresent(watchHub::publish);
        return written.result();
    }

    private <T> T inReadTransaction(SqlAction<T> action)
            throws SQLException
    {
        execute(connection, "BEGIN");
        return finishTransaction(connection, action);
    }

    private static <T> T inWriteTransaction(Connection connection, SqlAction<T> action)
            throws SQLException
    {
        execute(connection, "BEGIN IMMEDIATE");
        return finishTransaction(connection, action);
    }

    private static <T> T finishTransaction(Connection connection, SqlAction<T> action)
            throws SQLException
    {
        T result;
        try {
            result = action.run();
            execute(connection, "COMMIT");
        }
        catch (SQLException | RuntimeException e) {
            try {
                execute(connection, "ROLLBACK");
            }
            catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        return result;
    }

    private static void execute(Connection connection, String sql)
            throws SQLException
    {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    private <T> T locked(String operation, String action, SqlAction<T> body)
    {
        lock.lock();
        try {
            checkOpen();
            return Observed.observe(observer, operation, () -> {
                try {
                    return body.run();
                }
                catch (SQLException e) {
                    recoverStatements(e);
                    throw failure(action, file, e);
                }
            });
        }
        finally {
            lock.unlock();
        }
    }

    private void checkOpen()
    {
        if (closed) {
            throw new StoreClosedException("store " + file + " is closed");
        }
    }

    private static void createParentDirectories(Path file)
    {
        Path parent = file.getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        }
        catch (IOException e) {
            throw new StoreException(format("cannot create directory %s for state file %s: %s", parent, file, e), e);
        }
    }

    private static Connection connect(Path file)
    {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        try {
            return config.createConnection("jdbc:sqlite:" + file);
        }
        catch (SQLException e) {
            throw failure("open", file, e);
        }
    }

    private static void enableDurableWal(Connection connection, Path file)
            throws SQLException
    {
        String journalMode = SqliteSchema.queryText(connection, "PRAGMA journal_mode = WAL");
        if (!"wal".equals(journalMode.toLowerCase(Locale.ROOT))) {
            throw new StoreException(format(
                    "cannot open state file %s: SQLite kept journal mode %s instead of WAL (is the file system one that supports WAL?)",
                    file, journalMode));
        }
        execute(connection, "PRAGMA synchronous = FULL");
        int synchronous = SqliteSchema.queryInt(connection, "PRAGMA synchronous");
        if (synchronous != SYNCHRONOUS_FULL) {
            throw new StoreException(format("cannot open state file %s: SQLite refused synchronous=FULL (got %s)", file, synchronous));
        }
    }

    private static void closeAfterFailure(Connection connection, Exception failure)
    {
        try {
            connection.close();
        }
        catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    static StoreException failure(String action, Path file, SQLException e)
    {
        return new StoreException(kind(e), format("cannot %s state file %s: %s (%s)", action, file, reason(e), e.getMessage()), e);
    }

    private static StoreException.Kind kind(SQLException e)
    {
        if (!(e instanceof SQLiteException)) {
            return StoreException.Kind.OTHER;
        }
        String code = ((SQLiteException) e).getResultCode().name();
        if (code.startsWith("SQLITE_FULL")) {
            return StoreException.Kind.DISK_FULL;
        }
        if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || code.startsWith("SQLITE_CANTOPEN")) {
            return StoreException.Kind.UNAVAILABLE;
        }
        if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_READONLY")
                || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_AUTH")) {
            return StoreException.Kind.UNUSABLE;
        }
        return StoreException.Kind.OTHER;
    }

    private static String reason(SQLException e)
    {
        if (!(e instanceof SQLiteException)) {
            return "database error";
        }
        String code = ((SQLiteException) e).getResultCode().name();
        if (code.startsWith("SQLITE_NOTADB")) {
            return "it is not a SQLite database";
        }
        if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_AUTH")) {
            return "it is not writable (check the permissions and attributes of the file and its directory)";
        }
        if (code.startsWith("SQLITE_CANTOPEN")) {
            return "it cannot be opened (check that it and its directory exist and are writable)";
        }
        if (code.startsWith("SQLITE_FULL")) {
            return "the disk is full";
        }
        if (code.startsWith("SQLITE_CORRUPT")) {
            return "it is corrupt; restore a backup";
        }
        if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
            return "it is locked by another process";
        }
        if (code.startsWith("SQLITE_IOERR")) {
            return "an I/O error occurred";
        }
        return "database error";
    }

    @FunctionalInterface
    private interface SqlAction<T>
    {
        T run()
                throws SQLException;
    }

    private record Written<T>(T result, Optional<WatchEvent> event) {}
}
