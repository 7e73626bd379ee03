package dev.ferry.source.sftp;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import dev.ferry.config.Durations;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Polls one integration's files from an SFTP server into its pipeline, used as a step after a scheduler
 * ({@code quartz:}, {@code timer:}, {@code direct:}). Credentials go in {@code password} / {@code
 * privateKeyPassphrase}, options Camel masks in logged endpoint uris; they are handed to Camel's {@code sftp:}
 * configuration directly, never written into an uri.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-sftp", title = "Ferry SFTP files", syntax = "ferry-sftp:integration",
        producerOnly = true, remote = true, category = { Category.FILE })
public class FerrySftpEndpoint extends DefaultEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(FerrySftpEndpoint.class);

    /** The integration's name, as in its mapping file. */
    @UriPath
    @Metadata(required = true)
    private String integration;

    @UriParam
    @Metadata(required = true)
    private String host;

    @UriParam(defaultValue = "22")
    private int port = 22;

    /** Directory on the server (relative to the login directory unless it starts with /). */
    @UriParam
    private String directory = ".";

    @UriParam(label = "security", secret = true)
    private String username;

    @UriParam(label = "security", secret = true)
    private String password;

    /** Private key file (OpenSSH or PEM) for key authentication. */
    @UriParam(label = "security")
    private String privateKeyFile;

    @UriParam(label = "security", secret = true)
    private String privateKeyPassphrase;

    /** known_hosts file holding the server's host key; required unless strictHostKeyChecking=no. */
    @UriParam(label = "security")
    private String knownHostsFile;

    /** yes (default): the host key must be in knownHostsFile. no: any key is accepted — explicit, and logged as a warning. */
    @UriParam(label = "security", defaultValue = "yes", enums = "yes,no")
    private String strictHostKeyChecking = "yes";

    /** bills_{yyyyMMdd}.csv (one file per day: backfill of missing days) or a glob such as *.csv (new files by the ledger). */
    @UriParam
    @Metadata(required = true)
    private String fileName;

    /** Days between a business day and the day its file is due: 1 = yesterday's file is expected today. */
    @UriParam(defaultValue = "1")
    private int lagDays = 1;

    /** The first day expected (yyyy-MM-dd) on the first poll; default the newest due day. */
    @UriParam
    private String startDate;

    /** Polls that look for a missing day before it is marked MISSING with an alert. */
    @UriParam(defaultValue = "3")
    private int maxAsks = 3;

    /** csv or jsonl. */
    @UriParam(defaultValue = "csv")
    private FileFormat format = FileFormat.csv;

    /** Character encoding of the files: UTF-8, GBK, GB18030, ... */
    @UriParam(defaultValue = "UTF-8")
    private String encoding = "UTF-8";

    /** CSV field delimiter (one character; \t for tab). */
    @UriParam(defaultValue = ",")
    private String delimiter = ",";

    /** CSV quote character. */
    @UriParam(defaultValue = "\"")
    private String quote = "\"";

    /** Regular expression of a trailer line with the record count in group 1, e.g. TOTAL,(\d+). */
    @UriParam
    private String trailer;

    /** wholeFile (one bad line rejects the file) or perRow (bad lines to dead letters, the rest loaded). */
    @UriParam(defaultValue = "perRow")
    private ValidationMode validation = ValidationMode.perRow;

    /** Records per batch handed to the pipeline. */
    @UriParam(defaultValue = "5000")
    private int batchSize = 5000;

    /** A file younger than this (by its modification time) is not taken yet, e.g. 2m. */
    @UriParam(defaultValue = "0s")
    private String minAge = "0s";

    /** Take a file only when its size and time are unchanged since the previous poll. */
    @UriParam(defaultValue = "false")
    private boolean stableSize;

    /** Suffix of a marker file the sender writes when a file is complete, e.g. .ok. */
    @UriParam
    private String doneMarker;

    /** On a writable server: move loaded files to this sub-directory (e.g. done). Empty: leave them. */
    @UriParam
    private String moveDone;

    /** On a writable server: move rejected files to this sub-directory (e.g. error). */
    @UriParam
    private String moveError;

    /** Retries of a connection or download before the poll gives up (a dropped transfer is retried whole). */
    @UriParam(defaultValue = "3")
    private int maxRetries = 3;

    @UriParam(defaultValue = "1s")
    private String retryDelay = "1s";

    @UriParam(defaultValue = "10s")
    private String connectTimeout = "10s";

    /** Consecutive failed polls (server down, login refused) before an alert. */
    @UriParam(defaultValue = "3")
    private int alertAfterFailures = 3;

    /** Time zone of business days. */
    @UriParam
    private String zone;

    /** Local directory for downloads in progress; default under java.io.tmpdir. */
    @UriParam(label = "advanced")
    private String workDirectory;

    /** Clock giving "now" (a bean reference such as #ferryClock); default the system clock. */
    @UriParam(label = "advanced")
    private Clock clock;

    private FileNamePattern fileNamePattern;

    public FerrySftpEndpoint(String uri, FerrySftpComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    @Override
    public Producer createProducer() {
        return new FerrySftpProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry-sftp is a producer: trigger it from a scheduler, e.g. "
                + "from quartz:... to ferry-sftp:" + integration);
    }

    /** Fails at route start on a bad option, not at the first night's poll. */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        String what = "ferry-sftp:" + integration;
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(what + " needs the host option");
        }
        strictHostKeyChecking = strictHostKeyChecking == null ? "yes" : strictHostKeyChecking.trim().toLowerCase(Locale.ROOT);
        if (!strictHostKeyChecking.equals("yes") && !strictHostKeyChecking.equals("no")) {
            throw new IllegalArgumentException(what + ": strictHostKeyChecking must be yes or no");
        }
        if (strictHostKeys()) {
            if (knownHostsFile == null || knownHostsFile.isBlank()) {
                throw new IllegalArgumentException(what + " needs knownHostsFile (the server's host key), or an explicit "
                        + "strictHostKeyChecking=no");
            }
        } else {
            LOG.warn("{}: strictHostKeyChecking=no — the SFTP server's host key is NOT verified; anyone between Ferry and {} "
                    + "can pose as the server", what, host);
        }
        fileNamePattern = FileNamePattern.parse(fileName);
        SafeFileName.require(fileName.replaceAll("[{}*?]", "x"));
        if (directory != null && (directory.contains("..") || directory.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException(what + ": directory must not contain '..' or control characters");
        }
        for (String dir : new String[] { moveDone, moveError }) {
            if (dir != null && !dir.isBlank()) {
                SafeFileName.require(dir);
            }
        }
        if (doneMarker != null && !doneMarker.isEmpty()) {
            SafeFileName.require("x" + doneMarker);
        }
        charset();
        delimiterChar();
        quoteChar();
        trailerPattern();
        startDate();
        zoneId();
        minAge();
        retryDelay();
        connectTimeout();
        if (batchSize <= 0) {
            throw new IllegalArgumentException(what + ": batchSize must be positive");
        }
        if (maxAsks <= 0 || lagDays < 0 || maxRetries < 0 || alertAfterFailures <= 0) {
            throw new IllegalArgumentException(what + ": maxAsks and alertAfterFailures must be positive, lagDays and maxRetries not negative");
        }
    }

    /**
     * Checked at each poll rather than at route start: credentials and the known_hosts file come from the
     * environment of the instance that polls, and a route file shipped for one environment must still start in another.
     */
    void checkCredentials() {
        String what = "ferry-sftp:" + integration;
        if (username == null || username.isBlank()) {
            throw new SftpFailedException(what + " needs the username option", null);
        }
        if ((password == null || password.isEmpty()) && (privateKeyFile == null || privateKeyFile.isBlank())) {
            throw new SftpFailedException(what + " needs a password or a privateKeyFile", null);
        }
        if (strictHostKeys() && !Files.isReadable(Path.of(knownHostsFile))) {
            throw new SftpFailedException(what + ": knownHostsFile " + knownHostsFile + " cannot be read", null);
        }
    }

    boolean strictHostKeys() {
        return !"no".equals(strictHostKeyChecking);
    }

    FileNamePattern fileNamePattern() {
        if (fileNamePattern == null) {
            fileNamePattern = FileNamePattern.parse(fileName);
        }
        return fileNamePattern;
    }

    Charset charset() {
        try {
            return Charset.forName(encoding);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ferry-sftp:" + integration + ": unknown encoding " + encoding, e);
        }
    }

    char delimiterChar() {
        String d = "\\t".equals(delimiter) ? "\t" : delimiter;
        if (d == null || d.length() != 1) {
            throw new IllegalArgumentException("ferry-sftp:" + integration + ": delimiter must be one character");
        }
        return d.charAt(0);
    }

    char quoteChar() {
        if (quote == null || quote.length() != 1) {
            throw new IllegalArgumentException("ferry-sftp:" + integration + ": quote must be one character");
        }
        return quote.charAt(0);
    }

    Pattern trailerPattern() {
        if (trailer == null || trailer.isBlank()) {
            return null;
        }
        Pattern p = Pattern.compile(trailer);
        if (p.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("ferry-sftp:" + integration + ": trailer needs a group holding the count, e.g. TOTAL,(\\d+)");
        }
        return p;
    }

    LocalDate startDate() {
        return startDate == null || startDate.isBlank() ? null : LocalDate.parse(startDate.trim());
    }

    ZoneId zoneId() {
        return dev.ferry.config.Clocks.zone(zone);
    }

    Clock clock() {
        return dev.ferry.config.Clocks.of(getCamelContext(), clock, zoneId());
    }

    Duration minAge() {
        return duration("minAge", minAge);
    }

    Duration retryDelay() {
        return duration("retryDelay", retryDelay);
    }

    Duration connectTimeout() {
        return duration("connectTimeout", connectTimeout);
    }

    Path workDirectory() {
        Path dir = workDirectory != null && !workDirectory.isBlank() ? Path.of(workDirectory)
                : Path.of(System.getProperty("java.io.tmpdir"), "ferry-sftp", integration);
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("ferry-sftp:" + integration + ": work directory " + dir + " cannot be created: " + e.getMessage(), e);
        }
    }

    private Duration duration(String option, String text) {
        return Durations.parse("ferry-sftp:" + integration + ": " + option, text == null ? "0s" : text);
    }

    // ---- options (reflection property binding uses these setters) ----

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getDirectory() { return directory; }
    public void setDirectory(String directory) { this.directory = directory; }
    public String getUsername() { return username; }
    public void setUsername(String username) { this.username = username; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public String getPrivateKeyFile() { return privateKeyFile; }
    public void setPrivateKeyFile(String privateKeyFile) { this.privateKeyFile = privateKeyFile; }
    public String getPrivateKeyPassphrase() { return privateKeyPassphrase; }
    public void setPrivateKeyPassphrase(String privateKeyPassphrase) { this.privateKeyPassphrase = privateKeyPassphrase; }
    public String getKnownHostsFile() { return knownHostsFile; }
    public void setKnownHostsFile(String knownHostsFile) { this.knownHostsFile = knownHostsFile; }
    public String getStrictHostKeyChecking() { return strictHostKeyChecking; }
    public void setStrictHostKeyChecking(String strictHostKeyChecking) { this.strictHostKeyChecking = strictHostKeyChecking; }
    public String getFileName() { return fileName; }
    public void setFileName(String fileName) { this.fileName = fileName; }
    public int getLagDays() { return lagDays; }
    public void setLagDays(int lagDays) { this.lagDays = lagDays; }
    public String getStartDate() { return startDate; }
    public void setStartDate(String startDate) { this.startDate = startDate; }
    public int getMaxAsks() { return maxAsks; }
    public void setMaxAsks(int maxAsks) { this.maxAsks = maxAsks; }
    public FileFormat getFormat() { return format; }
    public void setFormat(FileFormat format) { this.format = format; }
    public String getEncoding() { return encoding; }
    public void setEncoding(String encoding) { this.encoding = encoding; }
    public String getDelimiter() { return delimiter; }
    public void setDelimiter(String delimiter) { this.delimiter = delimiter; }
    public String getQuote() { return quote; }
    public void setQuote(String quote) { this.quote = quote; }
    public String getTrailer() { return trailer; }
    public void setTrailer(String trailer) { this.trailer = trailer; }
    public ValidationMode getValidation() { return validation; }
    public void setValidation(ValidationMode validation) { this.validation = validation; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public String getMinAge() { return minAge; }
    public void setMinAge(String minAge) { this.minAge = minAge; }
    public boolean isStableSize() { return stableSize; }
    public void setStableSize(boolean stableSize) { this.stableSize = stableSize; }
    public String getDoneMarker() { return doneMarker; }
    public void setDoneMarker(String doneMarker) { this.doneMarker = doneMarker; }
    public String getMoveDone() { return moveDone; }
    public void setMoveDone(String moveDone) { this.moveDone = moveDone; }
    public String getMoveError() { return moveError; }
    public void setMoveError(String moveError) { this.moveError = moveError; }
    public int getMaxRetries() { return maxRetries; }
    public void setMaxRetries(int maxRetries) { this.maxRetries = maxRetries; }
    public String getRetryDelay() { return retryDelay; }
    public void setRetryDelay(String retryDelay) { this.retryDelay = retryDelay; }
    public String getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(String connectTimeout) { this.connectTimeout = connectTimeout; }
    public int getAlertAfterFailures() { return alertAfterFailures; }
    public void setAlertAfterFailures(int alertAfterFailures) { this.alertAfterFailures = alertAfterFailures; }
    public String getZone() { return zone; }
    public void setZone(String zone) { this.zone = zone; }
    public String getWorkDirectory() { return workDirectory; }
    public void setWorkDirectory(String workDirectory) { this.workDirectory = workDirectory; }
    public Clock getClock() { return clock; }
    public void setClock(Clock clock) { this.clock = clock; }
}
