package io.rackpilot.coordinator.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.rackpilot.coordinator.store.StoreContract.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What only the SQLite store does: a file that survives restarts, WAL, its schema, its errors. */
final class TestSqliteStoreFile
{
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path directory;

    @Test
    void recordsAndRevisionSurviveReopening()
    {
        Path file = directory.resolve("state.db");
        List<StoredRecord> before;
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("agents/host1", bytes("h1"));
            store.put("agents/node1", bytes("n1"));
            store.put("agents/node1", bytes("n1 again"));
            store.put("gone", bytes("x"));
            store.delete("gone");
            before = store.list("").records();
            assertThat(store.revision()).isEqualTo(5);
        }

        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            assertThat(store.list("").records()).isEqualTo(before);
            assertThat(store.revision()).isEqualTo(5);
            assertThat(store.get("gone")).isEmpty();
            assertThat(store.put("agents/node1", bytes("third"))).isEqualTo(new StoredRecord("agents/node1", bytes("third"), 2, 6, 3));
            assertThat(store.put("gone", bytes("back"))).isEqualTo(new StoredRecord("gone", bytes("back"), 7, 7, 1));
        }

        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            assertThat(store.revision()).isEqualTo(7);
        }
    }

    @Test
    void revisionOnlyMovesForwardAcrossRestartsEvenWhenEverythingIsDeleted()
    {
        Path file = directory.resolve("state.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("k", bytes("v"));
            store.delete("k");
        }
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            assertThat(store.list("").records()).isEmpty();
            assertThat(store.put("k", bytes("v")).createRevision()).isEqualTo(3);
        }
    }

    @Test
    void fileIsInWalModeWithTheRackpilotSchema()
            throws IOException
    {
        Path file = directory.resolve("state.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("k", bytes("v"));
            assertThat(store.file()).isEqualTo(file.toAbsolutePath());
            // while open, commits go to the write-ahead log
            assertThat(directory.resolve("state.db-wal")).exists();
        }

        // the database header (https://www.sqlite.org/fileformat.html): bytes 18 and 19 are 2 in WAL mode,
        // user_version at offset 60, application_id at offset 68
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file), 0, 100);
        assertThat(header.array()).startsWith(SQLITE_MAGIC);
        assertThat(header.get(18)).isEqualTo((byte) 2);
        assertThat(header.get(19)).isEqualTo((byte) 2);
        assertThat(header.getInt(60)).isEqualTo(SqliteSchema.CURRENT_VERSION);
        assertThat(header.getInt(68)).isEqualTo(SqliteSchema.APPLICATION_ID);
    }

    @Test
    void journalModeAndApplicationIdAreVisibleToOtherConnections()
            throws SQLException
    {
        Path file = directory.resolve("state.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            store.put("k", bytes("v"));
            assertThat(SqliteSchema.queryText(other, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(SqliteSchema.queryInt(other, "PRAGMA user_version")).isEqualTo(1);
            assertThat(SqliteSchema.queryInt(other, "SELECT value FROM meta WHERE name = 'revision'")).isEqualTo(1);
        }
    }

    @Test
    void createsMissingParentDirectories()
    {
        Path file = directory.resolve("var/lib/rackpilot/coordinator.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("k", bytes("v"));
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void refusesAFileThatIsNotASqliteDatabase()
            throws IOException
    {
        Path file = directory.resolve("notes.db");
        Files.writeString(file, "coordinator:\n  listen: 0.0.0.0:7450\n".repeat(40));

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open state file " + file + ": it is not a SQLite database");
        assertThat(Files.readString(file)).startsWith("coordinator:");
    }

    @Test
    void refusesADirectory()
            throws IOException
    {
        Path file = Files.createDirectories(directory.resolve("state.db"));

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot open state file " + file + ": it is a directory");
    }

    @Test
    void refusesAParentThatIsAFile()
            throws IOException
    {
        Path parent = Files.writeString(directory.resolve("plain-file"), "x");
        Path file = parent.resolve("state.db");

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot create directory " + parent + " for state file " + file);
    }

    @Test
    void refusesAFileWithANewerSchema()
            throws SQLException
    {
        Path file = directory.resolve("state.db");
        SqliteStore.open(file, StoreObserver.NONE).close();
        execute(file, "PRAGMA user_version = 7");

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessage("state file " + file + " has schema version 7, but this rackpilot knows versions up to 1: " +
                        "it was written by a newer rackpilot; run that version or restore a backup of the file");
    }

    @Test
    void refusesTheDatabaseOfAnotherApplicationAndLeavesItAlone()
            throws SQLException, IOException
    {
        Path file = directory.resolve("grafana.db");
        execute(file, "CREATE TABLE dashboard (id INTEGER PRIMARY KEY, title TEXT)");
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessage("state file " + file + " is a SQLite database of another application (application_id 0, user_version 0), not a rackpilot state file");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void refusesAFileItCannotWrite()
            throws Exception
    {
        Path file = directory.resolve("state.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("k", bytes("v"));
        }
        boolean immutable = makeUnwritable(file);
        try {
            assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("state file " + file)
                    .hasMessageContaining("not writable");
        }
        finally {
            if (immutable) {
                runChattr("-i", file);
            }
            file.toFile().setWritable(true);
        }
    }

    @Test
    void aStateFileFoundEmptyIsRefusedSayingHowToRestoreOrStartOver()
            throws IOException
    {
        Path file = directory.resolve("coordinator.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("agents/pve", bytes("p"));
        }
        Files.write(file, new byte[0]);

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.UNUSABLE))
                .hasMessage("state file " + file + " is empty (0 bytes), but it existed before: the coordinator's state (agents, commands, plans, GPU moves) was lost. "
                        + "Restore coordinator.db from a backup; or, to start over with no state on purpose, remove the file (rm " + file + ") and start the coordinator again");
        assertThat(Files.size(file)).as("the file is left as it was").isZero();
    }

    @Test
    void aStateFileWithoutTheSchemaIsRefused()
            throws SQLException
    {
        Path file = directory.resolve("coordinator.db");
        execute(file, "CREATE TABLE scratch (x INTEGER)");
        execute(file, "DROP TABLE scratch");

        assertThatThrownBy(() -> SqliteStore.open(file, StoreObserver.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.UNUSABLE))
                .hasMessageStartingWith("state file " + file + " holds no rackpilot schema (an empty SQLite database), but it existed before");
    }

    @Test
    void aNewStateFileAppearsWithItsSchemaAndLeavesNothingBehind()
            throws IOException
    {
        Path file = directory.resolve("coordinator.db");
        SqliteStore.open(file, StoreObserver.NONE).close();
        try (var files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactly("coordinator.db");
        }
        assertThat(Files.size(file)).isPositive();
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            assertThat(store.revision()).isZero();
        }
    }

    @Test
    void aFullDiskIsReportedAsSuch()
    {
        Path file = directory.resolve("coordinator.db");
        try (SqliteStore store = SqliteStore.open(file, StoreObserver.NONE)) {
            store.put("small", bytes("fits"));
            store.limitPages(1);

            assertThatThrownBy(() -> store.put("large", new byte[256 * 1024]))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.DISK_FULL))
                    .hasMessageStartingWith("cannot write state file " + file + ": the disk is full");
            assertThat(store.get("small")).isPresent();
            assertThat(store.get("large")).isEmpty();

            // once there is room again, writes succeed without reopening the store
            store.limitPages(Integer.MAX_VALUE);
            store.put("large", new byte[256 * 1024]);
            assertThat(store.get("large")).isPresent();
        }
    }

    /** Returns true when the file had to be made immutable (root ignores permissions). */
    private static boolean makeUnwritable(Path file)
            throws IOException, InterruptedException
    {
        assertThat(file.toFile().setWritable(false, false)).isTrue();
        if (!Files.isWritable(file)) {
            return false;
        }
        boolean immutable;
        try {
            immutable = runChattr("+i", file);
        }
        catch (IOException e) {
            immutable = false;
        }
        if (!immutable) {
            boolean required = "1".equals(System.getenv("RACKPILOT_REQUIRE_SYSTEM_TESTS"));
            assertThat(required).as("running as root, the test needs chattr +i to make %s unwritable", file).isFalse();
            assumeTrue(false, "running as root without a working chattr +i: cannot make a file unwritable");
        }
        return true;
    }

    private static boolean runChattr(String change, Path file)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("chattr", change, file.toString())
                .redirectErrorStream(true)
                .start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    private static void execute(Path file, String sql)
            throws SQLException
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
