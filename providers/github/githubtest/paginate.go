package githubtest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// defaultPerPage is GitHub's page size when per_page is absent.
const defaultPerPage = 30

// pageParams reads page and per_page the way GitHub does: missing or invalid
// values fall back to page 1 and 30 per page; per_page is capped.
func pageParams(q url.Values, max int) (page, perPage int) {
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	perPage, err = strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage < 1 {
		perPage = defaultPerPage
	}
	if perPage > max {
		perPage = max
	}
	return page, perPage
}

// pageBounds returns the slice [lo, hi) of n items shown on page.
func pageBounds(n, page, perPage int) (lo, hi int) {
	lo = (page - 1) * perPage
	if lo > n {
		lo = n
	}
	hi = lo + perPage
	if hi > n {
		hi = n
	}
	return lo, hi
}

// linkHeader builds GitHub's Link header for page of total items:
//
//	<…page=2>; rel="prev", <…page=4>; rel="next", <…page=5>; rel="last", <…page=1>; rel="first"
//
// in that order, omitting the relations that do not apply, and "" when
// everything fits on one page (GitHub then sends no Link at all). base is
// the absolute URL without query, which GitHub writes with the repository's
// ID (/repositories/{id}/...); rawQuery is the request's query, kept in its
// order with page set in place or appended, as the follow-up requests in
// paginate-issues.json show ("?per_page=3" -> "?per_page=3&page=2").
func linkHeader(base, rawQuery string, page, perPage, total int) string {
	last := (total + perPage - 1) / perPage
	if last < 1 {
		last = 1
	}
	if last == 1 && page <= 1 {
		return ""
	}
	link := func(p int, rel string) string {
		return fmt.Sprintf("<%s?%s>; rel=%q", base, withPage(rawQuery, p), rel)
	}
	var parts []string
	if page > 1 {
		prev := page - 1
		if prev > last {
			prev = last
		}
		parts = append(parts, link(prev, "prev"))
	}
	if page < last {
		parts = append(parts, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		parts = append(parts, link(1, "first"))
	}
	return strings.Join(parts, ", ")
}

// withPage sets page=p in a raw query, preserving the other parameters and
// their order.
func withPage(rawQuery string, p int) string {
	var out []string
	found := false
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		if k, _, _ := strings.Cut(kv, "="); k == "page" {
			if found {
				continue
			}
			kv, found = "page="+strconv.Itoa(p), true
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, "page="+strconv.Itoa(p))
	}
	return strings.Join(out, "&")
}

// paginate slices items for the request and sets the Link header; resource
// is the path after "/repositories/{id}/" used in the links.
func paginate[T any](c *call, items []T, resource string) []T {
	page, perPage := pageParams(c.r.URL.Query(), c.s.opts.PerPageMax)
	lo, hi := pageBounds(len(items), page, perPage)
	base := c.apiBase + "repositories/" + itoa(c.repo.id) + "/" + resource
	if l := linkHeader(base, c.r.URL.RawQuery, page, perPage, len(items)); l != "" {
		c.res.header.Set("Link", l)
	}
	return items[lo:hi]
}
