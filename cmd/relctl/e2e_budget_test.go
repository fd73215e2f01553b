package main

import (
	"fmt"
	"testing"
)

// A no-change plan must stay cheap however many charts a repository has:
// at most 2 registry requests per chart (one HEAD here), and GitHub
// releases listed 100 a page, not fetched per chart.
func TestE2E_noChangePlanStaysWithinItsRequestBudget(t *testing.T) {
	const charts = 120 // two pages of releases
	h := newHarness(t)
	for i := range charts {
		h.chart(fmt.Sprintf("chart-%03d", i), "1.0.0")
	}
	h.full("", "", fastRetry)
	h.mustRelctl(exitOK, "apply", "--auto-approve", "--parallelism", "8")

	h.reg.ResetRequests()
	h.gh.ResetLog()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	if got := h.reg.CountRequests(""); got > 2*charts {
		t.Errorf("registry requests = %d for %d charts, want at most %d", got, charts, 2*charts)
	}
	pages := (charts + 99) / 100
	if got := len(h.gh.Log()); got > pages+1 {
		t.Errorf("GitHub requests = %d for %d releases, want at most %d: %v", got, charts, pages+1, h.gh.Log())
	}
}
