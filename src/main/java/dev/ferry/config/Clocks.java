package dev.ferry.config;

import org.apache.camel.CamelContext;

import java.time.Clock;
import java.time.ZoneId;

/** The clock and zone a building block runs on — one rule for every Ferry endpoint. */
public final class Clocks {

    /** The name of the registry bean that replaces the system clock (the demo's and tests' controllable clock). */
    public static final String BEAN = "ferryClock";

    private Clocks() {
    }

    /** The endpoint's own clock, else a {@value #BEAN} bean, else the system clock in {@code systemZone} (the zone only
     * matters to code that reads local times from the clock). */
    public static Clock of(CamelContext context, Clock own, ZoneId systemZone) {
        if (own != null) {
            return own;
        }
        Clock shared = context.getRegistry().lookupByNameAndType(BEAN, Clock.class);
        return shared != null ? shared : Clock.system(systemZone);
    }

    /** A zone option: blank means the system's. */
    public static ZoneId zone(String zone) {
        return zone == null || zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone);
    }
}
