package dev.ferry.devservices;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Debian's Chromium and chromedriver ({@code apt-get install chromium chromium-driver}, done by {@code .ci/run}),
 * headless. Paths from {@code -Dchromium.binary} / {@code -Dchromium.driver}, else {@code /usr/bin}. Tests call
 * {@link #missing()} in an assumption, so without them they report themselves skipped with the reason.
 */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    static Path binary() {
        return Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    }

    static Path driver() {
        return Path.of(System.getProperty("chromium.driver", "/usr/bin/chromedriver"));
    }

    /** Why the browser cannot run here, or empty when it can. */
    public static Optional<String> missing() {
        if (!Files.isExecutable(binary())) {
            return Optional.of("no Chromium at " + binary() + " (apt-get install chromium chromium-driver, or -Dchromium.binary)");
        }
        if (!Files.isExecutable(driver())) {
            return Optional.of("no chromedriver at " + driver() + " (apt-get install chromium-driver, or -Dchromium.driver)");
        }
        return Optional.empty();
    }

    public static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary().toFile());
        // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,1000", "--lang=en-US");
        // the browser's console, for diagnosing a failing page: driver.manage().logs().get(LogType.BROWSER)
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // the driver's path is given: Selenium Manager must not try to download one
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver().toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
