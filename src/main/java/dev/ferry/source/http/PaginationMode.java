package dev.ferry.source.http;

/** How a pull walks through the pages of one window. */
public enum PaginationMode {
    /** Page number ({@code ${PAGE}} or {@code pageParam}) and page size. */
    page,
    /** Row offset and limit ({@code ${OFFSET}}/{@code ${LIMIT}}), e.g. Kingdee's {@code StartRow}/{@code Limit} (S2.1). */
    offset,
    /** The previous page's last sort key ({@code ${LAST.<field>}}): immune to rows changing during the walk. */
    keyset,
    /** Opaque continuation token read from each response ({@code cursorPath}). */
    cursor,
    /** RFC 5988 {@code Link: <...>; rel="next"} response header. */
    link,
    /** One request per run. */
    none
}
