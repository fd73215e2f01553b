package main

import (
	"fmt"
	"strings"
	"testing"
)

// A first publish of signed charts writes each chart's signature with no
// question asked first (no HEAD of its blobs or tag, no chunked PATCH), and
// reads the signature places once before signing, not twice: at most 21
// registry requests per chart, the ping aside (BENCHMARKS.md, "First
// publish").
func TestE2E_firstPublishOfSignedChartsStaysWithinItsRequestBudget(t *testing.T) {
	const charts = 6
	h := newHarness(t)
	h.withKey()
	for i := range charts {
		h.chart(fmt.Sprintf("chart-%d", i), "1.0.0")
	}
	h.full("", "", signingSpec("fail"))
	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "apply", "--auto-approve")

	byKind := map[string]int{}
	total := 0
	for _, r := range h.reg.Requests() {
		if r.Path == "/v2/" {
			continue
		}
		total++
		kind := r.Method
		switch {
		case strings.Contains(r.Path, "/blobs/"):
			kind += " blob"
		case strings.HasSuffix(r.Path, ".sig"):
			kind += " signature tag"
		case strings.Contains(r.Path, "/referrers/"):
			kind += " referrers"
		}
		byKind[kind]++
	}
	if total > 21*charts {
		t.Errorf("%d registry requests for %d charts, want at most %d: %v", total, charts, 21*charts, byKind)
	}
	// The chart push asks for its two blobs (a second push uploads
	// nothing); the signature's are never asked for, nor its tag.
	if byKind["HEAD blob"] != 2*charts || byKind["HEAD signature tag"] != 0 || byKind["PATCH blob"] != 0 {
		t.Errorf("requests by kind %v: want %d blob HEADs (the chart pushes'), no HEAD of a signature tag, no PATCH", byKind, 2*charts)
	}
	// Before signing, each place is read once: one referrers request per
	// chart, not two.
	if byKind["GET referrers"] != charts {
		t.Errorf("%d referrers requests for %d charts, want one each: %v", byKind["GET referrers"], charts, byKind)
	}
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	out := h.mustRelctl(exitOK, "verify")
	if !strings.Contains(out, "checks passed") {
		t.Errorf("verify after the first publish:\n%s", out)
	}
}
