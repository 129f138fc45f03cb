package io.pgguard.classify;

/** PostgreSQL's table-level lock modes, weakest first, named as {@code pg_locks.mode} names them. */
public enum LockMode {
    ACCESS_SHARE("AccessShareLock"),
    ROW_SHARE("RowShareLock"),
    ROW_EXCLUSIVE("RowExclusiveLock"),
    SHARE_UPDATE_EXCLUSIVE("ShareUpdateExclusiveLock"),
    SHARE("ShareLock"),
    SHARE_ROW_EXCLUSIVE("ShareRowExclusiveLock"),
    EXCLUSIVE("ExclusiveLock"),
    ACCESS_EXCLUSIVE("AccessExclusiveLock");

    private final String pgName;

    LockMode(String pgName) {
        this.pgName = pgName;
    }

    /** The name {@code pg_locks.mode} shows. */
    public String pgName() {
        return pgName;
    }

    /** The mode {@code pg_locks.mode} names so, or null for one that is not a table lock mode. */
    public static LockMode fromPgName(String name) {
        for (LockMode m : values()) {
            if (m.pgName.equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** Whether plain SELECTs wait behind this lock. */
    public boolean blocksReads() {
        return this == ACCESS_EXCLUSIVE;
    }

    /** Whether INSERT, UPDATE and DELETE wait behind this lock. */
    public boolean blocksWrites() {
        return compareTo(SHARE) >= 0;
    }

    /** The stronger of two modes; either may be null. */
    public static LockMode max(LockMode a, LockMode b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }


    @Override
    public String toString() {
        return pgName;
    }
}
