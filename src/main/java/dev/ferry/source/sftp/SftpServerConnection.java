package dev.ferry.source.sftp;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.remote.RemoteFile;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.component.file.remote.SftpComponent;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.apache.camel.component.file.remote.SftpRemoteFile;
import org.apache.camel.support.DefaultExchange;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One session with the partner's server through Camel's {@code sftp:} component (camel-ftp, JSch): its
 * connection, known_hosts and key handling, listing and download to a local work file (written as
 * {@code .inprogress} and renamed only when complete, so a partial file is never parsed). Ferry drives the
 * operations itself rather than running the {@code sftp:} consumer because what to fetch is decided by the file
 * ledger and the expected days, not by the directory's content.
 */
final class SftpServerConnection implements AutoCloseable {

    private final FerrySftpEndpoint config;
    private final SftpEndpoint endpoint;
    private final RemoteFileOperations<SftpRemoteFile> operations;
    private final Path workDir;
    private final String server;

    SftpServerConnection(FerrySftpEndpoint config, Path workDir) {
        this.config = config;
        this.workDir = workDir;
        this.server = config.getUsername() + "@" + config.getHost() + ":" + config.getPort();
        CamelContext camel = config.getCamelContext();
        try {
            SftpComponent component = camel.getComponent("sftp", SftpComponent.class);
            // created, not registered: credentials are set on the configuration, never put in an endpoint uri
            endpoint = (SftpEndpoint) component.createEndpoint("sftp://" + config.getHost() + ":" + config.getPort() + "/"
                    + directoryPath());
        } catch (Exception e) {
            throw new IllegalStateException("ferry-sftp:" + config.getIntegration() + ": cannot create the sftp endpoint: " + e.getMessage(), e);
        }
        SftpConfiguration sftp = endpoint.getConfiguration();
        sftp.setUsername(config.getUsername());
        sftp.setPassword(config.getPassword());
        if (config.getPrivateKeyFile() != null) {
            sftp.setPrivateKeyFile(config.getPrivateKeyFile());
            sftp.setPrivateKeyPassphrase(config.getPrivateKeyPassphrase());
        }
        sftp.setStrictHostKeyChecking(config.strictHostKeys() ? "yes" : "no");
        sftp.setUseUserKnownHostsFile(false);
        sftp.setAutoCreateKnownHostsFile(false);
        if (config.getKnownHostsFile() != null) {
            sftp.setKnownHostsFile(config.getKnownHostsFile());
        }
        sftp.setConnectTimeout((int) config.connectTimeout().toMillis());
        sftp.setStepwise(false);
        sftp.setBinary(true);
        endpoint.setMaximumReconnectAttempts(0); // Ferry retries (and counts) itself
        endpoint.setLocalWorkDirectory(workDir.toString());
        operations = endpoint.createRemoteFileOperations();
    }

    private String directoryPath() {
        String dir = config.getDirectory() == null ? "" : config.getDirectory();
        return dir.startsWith("/") ? dir.substring(1) : dir;
    }

    /** The directory as given to the server (relative to the login directory unless it starts with '/'). */
    private String remoteDir() {
        String dir = config.getDirectory();
        return dir == null || dir.isBlank() ? "." : dir;
    }

    String remotePath(String name) {
        return remoteDir().equals(".") ? name : remoteDir().replaceAll("/+$", "") + "/" + name;
    }

    String server() {
        return server;
    }

    void connect() {
        try {
            operations.connect(endpoint.getConfiguration(), null);
        } catch (GenericFileOperationFailedException e) {
            throw new SftpFailedException("cannot connect to " + server + ": " + explain(e), e.getCause() == null ? null : scrubbed(e.getCause()));
        }
    }

    /** Plain files of the directory (sub-directories and links to them are left out). */
    List<ListedFile> list() {
        List<ListedFile> out = new ArrayList<>();
        for (SftpRemoteFile f : operations.listFiles(remoteDir())) {
            if (f.isDirectory() || f.getFilename().equals(".") || f.getFilename().equals("..")) {
                continue;
            }
            out.add(new ListedFile(f.getFilename(), f.getFileLength(), f.getLastModified() / 1000L));
        }
        return out;
    }

    /**
     * Downloads {@code file} to the work directory and returns the local copy; only a copy whose size is the
     * listed size is returned (a dropped connection or a file changing under the download is an error).
     */
    Path download(ListedFile file) {
        String name = SafeFileName.require(file.name());
        Path local = workDir.resolve(name);
        Exchange exchange = new DefaultExchange(config.getCamelContext());
        RemoteFile<SftpRemoteFile> target = new RemoteFile<>();
        target.setRelativeFilePath(name);
        target.setFileName(name);
        target.setFileNameOnly(name);
        exchange.setProperty(FileComponent.FILE_EXCHANGE_FILE, target);
        try {
            Files.deleteIfExists(local);
            operations.retrieveFile(remotePath(name), exchange, file.size());
            long got = Files.size(local);
            if (got != file.size()) {
                throw new GenericFileOperationFailedException("downloaded " + got + " bytes of " + name + " but the server listed "
                        + file.size() + " (the file changed or the transfer was cut)");
            }
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(local);
            } catch (IOException ignored) {
                // the next download replaces it anyway
            }
            throw e;
        }
    }

    void move(String name, String toDir) {
        String target = remoteDir().equals(".") ? toDir : remoteDir().replaceAll("/+$", "") + "/" + toDir;
        try {
            operations.buildDirectory(target, false);
        } catch (GenericFileOperationFailedException e) {
            // exists already, or cannot be made: the rename below reports the real problem
        }
        operations.renameFile(remotePath(name), target + "/" + name);
    }

    /** Drops the session after an error so the next attempt starts clean. */
    void reset() {
        try {
            operations.forceDisconnect();
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            operations.disconnect();
        } catch (RuntimeException ignored) {
            // the session may already be gone; nothing to release then
        }
    }

    /** A connection failure in words an operator can act on; never the password or key passphrase. */
    String explain(Throwable e) {
        String all = chain(e).toLowerCase(Locale.ROOT);
        if (all.contains("unknownhostkey") || all.contains("reject hostkey") || all.contains("hostkey has been changed")
                || all.contains("host key")) {
            return "the server's host key is not in the known_hosts file " + config.getKnownHostsFile()
                    + " (refused; add the key after checking its fingerprint with the partner)";
        }
        if (all.contains("auth fail") || all.contains("auth cancel") || all.contains("too many authentication")) {
            return "authentication failed for user " + config.getUsername() + " ("
                    + (config.getPrivateKeyFile() != null ? "private key " + config.getPrivateKeyFile() : "password") + ")";
        }
        if (all.contains("connection refused") || all.contains("connect timed out") || all.contains("timeout")
                || all.contains("unknownhost") || all.contains("no route")) {
            return "the server is not reachable (" + scrub(lastMessage(e)) + ")";
        }
        return scrub(lastMessage(e));
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static String lastMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : new String[] { config.getPassword(), config.getPrivateKeyPassphrase() }) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "xxxxxx");
            }
        }
        return out;
    }

    /** Causes from JSch travel as a copy with a scrubbed message, so a logged stack trace holds no secret. */
    private Throwable scrubbed(Throwable cause) {
        RuntimeException copy = new RuntimeException(cause.getClass().getName() + ": " + scrub(String.valueOf(cause.getMessage())));
        copy.setStackTrace(cause.getStackTrace());
        return copy;
    }
}
