package httplog

import (
	"net/url"
	"sort"
	"strings"
)

// redacted replaces what a trace line must not show.
const redacted = "REDACTED"

// harmlessQuery are the query parameters whose values relctl's services use
// for pagination, naming and token scopes: never a secret. Every other
// value is redacted (signed storage URLs carry X-Amz-Signature, tokens
// travel as ?token= or ?access_token= in some APIs).
var harmlessQuery = map[string]bool{
	"page": true, "per_page": true, "n": true, "last": true, // pagination
	"name": true, "label": true, // asset uploads
	"scope": true, "service": true, // registry token requests
	"digest": true, "mount": true, "from": true, // blob uploads and mounts
	"audience": true, // the Actions OIDC token request
	"ref":      true, "state": true, "sort": true, "direction": true,
}

// redactURL renders u for a trace line: no userinfo, no fragment, query
// values other than the harmless ones replaced.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	if c.RawQuery != "" {
		q, err := url.ParseQuery(c.RawQuery)
		if err != nil {
			c.RawQuery = redacted
		} else {
			keys := make([]string, 0, len(q))
			for k := range q {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, 0, len(keys))
			for _, k := range keys {
				for _, v := range q[k] {
					if !harmlessQuery[strings.ToLower(k)] {
						v = redacted
					}
					parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
				}
			}
			c.RawQuery = strings.Join(parts, "&")
		}
	}
	return c.String()
}

// redactError renders a transport error for a trace line. Transport errors
// name the host, not the query, but a *url.Error (from a nested client)
// repeats the whole URL: only its cause is printed, after the URL the line
// already shows redacted.
func redactError(err error) string {
	if uerr, ok := err.(*url.Error); ok {
		return uerr.Err.Error()
	}
	return err.Error()
}
