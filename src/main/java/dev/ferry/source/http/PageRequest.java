package dev.ferry.source.http;

import java.net.URI;
import java.util.Map;

/**
 * What to ask for next.
 *
 * @param number      1 for the first request of a run, then 2, 3 ...
 * @param variables   paging template variables (PAGE, PAGE_SIZE, OFFSET, LIMIT, CURSOR)
 * @param queryParams query parameters to add when the templates do not place the paging values themselves
 * @param nextUrl     a url handed out by the server (link pagination); replaces the url template
 * @param label       where in the source this is, for the ledger and error messages ("page 3", "offset 100")
 */
public record PageRequest(int number, Map<String, String> variables, Map<String, String> queryParams, URI nextUrl,
                          String label) {
}
