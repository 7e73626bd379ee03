package dev.ferry.devservices;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SFTP server in-process (Apache MINA SSHD), for tests and the demo: password login, a host key with a
 * known_hosts file for it, a home directory on local disk, and faults on demand (a connection cut in the middle
 * of a download, the server stopped). One per test JVM: {@link #get()}.
 */
public final class SftpTestServer {

    public static final String USER = "partner";
    public static final String PASSWORD = "s3cret-Pa55";

    private static SftpTestServer instance;

    private final SshServer server;
    private final Path home;
    private final Path knownHosts;
    private final Path strangerKnownHosts;
    private final int port;
    /** File names whose next download is cut after the first read. */
    private final Set<String> cutNextDownload = ConcurrentHashMap.newKeySet();
    public final AtomicInteger cutDownloads = new AtomicInteger();

    private SftpTestServer() throws IOException, java.security.GeneralSecurityException {
        Path base = Files.createTempDirectory("ferry-sftp-server");
        home = Files.createDirectories(base.resolve("home"));
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(base.resolve("hostkey.ser")));
        server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        server.setFileSystemFactory(new VirtualFileSystemFactory(home));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().build();
        sftp.addSftpEventListener(new SftpEventListener() {
            @Override
            public void reading(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                                int dataOffset, int dataLen) throws IOException {
                String name = localHandle.getFile().getFileName().toString();
                if (offset > 0 && cutNextDownload.remove(name)) {
                    cutDownloads.incrementAndGet();
                    session.close(true); // the connection drops in the middle of the transfer
                    throw new IOException("connection cut by the test");
                }
            }
        });
        server.setSubsystemFactories(List.of(sftp));
        server.start();
        port = server.getPort();
        KeyPair key = server.getKeyPairProvider().loadKeys(null).iterator().next();
        knownHosts = base.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key.getPublic()) + "\n");
        // a known_hosts file holding some other key for this server: the server's real key is then unknown
        strangerKnownHosts = base.resolve("known_hosts_stranger");
        PublicKey other = new SimpleGeneratorHostKeyProvider(base.resolve("other.ser")).loadKeys(null).iterator().next().getPublic();
        Files.writeString(strangerKnownHosts, "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(other) + "\n");
    }

    public static synchronized SftpTestServer get() {
        if (instance == null) {
            try {
                instance = new SftpTestServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    instance.server.stop(true);
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }));
        }
        return instance;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public Path knownHosts() {
        return knownHosts;
    }

    /** A known_hosts file that lists a different key for this server. */
    public Path strangerKnownHosts() {
        return strangerKnownHosts;
    }

    /** A fresh directory under the login directory (one per test), returned by name. */
    public String freshDirectory(String name) {
        try {
            Path dir = home.resolve(name);
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path(String directory, String name) {
        return home.resolve(directory).resolve(name);
    }

    /** Puts a file on the server as the partner would, with a modification time (older files look complete). */
    public Path put(String directory, String name, String content, Charset charset, Instant modified) {
        return putBytes(directory, name, content.getBytes(charset), modified);
    }

    public Path putBytes(String directory, String name, byte[] content, Instant modified) {
        try {
            Path p = home.resolve(directory).resolve(name);
            Files.write(p, content);
            Files.setLastModifiedTime(p, FileTime.from(modified));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(String directory, String name) {
        try {
            Files.deleteIfExists(home.resolve(directory).resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next download of {@code name} loses its connection after the first chunk. */
    public void cutNextDownloadOf(String name) {
        cutNextDownload.add(name);
    }
}
