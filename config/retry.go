package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Retry defaults: enough to ride out GitHub's secondary rate limit, whose
// documented minimum wait is one minute.
const (
	DefaultRetryAttempts = 5
	DefaultMinBackoff    = time.Second
	DefaultMaxBackoff    = 60 * time.Second
)

// retry decodes the optional retry block.
func (l *loader) retry(b *hcl.Block) Retry {
	rt := Retry{Attempts: DefaultRetryAttempts, MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff}
	if b == nil {
		return rt
	}
	content, diags := b.Body.Content(retrySchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)

	rt.Attempts = r.integer("attempts", DefaultRetryAttempts)
	if rt.Attempts < 1 {
		l.errorf(r.rangeOf("attempts"), "Invalid attempts value",
			"attempts counts the first try, so it must be at least 1; got %d.", rt.Attempts)
	}
	rt.MinBackoff = l.duration(r, "min_backoff", DefaultMinBackoff)
	rt.MaxBackoff = l.duration(r, "max_backoff", DefaultMaxBackoff)
	if rt.MinBackoff > rt.MaxBackoff {
		l.errorf(r.rangeOf("min_backoff"), "Invalid backoff bounds",
			"min_backoff (%s) is longer than max_backoff (%s): backoff grows from the first to the second.",
			rt.MinBackoff, rt.MaxBackoff)
	}
	return rt
}

// duration reads a Go duration string such as "1s" or "2m30s".
func (l *loader) duration(r *attrReader, name string, def time.Duration) time.Duration {
	raw := r.str(name, "")
	if !r.ok(name) {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		l.errorf(r.rangeOf(name), "Invalid duration",
			"%s = %q is not a duration: write it as a Go duration, such as \"500ms\", \"1s\" or \"2m\".", name, raw)
		return def
	}
	if d < 0 {
		l.errorf(r.rangeOf(name), "Invalid duration", "%s must not be negative.", name)
		return def
	}
	return d
}
