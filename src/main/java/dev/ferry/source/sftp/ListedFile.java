package dev.ferry.source.sftp;

/** A file as the server lists it: name in the directory, size in bytes, modification time in epoch seconds. */
record ListedFile(String name, long size, long mtime) {

    /** What the file's position records: enough to tell a re-upload from the same file. */
    String signature(String checksum) {
        return "size=" + size + " mtime=" + mtime + " sha256=" + checksum;
    }
}
