package main

import (
	"testing"
)

// Reading every signature format costs registry requests on every plan:
// a no-change plan of a signed chart stays within six per chart (the tag;
// the legacy signature tag and its layer, which cosign reads twice; the
// referrers API; the fallback tag).
func TestE2E_noChangePlanOfSignedChartsReadsEveryFormatWithinItsBudget(t *testing.T) {
	const charts = 3
	h := newHarness(t)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.chart("gamma", "0.3.0")
	h.full("", "", signingSpec("fail"))
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if got := h.reg.CountRequests(""); got > 6*charts {
		for _, r := range h.reg.Requests() {
			t.Logf("%s %s %d", r.Method, r.Path, r.Status)
		}
		t.Errorf("registry requests = %d for %d signed charts, want at most %d", got, charts, 6*charts)
	}
}
