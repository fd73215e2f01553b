package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/github/githubtest"
)

// TestE2E_remoteFailuresSayWhatFailedOnce: a refused release listing and a
// refused registry read each name the operation and its target once, not
// "list releases of acme/charts: list releases of acme/charts: …".
func TestE2E_remoteFailuresSayWhatFailedOnce(t *testing.T) {
	t.Run("release listing", func(t *testing.T) {
		h := newHarness(t)
		h.chart("alpha", "1.0.0")
		h.full("", "", "")
		h.gh.Inject(githubtest.Fault{Method: "GET", PathPattern: "/repos/{owner}/{repo}/releases", Status: http.StatusForbidden, Message: "Resource not accessible by integration"})

		code, _, stderr := h.relctl("plan")

		if code != exitError {
			t.Fatalf("plan exited %d, want 1; stderr:\n%s", code, stderr)
		}
		if n := strings.Count(stderr, "list releases of acme/charts"); n != 1 {
			t.Errorf("stderr says %q %d times, want once:\n%s", "list releases of acme/charts", n, stderr)
		}
	})
	t.Run("registry read", func(t *testing.T) {
		h := newHarness(t)
		h.chart("alpha", "1.0.0")
		h.registryOnly("")
		h.reg.Inject(func(r *http.Request) int {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
				return http.StatusForbidden
			}
			return 0
		})

		code, _, stderr := h.relctl("plan")

		if code != exitError {
			t.Fatalf("plan exited %d, want 1; stderr:\n%s", code, stderr)
		}
		ref := h.reg.Host + "/acme/charts/alpha:1.0.0"
		if n := strings.Count(stderr, ref); n != 1 || !strings.Contains(stderr, "oci_chart.alpha: resolve "+ref) {
			t.Errorf("stderr names %s %d times, want once after the address oci_chart.alpha:\n%s", ref, n, stderr)
		}
	})
}
