package main

import (
	"fmt"
	"testing"
)

// BenchmarkPlanNoChanges200Charts measures a no-change plan over 200
// published charts with releases: the registry and GitHub requests it makes
// are reported per chart and in total, beside ns/op.
func BenchmarkPlanNoChanges200Charts(b *testing.B) {
	const charts = 200
	h := newHarness(b)
	for i := range charts {
		h.chart(fmt.Sprintf("chart-%03d", i), "1.0.0")
	}
	h.full("", "", fastRetry)
	if code, out, errOut := h.relctl("apply", "--auto-approve", "--parallelism", "8"); code != exitOK {
		b.Fatalf("setup apply exited %d\n%s\n%s", code, out, errOut)
	}
	h.reg.ResetRequests()
	h.gh.ResetLog()
	b.ResetTimer()
	for b.Loop() {
		if code, out, errOut := h.relctl("plan", "--detailed-exitcode"); code != exitOK {
			b.Fatalf("plan exited %d\n%s\n%s", code, out, errOut)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(h.reg.CountRequests(""))/float64(b.N)/charts, "registry-req/chart")
	b.ReportMetric(float64(len(h.gh.Log()))/float64(b.N), "github-req/plan")
}
