package io.rackpilot.coordinator.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static java.lang.String.format;

/**
 * The tables of a {@link SqliteStore} and their migrations. The file's schema version is SQLite's
 * {@code user_version}; its {@code application_id} marks it as a rackpilot state file.
 */
final class SqliteSchema
{
    static final int CURRENT_VERSION = 1;
    /** "RPLT" */
    static final int APPLICATION_ID = 0x52504C54;

    /** Element n takes the schema from version n to version n + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    "CREATE TABLE records (" +
                            "key TEXT NOT NULL PRIMARY KEY, " +
                            "value BLOB NOT NULL, " +
                            "create_revision INTEGER NOT NULL, " +
                            "mod_revision INTEGER NOT NULL, " +
                            "version INTEGER NOT NULL)",
                    "CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL)",
                    "INSERT INTO meta (name, value) VALUES ('revision', 0)"));

    private SqliteSchema() {}

    /**
     * Returns the schema version of {@code file} (0 for a new, empty file) after checking that it is a
     * rackpilot state file this code can use. Writes nothing.
     */
    static int check(Connection connection, Path file)
            throws SQLException
    {
        int version = queryInt(connection, "PRAGMA user_version");
        int applicationId = queryInt(connection, "PRAGMA application_id");
        boolean foreign = applicationId != APPLICATION_ID &&
                (applicationId != 0 || version != 0 || queryInt(connection, "SELECT count(*) FROM sqlite_master") > 0);
        if (foreign) {
            throw new StoreException(StoreException.Kind.UNUSABLE, format(
                    "state file %s is a SQLite database of another application (application_id %s, user_version %s), not a rackpilot state file",
                    file, applicationId, version));
        }
        if (version > CURRENT_VERSION) {
            throw new StoreException(StoreException.Kind.UNUSABLE, format(
                    "state file %s has schema version %s, but this rackpilot knows versions up to %s: " +
                            "it was written by a newer rackpilot; run that version or restore a backup of the file",
                    file, version, CURRENT_VERSION));
        }
        return version;
    }

    /** Brings {@code file} to {@link #CURRENT_VERSION}; the caller holds a write transaction. */
    static void migrate(Connection connection, Path file)
            throws SQLException
    {
        int version = check(connection, file);
        if (version == CURRENT_VERSION) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            for (int step = version; step < CURRENT_VERSION; step++) {
                for (String sql : MIGRATIONS.get(step)) {
                    statement.executeUpdate(sql);
                }
            }
            statement.executeUpdate("PRAGMA user_version = " + CURRENT_VERSION);
            statement.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
        }
    }

    static int queryInt(Connection connection, String sql)
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            if (!result.next()) {
                throw new SQLException("no result from " + sql);
            }
            return result.getInt(1);
        }
    }

    static String queryText(Connection connection, String sql)
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            if (!result.next()) {
                throw new SQLException("no result from " + sql);
            }
            return result.getString(1);
        }
    }
}
