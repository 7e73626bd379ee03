package dev.ferry.source.http;

import org.apache.camel.util.URISupport;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the RFC 5988 {@code Link} header's {@code rel="next"} url. The same url twice is a loop; a url
 * on another host is refused so credentials are never sent where the integration was not configured to go.
 */
final class LinkPaginator implements Paginator {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
    private static final Pattern REL_NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]*)\"?", Pattern.CASE_INSENSITIVE);

    private final int pageSize;
    private final Map<URI, Integer> seenOnPage = new HashMap<>();

    LinkPaginator(int pageSize) {
        this.pageSize = pageSize;
    }

    @Override
    public PageRequest first() {
        return new PageRequest(1, Map.of("PAGE_SIZE", String.valueOf(pageSize), "LIMIT", String.valueOf(pageSize)),
                Map.of(), null, "page 1");
    }

    @Override
    public PageRequest next(FetchedPage page) {
        String next = nextLink(page.linkHeader());
        if (next == null) {
            return null;
        }
        URI target = page.requestUri().resolve(next.trim());
        if (!Objects.equals(target.getScheme(), page.requestUri().getScheme())
                || !Objects.equals(target.getAuthority(), page.requestUri().getAuthority())) {
            throw new IllegalStateException("next link points to another host (" + target.getScheme() + "://"
                    + target.getAuthority() + "); refusing to send this integration's credentials there");
        }
        int number = page.request().number();
        Integer earlier = seenOnPage.putIfAbsent(target, number);
        if (earlier != null) {
            String shown = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            throw new LoopDetected("paginator returned next link '" + URISupport.sanitizeUri(shown) + "' twice (page " + earlier
                    + " and page " + number + "); stopping to avoid an endless loop");
        }
        return new PageRequest(number + 1, page.request().variables(), Map.of(), target, "page " + (number + 1));
    }

    /** The rel="next" target of a Link header value, or null. rel may list several types ("next last"). */
    static String nextLink(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            Matcher rel = REL_NEXT.matcher(m.group(2));
            while (rel.find()) {
                for (String type : rel.group(1).trim().split("\\s+")) {
                    if (type.equalsIgnoreCase("next")) {
                        return m.group(1);
                    }
                }
            }
        }
        return null;
    }
}
